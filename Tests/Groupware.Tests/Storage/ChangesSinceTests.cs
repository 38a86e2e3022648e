using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// Resynchronisation (RFC 7162 §3.1.4.1 CHANGEDSINCE, §3.2.5 QRESYNC): what changed after a MODSEQ
/// a client knows, new or flag-changed messages and expunged UIDs, and a snapshot that agrees.
/// </summary>
public sealed class ChangesSinceTests : ImapStoreTest
{
    [Test]
    public async Task Changes_since_a_MODSEQ_are_the_new_the_restored_and_the_expunged_messages_after_it()
    {
        var account = await NewAccountAsync("changes");
        var inbox = await MailboxAsync(account, "INBOX");
        var old = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            old.Add(await AppendAsync(account, "INBOX", $"Subject: {i}\r\n\r\n{i}\r\n"));
        }

        var known = (await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None))!;
        await Store.StoreFlagsAsync(account, inbox.Id, [old[1]], FlagChange.Add, SystemFlags.Seen, ["Read"], null, CancellationToken.None);
        await Store.ExpungeAsync(account, inbox.Id, [old[2]], CancellationToken.None);
        await DeliverAsync("Subject: new\r\n\r\nnew\r\n", account);

        var changes = (await Store.ChangesSinceAsync(account, inbox.Id, known.HighestModSeq, CancellationToken.None))!;
        Assert.That(changes.Changed.Select(c => c.Uid), Is.EqualTo(new[] { old[1], old[3] + 1 }));
        Assert.That(changes.Changed[0].Flags, Is.EqualTo(SystemFlags.Seen));
        Assert.That(changes.Changed[0].Keywords, Is.EqualTo(new[] { "Read" }));
        Assert.That(changes.Expunged, Is.EqualTo(new[] { old[2] }));
        Assert.That(changes.Keywords, Is.EqualTo(new[] { "Read" }));
        Assert.That(changes.HighestModSeq, Is.EqualTo(known.HighestModSeq + 3), "one MODSEQ per change");
        Assert.That(changes.UidNext, Is.EqualTo(known.UidNext + 1));
        Assert.That(changes.Changed.Concat([]).Max(c => c.ModSeq), Is.EqualTo(changes.HighestModSeq));

        var none = (await Store.ChangesSinceAsync(account, inbox.Id, changes.HighestModSeq, CancellationToken.None))!;
        Assert.That((none.Changed.Count, none.Expunged.Count), Is.EqualTo((0, 0)));

        var snapshot = (await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None))!;
        Assert.That(snapshot.Messages.Select(m => m.Uid), Is.EqualTo(new[] { old[0], old[1], old[3], old[3] + 1 }));
        Assert.That(snapshot.HighestModSeq, Is.EqualTo(changes.HighestModSeq));
    }

    [Test]
    public async Task A_mailbox_that_is_gone_or_a_placeholder_has_no_snapshot()
    {
        var account = await NewAccountAsync("gone");
        await Store.CreateMailboxAsync(account, "Box/Sub", null, CancellationToken.None);
        var box = await MailboxAsync(account, "Box");
        await Store.DeleteMailboxAsync(account, "Box", CancellationToken.None);
        Assert.That(await Store.SnapshotAsync(account, box.Id, CancellationToken.None), Is.Null);
        Assert.That(await Store.ChangesSinceAsync(account, box.Id, 1, CancellationToken.None), Is.Null);

        var other = await NewAccountAsync("gone");
        var inbox = await MailboxAsync(account, "INBOX");
        Assert.That(await Store.SnapshotAsync(other, inbox.Id, CancellationToken.None), Is.Null, "another account's mailbox is not there");
    }
}
