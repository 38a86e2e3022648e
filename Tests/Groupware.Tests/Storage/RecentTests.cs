using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// \Recent (RFC 3501 §2.3.2, IMAP4rev1): a message is recent for exactly one session, the first to
/// claim the mailbox after it arrived, whichever node each session is on.
/// </summary>
public sealed class RecentTests : ImapStoreTest
{
    [Test]
    public async Task New_messages_are_recent_for_the_first_session_only()
    {
        var account = await NewAccountAsync("recent");
        var inbox = await MailboxAsync(account, "INBOX");
        await DeliverAsync("Subject: 1\r\n\r\n1\r\n", account);
        await DeliverAsync("Subject: 2\r\n\r\n2\r\n", account);
        Assert.That((await Store.StatusAsync(account, "INBOX", CancellationToken.None))!.Recent, Is.EqualTo(2));

        Assert.That(await Store.ClaimRecentAsync(account, inbox.Id, CancellationToken.None), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(await Store.ClaimRecentAsync(account, inbox.Id, CancellationToken.None), Is.Empty, "the second session gets none");
        Assert.That((await Store.StatusAsync(account, "INBOX", CancellationToken.None))!.Recent, Is.Zero);

        await DeliverAsync("Subject: 3\r\n\r\n3\r\n", account);
        Assert.That(await Store.ClaimRecentAsync(account, inbox.Id, CancellationToken.None), Is.EqualTo(new long[] { 3 }));
    }

    [Test]
    public async Task Sessions_on_two_nodes_claiming_at_once_split_the_recent_messages_without_overlap()
    {
        var account = await NewAccountAsync("recentrace");
        var inbox = await MailboxAsync(account, "INBOX");
        await using var other = Database.CreateDataSource(TestDatabase.ConnectionString, "recent-b");
        var stores = new[] { Store, new MailStore(other) };
        var claimed = new List<long>();
        for (var round = 0; round < 20; round++)
        {
            await DeliverAsync($"Subject: {round}\r\n\r\n{round}\r\n", account);
            var both = await Task.WhenAll(stores.Select(s => s.ClaimRecentAsync(account, inbox.Id, CancellationToken.None)));
            Assert.That(both.Count(c => c.Count > 0), Is.EqualTo(1), $"round {round}: one session got the new message");
            claimed.AddRange(both.SelectMany(c => c));
        }

        Assert.That(claimed, Is.EqualTo(Enumerable.Range(1, 20).Select(i => (long)i)), "each message recent exactly once");
    }
}
