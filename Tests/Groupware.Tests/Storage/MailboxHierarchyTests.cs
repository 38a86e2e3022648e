using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// The mailbox hierarchy (RFC 9051 §6.3.4 CREATE, §6.3.5 DELETE, §6.3.6 RENAME; RFC 6154 §3):
/// superiors created, <c>\Noselect</c> placeholders and the rules for deleting them, subtree
/// renames, the special RENAME of INBOX, INBOX in any case, one mailbox per special use.
/// </summary>
public sealed class MailboxHierarchyTests : ImapStoreTest
{
    [Test]
    public async Task Create_makes_the_missing_superiors_and_a_trailing_separator_only_declares_the_level()
    {
        var account = await NewAccountAsync("create");
        Assert.That(await Store.CreateMailboxAsync(account, "a/b/c", null, CancellationToken.None), Is.EqualTo(CreateMailboxResult.Created));
        Assert.That(await Store.CreateMailboxAsync(account, "x/", null, CancellationToken.None), Is.EqualTo(CreateMailboxResult.Created));

        var names = (await Store.ListMailboxesAsync(account, CancellationToken.None)).Where(m => m.Name is not ("INBOX" or "Drafts" or "Sent"
            or "Trash" or "Junk" or "Archive")).ToList();
        Assert.That(names.Select(m => m.Name), Is.EqualTo(new[] { "a", "a/b", "a/b/c", "x" }));
        Assert.That(names, Has.All.Matches<Mailbox>(m => m.Selectable && m.SpecialUse is null), "superiors are ordinary mailboxes");
        Assert.That(names.Select(m => m.UidValidity), Is.Unique);
        Assert.That(await Store.CreateMailboxAsync(account, "a/b", null, CancellationToken.None), Is.EqualTo(CreateMailboxResult.AlreadyExists));
    }

    [TestCase("")]
    [TestCase("/a")]
    [TestCase("a//b")]
    [TestCase("a/%")]
    [TestCase("a*")]
    [TestCase("tab\there")]
    [TestCase("1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/21")]
    public async Task Create_refuses_names_that_cannot_name_a_mailbox(string name)
    {
        var account = await NewAccountAsync("invalid");
        Assert.That(await Store.CreateMailboxAsync(account, name, null, CancellationToken.None), Is.EqualTo(CreateMailboxResult.InvalidName));
        Assert.That(await Store.ListMailboxesAsync(account, CancellationToken.None), Has.Count.EqualTo(6), "nothing was made");
    }

    [Test]
    public async Task INBOX_is_INBOX_in_any_case_and_so_is_the_first_level_of_its_inferiors()
    {
        var account = await NewAccountAsync("inboxcase");
        var inbox = await MailboxAsync(account, "INBOX");
        foreach (var spelling in new[] { "inbox", "InBoX", "iNBOX" })
        {
            Assert.That((await Store.FindMailboxAsync(account, spelling, CancellationToken.None))?.Id, Is.EqualTo(inbox.Id), spelling);
            Assert.That(await Store.CreateMailboxAsync(account, spelling, null, CancellationToken.None), Is.EqualTo(CreateMailboxResult.AlreadyExists));
        }

        Assert.That(await Store.CreateMailboxAsync(account, "inbox/Lists", null, CancellationToken.None), Is.EqualTo(CreateMailboxResult.Created));
        Assert.That((await Store.FindMailboxAsync(account, "INBOX/Lists", CancellationToken.None))?.Name, Is.EqualTo("INBOX/Lists"));
        Assert.That((await Store.FindMailboxAsync(account, "Inbox/Lists", CancellationToken.None))?.Name, Is.EqualTo("INBOX/Lists"));
        Assert.That(await Store.FindMailboxAsync(account, "INBOX/lists", CancellationToken.None), Is.Null, "below INBOX, names are case-sensitive");
        Assert.That(await Store.CreateMailboxAsync(account, "Inboxes", null, CancellationToken.None), Is.EqualTo(CreateMailboxResult.Created),
            "only the whole first level is INBOX");
        Assert.That(await Store.DeleteMailboxAsync(account, "inBox", CancellationToken.None), Is.EqualTo(DeleteMailboxResult.IsInbox));
    }

