using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// EXPUNGE and UID EXPUNGE (RFC 9051 §6.4.3, §6.4.9): the \Deleted messages go, each recorded in
/// expunged_messages with the expunge's one MODSEQ (RFC 7162 §3.2.10), quota usage down, and
/// bodies no other message uses deleted.
/// </summary>
public sealed class ExpungeDeletedTests : ImapStoreTest
{
    [Test]
    public async Task Expunge_removes_only_deleted_messages_and_records_them_with_one_MODSEQ()
    {
        var account = await NewAccountAsync("expdel");
        var inbox = await MailboxAsync(account, "INBOX");
        var subjects = Enumerable.Range(0, 4).Select(i => MailAccounts.UniqueSubject($"e{i}")).ToList();
        var uids = new List<long>();
        foreach (var subject in subjects)
        {
            uids.Add(await AppendAsync(account, "INBOX", $"Subject: {subject}\r\n\r\nbody of {subject}\r\n"));
        }

        await Store.StoreFlagsAsync(account, inbox.Id, [uids[0], uids[2], uids[3]], FlagChange.Add, SystemFlags.Deleted, [], null, CancellationToken.None);
        var sizes = (await Store.FetchAsync(account, inbox.Id, uids, CancellationToken.None)).ToDictionary(m => m.Uid, m => m.Size);
        var usage = await MailAccounts.UsedBytesAsync(Data, account);

        var onlyOne = await Store.ExpungeDeletedAsync(account, inbox.Id, [uids[2], uids[1]], CancellationToken.None);
        Assert.That(onlyOne, Is.EqualTo(new[] { uids[2] }), "UID EXPUNGE: only the \\Deleted among the given UIDs");

        var rest = await Store.ExpungeDeletedAsync(account, inbox.Id, null, CancellationToken.None);
        Assert.That(rest, Is.EqualTo(new[] { uids[0], uids[3] }));
        Assert.That(await Store.ExpungeDeletedAsync(account, inbox.Id, null, CancellationToken.None), Is.Empty, "nothing left to expunge");

        var highest = (await MailboxAsync(account, "INBOX")).HighestModSeq;
        var records = await ScalarAsync<string>(
            "SELECT string_agg(uid || ':' || modseq, ',' ORDER BY uid) FROM expunged_messages WHERE account_id = @account AND mailbox_id = @id",
            new { account, id = inbox.Id });
        Assert.That(records, Is.EqualTo($"{uids[0]}:{highest},{uids[2]}:{highest - 1},{uids[3]}:{highest}"));
        Assert.That(await MailAccounts.UsedBytesAsync(Data, account), Is.EqualTo(usage - sizes[uids[0]] - sizes[uids[2]] - sizes[uids[3]]));
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(Data, subjects[0]), Is.Zero, "its body went with its only message");
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(Data, subjects[1]), Is.EqualTo(1));
        Assert.That((await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None))!.Messages.Select(m => m.Uid), Is.EqualTo(new[] { uids[1] }));
    }

    [Test]
    public async Task A_body_shared_with_another_account_or_mailbox_stays_until_its_last_message_goes()
    {
        var first = await NewAccountAsync("expshare");
        var second = await NewAccountAsync("expshare");
        var subject = MailAccounts.UniqueSubject("shared");
        await DeliverAsync($"Subject: {subject}\r\n\r\nfor both\r\n", first, second);
        var inbox = await MailboxAsync(first, "INBOX");
        await Store.CopyAsync(first, inbox.Id, [1], "Archive", CancellationToken.None);

        await Store.StoreFlagsAsync(first, inbox.Id, [1], FlagChange.Add, SystemFlags.Deleted, [], null, CancellationToken.None);
        await Store.ExpungeDeletedAsync(first, inbox.Id, null, CancellationToken.None);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM blob_references WHERE account_id = @first", new { first }), Is.EqualTo(1),
            "the copy in Archive keeps the account's reference");

        var archive = await MailboxAsync(first, "Archive");
        await Store.StoreFlagsAsync(first, archive.Id, [1], FlagChange.Add, SystemFlags.Deleted, [], null, CancellationToken.None);
        await Store.ExpungeDeletedAsync(first, archive.Id, null, CancellationToken.None);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM blob_references WHERE account_id = @first", new { first }), Is.Zero);
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(Data, subject), Is.EqualTo(1), "the other account still references it");

        var theirs = await MailboxAsync(second, "INBOX");
        await Store.ExpungeAsync(second, theirs.Id, [1], CancellationToken.None);
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(Data, subject), Is.Zero, "the last reference took the content with it");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.id = c.blob_id)"),
            Is.Zero);
    }
}
