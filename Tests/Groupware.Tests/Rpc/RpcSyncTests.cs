using Google.Protobuf;
using Groupware.Rpc.V1;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>Sync.Hierarchy and Sync.Contents: opaque tokens over MODSEQ and the expunge log (RFC 7162), paged, with a full-resync signal.</summary>
public sealed class RpcSyncTests
{
    [Test]
    public async Task Contents_sync_reports_adds_then_read_state_changes_and_deletions_since_the_token()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        await DeliverAsync(node, login, "a", "b", "c");
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var sync = new Sync.SyncClient(channel);
        var items = new Items.ItemsClient(channel);

        // The first sync, two per page.
        var first = await sync.ContentsAsync(new SyncContentsRequest { FolderId = inbox.FolderId, Limit = 2 }, session);
        Assert.That((first.Changes.Count, first.More), Is.EqualTo((2, true)));
        var rest = await sync.ContentsAsync(new SyncContentsRequest { FolderId = inbox.FolderId, SyncToken = first.SyncToken, Limit = 2 }, session);
        Assert.That((rest.Changes.Count, rest.More), Is.EqualTo((1, false)));
        var all = first.Changes.Concat(rest.Changes).ToList();
        Assert.That(all.Select(c => c.Kind), Has.All.EqualTo(ChangeKind.Added));
        Assert.That(all.Select(c => c.ItemId).Distinct().Count(), Is.EqualTo(3));

        var nothing = await sync.ContentsAsync(new SyncContentsRequest { FolderId = inbox.FolderId, SyncToken = rest.SyncToken }, session);
        Assert.That((nothing.Changes.Count, nothing.DeletedItemIds.Count, nothing.SyncToken), Is.EqualTo((0, 0, rest.SyncToken)));

        await items.SetReadAsync(new SetReadRequest { ItemIds = { all[0].ItemId }, Read = true }, session);
        await items.DeleteAsync(new ItemBatchRequest { ItemIds = { all[1].ItemId } }, session);
        await DeliverAsync(node, login, "d");
        var delta = await sync.ContentsAsync(new SyncContentsRequest { FolderId = inbox.FolderId, SyncToken = rest.SyncToken }, session);
        Assert.That(delta.DeletedItemIds, Is.EqualTo(new[] { all[1].ItemId }));
        var changed = delta.Changes.Single(c => c.ItemId == all[0].ItemId);
        Assert.That((changed.Kind, changed.Flags & (uint)MessageFlag.Read), Is.EqualTo((ChangeKind.Changed, (uint)MessageFlag.Read)));
        Assert.That(delta.Changes.Single(c => c.ItemId != all[0].ItemId).Kind, Is.EqualTo(ChangeKind.Added));
        Assert.That(delta.FullResync, Is.False);
    }

    [Test]
    public async Task A_token_older_than_the_expunge_logs_horizon_gets_a_full_resync_signal_not_a_short_answer()
    {
        // Retention 0: every expunge prunes the records before it, so the horizon moves past an old token.
        await using var node = await StartSecureNodeAsync(n => n.Set("Mail:ExpungedUidRetentionDays", "0"));
        var login = await CreateAccountAsync();
        await DeliverAsync(node, login, "a", "b", "c");
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var sync = new Sync.SyncClient(channel);
        var items = new Items.ItemsClient(channel);
        var start = await sync.ContentsAsync(new SyncContentsRequest { FolderId = inbox.FolderId }, session);
        var ids = start.Changes.Select(c => c.ItemId).ToList();
        await items.DeleteAsync(new ItemBatchRequest { ItemIds = { ids[0] } }, session);
        await items.DeleteAsync(new ItemBatchRequest { ItemIds = { ids[1] } }, session);

        var reply = await sync.ContentsAsync(new SyncContentsRequest { FolderId = inbox.FolderId, SyncToken = start.SyncToken }, session);
        Assert.That((reply.FullResync, reply.Changes.Count, reply.DeletedItemIds.Count), Is.EqualTo((true, 0, 0)));
        var again = await sync.ContentsAsync(new SyncContentsRequest { FolderId = inbox.FolderId }, session);
        Assert.That(again.Changes.Select(c => c.ItemId), Is.EqualTo(new[] { ids[2] }));
    }

    [Test]
    public async Task Hierarchy_sync_reports_new_renamed_and_deleted_folders_since_the_token()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var sync = new Sync.SyncClient(channel);
        var folders = new Folders.FoldersClient(channel);
        var first = await sync.HierarchyAsync(new SyncHierarchyRequest(), session);
        Assert.That(first.Changed.Select(f => f.Path), Is.SupersetOf(new[] { "INBOX", "Sent", "Trash" }));
        var junk = first.Changed.Single(f => f.Role == FolderRole.Junk);

        var made = await folders.CreateAsync(new CreateFolderRequest { DisplayName = "Lists" }, session);
        await folders.RenameAsync(new RenameFolderRequest { FolderId = made.FolderId, NewDisplayName = "Mailing lists" }, session);
        var trash = first.Changed.Single(f => f.Role == FolderRole.Trash);
        await new Items.ItemsClient(channel).CreateAsync(new CreateItemRequest { FolderId = trash.FolderId, Mime = ByteString.CopyFrom(Mime(login, "t")) }, session);
        await folders.DeleteAsync(new DeleteFolderRequest { FolderId = junk.FolderId }, session);

        var delta = await sync.HierarchyAsync(new SyncHierarchyRequest { SyncToken = first.SyncToken }, session);
        Assert.That(delta.Changed.Select(f => (f.FolderId, f.Path)), Is.EqualTo(new[] { (made.FolderId, "Mailing lists") }),
            "a new item in Trash changes its contents, not the hierarchy");
        Assert.That(delta.DeletedFolderIds, Is.EqualTo(new[] { junk.FolderId }));
        var none = await sync.HierarchyAsync(new SyncHierarchyRequest { SyncToken = delta.SyncToken }, session);
        Assert.That((none.Changed.Count, none.DeletedFolderIds.Count), Is.EqualTo((0, 0)));
    }
}
