using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// COPY and MOVE (RFC 9051 §6.4.7, §6.4.8, RFC 6851): new UIDs in the target pairwise with the
/// source's (COPYUID, RFC 4315), flags, keywords and internal dates kept, bodies shared, quota
/// charged for copies only, and a MOVE's expunge in the same transaction.
/// </summary>
public sealed class CopyMoveTests : ImapStoreTest
{
    [Test]
    public async Task Copy_gives_new_UIDs_in_source_order_and_keeps_flags_keywords_and_internal_dates()
    {
        var account = await NewAccountAsync("copy");
        var inbox = await MailboxAsync(account, "INBOX");
        var date = new DateTimeOffset(2023, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await AppendAsync(account, "Archive", "Subject: already\r\n\r\nthere\r\n");
        var a = await AppendAsync(account, "INBOX", "Subject: a\r\n\r\na\r\n", SystemFlags.Seen | SystemFlags.Answered, ["$Forwarded", "Work"], date);
        var b = await AppendAsync(account, "INBOX", "Subject: b\r\n\r\nb\r\n", SystemFlags.Flagged, ["Work"]);
        var usage = await MailAccounts.UsedBytesAsync(Data, account);

        var result = await Store.CopyAsync(account, inbox.Id, [b, a, 999], "Archive", CancellationToken.None);
        Assert.That(result.Status, Is.EqualTo(CopyStatus.Copied));
        var archive = await MailboxAsync(account, "Archive");
        Assert.That(result.UidValidity, Is.EqualTo(archive.UidValidity));
        Assert.That(result.SourceUids, Is.EqualTo(new[] { a, b }), "ascending; the missing UID left out");
        Assert.That(result.TargetUids, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(result.Expunged, Is.Empty);

        var copies = await Store.FetchAsync(account, archive.Id, [2, 3], CancellationToken.None);
        Assert.That(copies[0].Flags, Is.EqualTo(SystemFlags.Seen | SystemFlags.Answered));
        Assert.That(copies[0].Keywords, Is.EquivalentTo(new[] { "$Forwarded", "Work" }));
        Assert.That(copies[0].InternalDate, Is.EqualTo(date));
        Assert.That(copies[1].Keywords, Is.EqualTo(new[] { "Work" }));
        Assert.That((await Store.SnapshotAsync(account, archive.Id, CancellationToken.None))!.Keywords, Is.EquivalentTo(new[] { "$Forwarded", "Work" }),
            "the target defines the keywords it now holds");
        Assert.That((await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None))!.Messages, Has.Count.EqualTo(2), "COPY leaves the source");
        Assert.That(await MailAccounts.UsedBytesAsync(Data, account), Is.EqualTo(usage + copies.Sum(c => c.Size)), "copies count against the quota");
        Assert.That(await ScalarAsync<long>("SELECT count(DISTINCT blob_id) FROM messages WHERE account_id = @account", new { account }), Is.EqualTo(3),
            "the copies share their bodies");
    }

    [Test]
    public async Task Move_is_copy_and_expunge_in_one_transaction_and_needs_no_quota()
    {
        var account = await NewAccountAsync("move", quotaBytes: 50);
        var inbox = await MailboxAsync(account, "INBOX");
        var a = await AppendAsync(account, "INBOX", "Subject: a\r\n\r\nmove me\r\n", SystemFlags.Seen, ["Todo"]);
        var b = await AppendAsync(account, "INBOX", "Subject: b\r\n\r\nstay\r\n");
        var before = await MailboxAsync(account, "INBOX");
        var usage = await MailAccounts.UsedBytesAsync(Data, account);

        var result = await Store.MoveAsync(account, inbox.Id, [a], "Trash", CancellationToken.None);
        Assert.That(result.Status, Is.EqualTo(CopyStatus.Copied));
        Assert.That(result.Expunged, Is.EqualTo(new[] { a }));
        Assert.That(result.TargetUids, Is.EqualTo(new long[] { 1 }));

        var trash = await MailboxAsync(account, "Trash");
        var moved = (await Store.FetchAsync(account, trash.Id, [1], CancellationToken.None)).Single();
        Assert.That((moved.Flags, moved.Keywords.Single()), Is.EqualTo((SystemFlags.Seen, "Todo")));
        Assert.That((await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None))!.Messages.Select(m => m.Uid), Is.EqualTo(new[] { b }));
        var changes = await Store.ChangesSinceAsync(account, inbox.Id, before.HighestModSeq, CancellationToken.None);
        Assert.That(changes!.Expunged, Is.EqualTo(new[] { a }), "the source records the expunge for QRESYNC");
        Assert.That(changes.HighestModSeq, Is.EqualTo(before.HighestModSeq + 1));
        Assert.That(await MailAccounts.UsedBytesAsync(Data, account), Is.EqualTo(usage), "a move adds nothing");

        var copy = await Store.CopyAsync(account, inbox.Id, [b], "Archive", CancellationToken.None);
        Assert.That(copy.Status, Is.EqualTo(CopyStatus.OverQuota), "43 octets stored: a copy of 20 more would go over 50");
        Assert.That((await Store.SnapshotAsync(account, (await MailboxAsync(account, "Archive")).Id, CancellationToken.None))!.Messages, Is.Empty);
    }

    [Test]
    public async Task Copy_and_move_to_a_missing_or_placeholder_mailbox_are_refused()
    {
        var account = await NewAccountAsync("nocopy");
        var inbox = await MailboxAsync(account, "INBOX");
        var uid = await AppendAsync(account, "INBOX", "Subject: x\r\n\r\nx\r\n");
        await Store.CreateMailboxAsync(account, "Holder/Inner", null, CancellationToken.None);
        await Store.DeleteMailboxAsync(account, "Holder", CancellationToken.None);

        Assert.That((await Store.CopyAsync(account, inbox.Id, [uid], "Nowhere", CancellationToken.None)).Status, Is.EqualTo(CopyStatus.NoSuchMailbox));
        Assert.That((await Store.MoveAsync(account, inbox.Id, [uid], "Holder", CancellationToken.None)).Status, Is.EqualTo(CopyStatus.NotSelectable));
        Assert.That((await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None))!.Messages, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Moving_within_one_mailbox_renumbers_the_messages_under_one_MODSEQ()
    {
        var account = await NewAccountAsync("selfmove");
        var inbox = await MailboxAsync(account, "INBOX");
        var a = await AppendAsync(account, "INBOX", "Subject: a\r\n\r\na\r\n");
        var before = await MailboxAsync(account, "INBOX");

        var result = await Store.MoveAsync(account, inbox.Id, [a], "inbox", CancellationToken.None);
        Assert.That(result.TargetUids, Is.EqualTo(new[] { a + 1 }));
        var after = await MailboxAsync(account, "INBOX");
        Assert.That(after.HighestModSeq, Is.EqualTo(before.HighestModSeq + 1));
        var changes = (await Store.ChangesSinceAsync(account, inbox.Id, before.HighestModSeq, CancellationToken.None))!;
        Assert.That(changes.Expunged, Is.EqualTo(new[] { a }));
        Assert.That(changes.Changed.Select(c => (c.Uid, c.ModSeq)), Is.EqualTo(new[] { (a + 1, after.HighestModSeq) }));
    }
}