    [Test]
    public async Task One_mailbox_per_special_use_and_only_RFC_6154_attributes()
    {
        var account = await NewAccountAsync("special");
        Assert.That(await Store.CreateMailboxAsync(account, "Sent Items", @"\Sent", CancellationToken.None),
            Is.EqualTo(CreateMailboxResult.SpecialUseInUse), "two \\Sent mailboxes break iOS Mail");
        Assert.That(await Store.CreateMailboxAsync(account, "Stuff", @"\Important", CancellationToken.None),
            Is.EqualTo(CreateMailboxResult.UnknownSpecialUse));
        Assert.That(await Store.FindMailboxAsync(account, "Sent Items", CancellationToken.None), Is.Null);

        Assert.That(await Store.DeleteMailboxAsync(account, "Archive", CancellationToken.None), Is.EqualTo(DeleteMailboxResult.Deleted));
        Assert.That(await Store.CreateMailboxAsync(account, "Old Mail", @"\archive", CancellationToken.None), Is.EqualTo(CreateMailboxResult.Created));
        Assert.That((await MailboxAsync(account, "Old Mail")).SpecialUse, Is.EqualTo(@"\Archive"), "stored in RFC 6154's spelling");
    }

    [Test]
    public async Task Delete_leaves_a_placeholder_while_inferiors_exist_and_removes_it_with_the_last_of_them()
    {
        var account = await NewAccountAsync("delete");
        await Store.CreateMailboxAsync(account, "Projects/2026", null, CancellationToken.None);
        await AppendAsync(account, "Projects", "Subject: parent\r\n\r\nin the parent\r\n");
        var usage = await MailAccounts.UsedBytesAsync(Data, account);
        Assert.That(usage, Is.Positive);

        Assert.That(await Store.DeleteMailboxAsync(account, "Projects", CancellationToken.None), Is.EqualTo(DeleteMailboxResult.BecamePlaceholder));
        var placeholder = await MailboxAsync(account, "Projects");
        Assert.That(placeholder.Selectable, Is.False);
        Assert.That(await MailAccounts.UsedBytesAsync(Data, account), Is.Zero, "its messages are gone, and their quota");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM messages WHERE account_id = @account", new { account }), Is.Zero);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM blob_references WHERE account_id = @account", new { account }), Is.Zero);
        Assert.That(await Store.StatusAsync(account, "Projects", CancellationToken.None), Is.Null, "a placeholder has no status");
        Assert.That((await Store.AppendAsync(account, "Projects", await IncomingAsync("Subject: x\r\n\r\nx\r\n"), SystemFlags.None, [],
            DateTimeOffset.UtcNow, CancellationToken.None)).Status, Is.EqualTo(AppendStatus.NotSelectable));

        Assert.That(await Store.DeleteMailboxAsync(account, "Projects", CancellationToken.None), Is.EqualTo(DeleteMailboxResult.PlaceholderHasChildren));
        Assert.That(await Store.DeleteMailboxAsync(account, "Projects/2026", CancellationToken.None), Is.EqualTo(DeleteMailboxResult.Deleted));
        Assert.That(await Store.FindMailboxAsync(account, "Projects", CancellationToken.None), Is.Null, "the placeholder went with its last inferior");
        Assert.That(await Store.DeleteMailboxAsync(account, "Projects", CancellationToken.None), Is.EqualTo(DeleteMailboxResult.NoSuchMailbox));
    }

    [Test]
    public async Task A_placeholder_created_again_is_a_new_mailbox_with_a_new_UIDVALIDITY()
    {
        var account = await NewAccountAsync("revive");
        await Store.CreateMailboxAsync(account, "P/Q", null, CancellationToken.None);
        await AppendAsync(account, "P", "Subject: one\r\n\r\n1\r\n");
        await AppendAsync(account, "P", "Subject: two\r\n\r\n2\r\n");
        var before = await MailboxAsync(account, "P");
        await Store.DeleteMailboxAsync(account, "P", CancellationToken.None);

        Assert.That(await Store.CreateMailboxAsync(account, "P", @"\Flagged", CancellationToken.None), Is.EqualTo(CreateMailboxResult.Created));
        var after = await MailboxAsync(account, "P");
        Assert.That(after.Id, Is.EqualTo(before.Id));
        Assert.That(after.Selectable, Is.True);
        Assert.That(after.UidValidity, Is.GreaterThan(before.UidValidity), "RFC 9051 §6.3.4: UIDs restart only with a new UIDVALIDITY");
        Assert.That(after.SpecialUse, Is.EqualTo(@"\Flagged"));
        Assert.That(await AppendAsync(account, "P", "Subject: three\r\n\r\n3\r\n"), Is.EqualTo(1));
    }

    [Test]
    public async Task Rename_moves_the_whole_subtree_keeping_ids_UIDVALIDITY_and_messages_and_creates_new_superiors()
    {
        var account = await NewAccountAsync("rename");
        await Store.CreateMailboxAsync(account, "a/b/c", null, CancellationToken.None);
        var uid = await AppendAsync(account, "a/b", "Subject: kept\r\n\r\nkept through the rename\r\n");
        var before = (await Store.ListMailboxesAsync(account, CancellationToken.None)).Where(m => m.Name.StartsWith('a')).ToDictionary(m => m.Name);

        Assert.That(await Store.RenameMailboxAsync(account, "a", "z/y", CancellationToken.None), Is.EqualTo(RenameMailboxResult.Renamed));
        var after = (await Store.ListMailboxesAsync(account, CancellationToken.None)).ToDictionary(m => m.Name);
        Assert.That(after.Keys, Does.Contain("z").And.Contain("z/y").And.Contain("z/y/b").And.Contain("z/y/b/c"));
        Assert.That(after.Keys.Where(n => n == "a" || n.StartsWith("a/", StringComparison.Ordinal)), Is.Empty);
        foreach (var (name, mailbox) in before)
        {
            var renamed = after["z/y" + name[1..]];
            Assert.That((renamed.Id, renamed.UidValidity, renamed.UidNext), Is.EqualTo((mailbox.Id, mailbox.UidValidity, mailbox.UidNext)), name);
        }

        var content = await ReadAllAsync(await Store.OpenMessageAsync(account, after["z/y/b"].Id, uid, CancellationToken.None));
        Assert.That(System.Text.Encoding.ASCII.GetString(content), Does.EndWith("kept through the rename\r\n"));
    }

    [Test]
    public async Task Rename_refuses_an_existing_target_its_own_subtree_and_a_missing_source()
    {
        var account = await NewAccountAsync("refuse");
        await Store.CreateMailboxAsync(account, "m/n", null, CancellationToken.None);
        await Store.CreateMailboxAsync(account, "o", null, CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(await Store.RenameMailboxAsync(account, "m", "o", CancellationToken.None), Is.EqualTo(RenameMailboxResult.TargetExists));
            Assert.That(await Store.RenameMailboxAsync(account, "m", "Inbox", CancellationToken.None), Is.EqualTo(RenameMailboxResult.TargetExists));
            Assert.That(await Store.RenameMailboxAsync(account, "m", "m/n/x", CancellationToken.None), Is.EqualTo(RenameMailboxResult.InvalidName));
            Assert.That(await Store.RenameMailboxAsync(account, "m", "bad//name", CancellationToken.None), Is.EqualTo(RenameMailboxResult.InvalidName));
            Assert.That(await Store.RenameMailboxAsync(account, "nothing", "q", CancellationToken.None), Is.EqualTo(RenameMailboxResult.NoSuchMailbox));
            Assert.That(await Store.RenameMailboxAsync(account, "m", "1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20", CancellationToken.None),
                Is.EqualTo(RenameMailboxResult.InvalidName), "m/n would get 21 levels");
        });
        Assert.That(await Store.FindMailboxAsync(account, "m/n", CancellationToken.None), Is.Not.Null, "nothing moved");
    }

    [Test]
    public async Task Renaming_the_last_inferior_away_removes_the_placeholder_above_it()
    {
        var account = await NewAccountAsync("emptied");
        await Store.CreateMailboxAsync(account, "p/q", null, CancellationToken.None);
        await Store.DeleteMailboxAsync(account, "p", CancellationToken.None);
        Assert.That((await MailboxAsync(account, "p")).Selectable, Is.False);

        Assert.That(await Store.RenameMailboxAsync(account, "p/q", "r", CancellationToken.None), Is.EqualTo(RenameMailboxResult.Renamed));
        Assert.That(await Store.FindMailboxAsync(account, "p", CancellationToken.None), Is.Null);
        Assert.That(await Store.FindMailboxAsync(account, "r", CancellationToken.None), Is.Not.Null);
    }

    [Test]
    public async Task Renaming_INBOX_moves_its_messages_to_a_new_mailbox_and_leaves_INBOX_empty_with_its_inferiors()
    {
        var account = await NewAccountAsync("inboxmove");
        await Store.CreateMailboxAsync(account, "INBOX/Child", null, CancellationToken.None);
        var inbox = await MailboxAsync(account, "INBOX");
        await DeliverAsync("Subject: first\r\n\r\none\r\n", account);
        await AppendAsync(account, "INBOX", "Subject: second\r\n\r\ntwo\r\n", SystemFlags.Seen | SystemFlags.Flagged, ["$Work"],
            new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero));
        await DeliverAsync("Subject: third\r\n\r\nthree\r\n", account);
        await Store.ExpungeAsync(account, inbox.Id, [1], CancellationToken.None);
        var usage = await MailAccounts.UsedBytesAsync(Data, account);

        Assert.That(await Store.RenameMailboxAsync(account, "inbox", "Old Mail/2024", CancellationToken.None), Is.EqualTo(RenameMailboxResult.Renamed));

        var old = await MailboxAsync(account, "Old Mail/2024");
        Assert.That(old.Id, Is.Not.EqualTo(inbox.Id));
        Assert.That(old.UidNext, Is.EqualTo(3));
        var moved = await Store.FetchAsync(account, old.Id, [1, 2], CancellationToken.None);
        Assert.That(moved.Select(m => m.Uid), Is.EqualTo(new long[] { 1, 2 }), "new UIDs from 1, in the old order");
        Assert.That(moved[0].Flags, Is.EqualTo(SystemFlags.Seen | SystemFlags.Flagged));
        Assert.That(moved[0].Keywords, Is.EqualTo(new[] { "$Work" }));
        Assert.That(moved[0].InternalDate, Is.EqualTo(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero)));

        var after = await MailboxAsync(account, "INBOX");
        Assert.That((after.Id, after.UidValidity, after.UidNext), Is.EqualTo((inbox.Id, inbox.UidValidity, 4L)), "INBOX keeps UIDVALIDITY and UIDNEXT");
        Assert.That((await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None))!.Messages, Is.Empty);
        var changes = await Store.ChangesSinceAsync(account, inbox.Id, after.HighestModSeq - 1, CancellationToken.None);
        Assert.That(changes!.Expunged, Is.EqualTo(new long[] { 2, 3 }), "sessions on INBOX see the messages leave");
        Assert.That(await Store.FindMailboxAsync(account, "INBOX/Child", CancellationToken.None), Is.Not.Null, "inferiors of INBOX stay");
        Assert.That(await MailAccounts.UsedBytesAsync(Data, account), Is.EqualTo(usage), "nothing was added or removed");
        Assert.That(await Store.RenameMailboxAsync(account, "INBOX", "Old Mail/2024", CancellationToken.None), Is.EqualTo(RenameMailboxResult.TargetExists));
    }
}
