using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// The counters on each mailbox row (Migrations/0017): after every kind of writer (delivery, APPEND,
/// STORE, COPY, MOVE, EXPUNGE, INBOX rename, DELETE, a statement outside the store), the messages,
/// unseen, \Deleted and octets STATUS reports are those a count of the mailbox's messages finds.
/// </summary>
public sealed class MailboxCounterTests : ImapStoreTest
{
    private const string Recount = """
        SELECT b.name,
               b.message_count = count(m.uid) AND b.unseen_count = count(m.uid) FILTER (WHERE (m.system_flags & 1) = 0)
               AND b.deleted_count = count(m.uid) FILTER (WHERE (m.system_flags & 8) <> 0)
               AND b.message_bytes = COALESCE(sum(m.size), 0)
               AND b.deleted_bytes = COALESCE(sum(m.size) FILTER (WHERE (m.system_flags & 8) <> 0), 0) AS agrees
        FROM mailboxes b LEFT JOIN messages m ON m.account_id = b.account_id AND m.mailbox_id = b.id
        WHERE b.account_id = @account GROUP BY b.account_id, b.id ORDER BY b.name
        """;

    [Test]
    public async Task Every_writer_keeps_the_counters_equal_to_a_count()
    {
        var account = await NewAccountAsync("counters");
        var inbox = await MailboxAsync(account, "INBOX");
        await DeliverAsync("Subject: one\r\n\r\nfirst\r\n", account);
        await DeliverAsync("Subject: two\r\n\r\nsecond, longer\r\n", account);
        var seen = await AppendAsync(account, "INBOX", "Subject: three\r\n\r\nread\r\n", SystemFlags.Seen);
        var doomed = await AppendAsync(account, "INBOX", "Subject: four\r\n\r\ndoomed\r\n", SystemFlags.Deleted);
        await AssertAgreeAsync(account, "delivery and APPEND");
        var status = await Store.StatusAsync(account, "INBOX", CancellationToken.None);
        Assert.That((status!.Messages, status.Unseen, status.Deleted), Is.EqualTo((4L, 3L, 1L)));

        await Store.StoreFlagsAsync(account, inbox.Id, [1, 2, seen], FlagChange.Add, SystemFlags.Seen, [], null, CancellationToken.None);
        await Store.StoreFlagsAsync(account, inbox.Id, [1], FlagChange.Replace, SystemFlags.Deleted | SystemFlags.Flagged, ["Work"], null,
            CancellationToken.None);
        await Store.StoreFlagsAsync(account, inbox.Id, [2], FlagChange.Add, SystemFlags.Answered, ["Todo"], null, CancellationToken.None);
        await AssertAgreeAsync(account, "STORE");
        status = await Store.StatusAsync(account, "INBOX", CancellationToken.None);
        Assert.That((status!.Messages, status.Unseen, status.Deleted), Is.EqualTo((4L, 2L, 2L)), "1 lost \\Seen to the replace, 4 never had it");

        await Store.CopyAsync(account, inbox.Id, [1, 2, seen], "Archive", CancellationToken.None);
        await Store.MoveAsync(account, inbox.Id, [2], "Trash", CancellationToken.None);
        await AssertAgreeAsync(account, "COPY and MOVE");

        await Store.ExpungeDeletedAsync(account, inbox.Id, null, CancellationToken.None);
        await Store.ExpungeAsync(account, inbox.Id, [seen], CancellationToken.None);
        await AssertAgreeAsync(account, "EXPUNGE");
        Assert.That((await Store.StatusAsync(account, "INBOX", CancellationToken.None))!.Messages, Is.Zero, $"{doomed} and 1 expunged, 2 moved");

        await DeliverAsync("Subject: five\r\n\r\nfor the renamed inbox\r\n", account);
        await Store.RenameMailboxAsync(account, "INBOX", "Old inbox", CancellationToken.None);
        await Store.RenameMailboxAsync(account, "Archive", "Kept/Archive", CancellationToken.None);
        await AssertAgreeAsync(account, "RENAME of INBOX and of a mailbox");
        Assert.That((await Store.StatusAsync(account, "Old inbox", CancellationToken.None))!.Messages, Is.EqualTo(1));

        await ExecuteAsync("UPDATE messages SET system_flags = 0, size = size + 10 WHERE account_id = @account", new { account });
        await AssertAgreeAsync(account, "an UPDATE of every message in one statement, across mailboxes");
        await Store.DeleteMailboxAsync(account, "Trash", CancellationToken.None);
        await ExecuteAsync("DELETE FROM messages WHERE account_id = @account AND uid = 1", new { account });
        await AssertAgreeAsync(account, "DELETE of a mailbox, and of messages across mailboxes");
    }

    private async Task AssertAgreeAsync(long account, string after)
    {
        await using var connection = await Data.OpenConnectionAsync();
        var rows = (await Dapper.SqlMapper.QueryAsync<(string Name, bool Agrees)>(connection, Recount, new { account })).ToList();
        Assert.That(rows, Is.Not.Empty);
        Assert.That(rows.Where(r => !r.Agrees).Select(r => r.Name), Is.Empty, $"mailboxes whose counters disagree with a count after {after}");
    }

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await Data.OpenConnectionAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection, sql, parameters);
    }
}
