using Google.Protobuf;
using Grpc.Core;
using Groupware.Rpc.V1;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>Folders: the hierarchy with roles and counts, and create, rename/move, delete, empty.</summary>
public sealed class RpcFolderTests
{
    [Test]
    public async Task List_shows_the_default_folders_with_their_roles_and_counts_and_the_calendars()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        await DeliverAsync(node, login, "one", "two");
        var calendarId = await CreateCalendarAsync(node, login, "work", Event("e1", "20300101T100000Z", "20300101T110000Z"));
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var items = new Items.ItemsClient(channel);
        var rows = await items.QueryAsync(new QueryRequest { FolderId = inbox.FolderId }, session);
        await items.SetReadAsync(new SetReadRequest { ItemIds = { rows.Rows[0].ItemId }, Read = true }, session);

        var folders = (await new Folders.FoldersClient(channel).ListAsync(new ListFoldersRequest(), session)).Folders;
        var roles = folders.Where(f => f.Kind == FolderKind.Mail).ToDictionary(f => f.Path, f => f.Role);
        Assert.That(roles, Is.EquivalentTo(new Dictionary<string, FolderRole>
        {
            ["INBOX"] = FolderRole.Inbox, ["Drafts"] = FolderRole.Drafts, ["Sent"] = FolderRole.Sent,
            ["Trash"] = FolderRole.Trash, ["Junk"] = FolderRole.Junk, ["Archive"] = FolderRole.Archive,
        }));
        inbox = folders.Single(f => f.Role == FolderRole.Inbox);
        Assert.That((inbox.TotalCount, inbox.UnreadCount), Is.EqualTo((2L, 1L)));
        Assert.That(inbox.Size, Is.GreaterThan(1200));
        var calendar = folders.Single(f => f.Kind == FolderKind.Calendar && f.Path == "work");
        Assert.That((calendar.Role, calendar.TotalCount, calendar.FolderId), Is.EqualTo((FolderRole.Calendar, 1L, $"c{calendarId}")));
    }

    [Test]
    public async Task A_folder_is_created_renamed_moved_emptied_and_deleted()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var folders = new Folders.FoldersClient(channel);
        var archive = await FolderAsync(channel, session, FolderRole.Archive);

        var projects = await folders.CreateAsync(new CreateFolderRequest { DisplayName = "Projects" }, session);
        var y2024 = await folders.CreateAsync(new CreateFolderRequest { ParentId = projects.FolderId, DisplayName = "2024" }, session);
        Assert.That((y2024.Path, y2024.ParentId, y2024.DisplayName), Is.EqualTo(("Projects/2024", projects.FolderId, "2024")));
        var (exists, existsDetail) = await RefusedAsync(() => folders.CreateAsync(new CreateFolderRequest { DisplayName = "Projects" }, session).ResponseAsync);
        Assert.That((exists, existsDetail.Reason), Is.EqualTo((StatusCode.AlreadyExists, "folder-exists")));
        var (role, roleDetail) = await RefusedAsync(() => folders.CreateAsync(new CreateFolderRequest { DisplayName = "Sent2", Role = FolderRole.Sent }, session).ResponseAsync);
        Assert.That((role, roleDetail.Reason), Is.EqualTo((StatusCode.AlreadyExists, "role-in-use")));

        var renamed = await folders.RenameAsync(new RenameFolderRequest { FolderId = projects.FolderId, NewDisplayName = "Work" }, session);
        Assert.That((renamed.FolderId, renamed.Path), Is.EqualTo((projects.FolderId, "Work")));
        var moved = await folders.RenameAsync(new RenameFolderRequest { FolderId = projects.FolderId, NewParentId = archive.FolderId }, session);
        Assert.That(moved.Path, Is.EqualTo("Archive/Work"));
        var child = await FolderAsync(channel, session, path: "Archive/Work/2024");
        Assert.That(child.FolderId, Is.EqualTo(y2024.FolderId), "the subfolder went with it, keeping its id");

        var items = new Items.ItemsClient(channel);
        await items.CreateAsync(new CreateItemRequest { FolderId = child.FolderId, Mime = ByteString.CopyFrom(Mime(login, "a")) }, session);
        await items.CreateAsync(new CreateItemRequest { FolderId = child.FolderId, Mime = ByteString.CopyFrom(Mime(login, "b")) }, session);
        Assert.That((await folders.EmptyAsync(new EmptyFolderRequest { FolderId = child.FolderId }, session)).DeletedCount, Is.EqualTo(2));
        Assert.That((await FolderAsync(channel, session, path: "Archive/Work/2024")).TotalCount, Is.Zero);

        Assert.That((await folders.DeleteAsync(new DeleteFolderRequest { FolderId = projects.FolderId }, session)).KeptAsPlaceholder, Is.True);
        Assert.That((await FolderAsync(channel, session, path: "Archive/Work")).Kind, Is.EqualTo(FolderKind.MailPlaceholder));
        await folders.DeleteAsync(new DeleteFolderRequest { FolderId = child.FolderId }, session);
        var (gone, goneDetail) = await RefusedAsync(() => folders.DeleteAsync(new DeleteFolderRequest { FolderId = child.FolderId }, session).ResponseAsync);
        Assert.That((gone, goneDetail.Reason), Is.EqualTo((StatusCode.NotFound, "no-such-folder")));
        var inbox = await FolderAsync(channel, session);
        var (refused, refusedDetail) = await RefusedAsync(() => folders.DeleteAsync(new DeleteFolderRequest { FolderId = inbox.FolderId }, session).ResponseAsync);
        Assert.That((refused, refusedDetail.Reason), Is.EqualTo((StatusCode.FailedPrecondition, "inbox")));
    }

    [Test]
    public async Task Another_accounts_folder_id_names_nothing()
    {
        await using var node = await StartSecureNodeAsync();
        var owner = await CreateAccountAsync();
        var other = await CreateAccountAsync();
        using var channel = Channel(node);
        var ownerInbox = await FolderAsync(channel, await LogonAsync(channel, owner));
        var session = await LogonAsync(channel, other);
        var (code, detail) = await RefusedAsync(() => new Items.ItemsClient(channel).QueryAsync(new QueryRequest { FolderId = ownerInbox.FolderId }, session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.NotFound, "no-such-folder")));
    }
}
