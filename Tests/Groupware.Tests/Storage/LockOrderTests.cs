using Dapper;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// The lock order of <see cref="MailStore"/> (blob rows, then mailbox rows by id, then account
/// rows): deliveries, APPENDs, STOREs, COPYs, MOVEs in both directions and expunges, racing on one
/// account's mailboxes from several nodes, all finish, none of them deadlocks even once (no
/// transaction had to be run again), and what they leave adds up.
/// </summary>
public sealed class LockOrderTests : ImapStoreTest
{
    private const int Rounds = 25;

    [Test]
    public async Task Writers_racing_on_one_mailbox_from_several_nodes_never_deadlock()
    {
        var account = await NewAccountAsync("locks");
        var inbox = await MailboxAsync(account, "INBOX");
        var archive = await MailboxAsync(account, "Archive");
        await using var nodeB = Database.CreateDataSource(TestDatabase.ConnectionString, "locks-b");
        await using var nodeC = Database.CreateDataSource(TestDatabase.ConnectionString, "locks-c");
        var stores = new[] { Store, new MailStore(nodeB), new MailStore(nodeC) };
        var retriedBefore = MailStore.RetriedTransactions;

        // Few distinct contents, so that bodies are shared, freed and shared again all the time.
        string Content(int i) => $"Subject: shared {i % 3}\r\n\r\n{new string('b', 100 * (i % 3 + 1))}\r\n";
        async Task<long[]> UidsAsync(MailStore store, long mailbox) =>
            [.. (await store.SnapshotAsync(account, mailbox, CancellationToken.None))!.Messages.Select(m => m.Uid).Take(3)];

        var writers = new List<Func<MailStore, int, Task>>
        {
            async (store, i) =>
            {
                await using var message = await IncomingAsync(Content(i));
                await store.DeliverAsync(message, [new MessageDelivery(account, default)], DateTimeOffset.UtcNow, CancellationToken.None);
            },
            async (store, i) =>
            {
                await using var message = await IncomingAsync(Content(i + 1));
                await store.AppendAsync(account, "Archive", message, SystemFlags.Seen, ["Filed"], DateTimeOffset.UtcNow, CancellationToken.None);
            },
            async (store, _) => await store.MoveAsync(account, inbox.Id, await UidsAsync(store, inbox.Id), "Archive", CancellationToken.None),
            async (store, _) => await store.MoveAsync(account, archive.Id, await UidsAsync(store, archive.Id), "INBOX", CancellationToken.None),
            async (store, _) => await store.CopyAsync(account, archive.Id, (await UidsAsync(store, archive.Id)).Take(1).ToList(), "INBOX",
                CancellationToken.None),
            async (store, _) =>
            {
                var uids = await UidsAsync(store, inbox.Id);
                await store.StoreFlagsAsync(account, inbox.Id, uids, FlagChange.Add, SystemFlags.Deleted, ["Gone"], null, CancellationToken.None);
                await store.ExpungeDeletedAsync(account, inbox.Id, null, CancellationToken.None);
            },
            async (store, _) => await store.ExpungeAsync(account, archive.Id, (await UidsAsync(store, archive.Id)).Take(2).ToList(),
                CancellationToken.None),
        };

        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var tasks = writers.SelectMany((writer, w) => stores.Select((store, s) => Task.Run(async () =>
        {
            for (var i = 0; i < Rounds && !deadline.IsCancellationRequested; i++)
            {
                await writer(store, w * 1000 + s * 100 + i);
            }
        }))).ToList();
        await Task.WhenAll(tasks).WaitAsync(deadline.Token);

        Assert.That(MailStore.RetriedTransactions - retriedBefore, Is.Zero, "no transaction deadlocked and had to run again");

        // What is left adds up: the quota, the references, the shared bodies, the counters.
        var stored = await MailAccounts.MessagesAsync(Data, account);
        Assert.That(await MailAccounts.UsedBytesAsync(Data, account), Is.EqualTo(stored.Sum(m => m.Size)), "usage is the sum of what is stored");
        Assert.That(await ScalarAsync<long>("""
            SELECT count(*) FROM blob_references r WHERE r.account_id = @account
              AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = r.account_id AND m.blob_id = r.blob_id)
            """, new { account }), Is.Zero, "no reference outlived its last message");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM blob_references r WHERE r.blob_id = b.id)"),
            Is.Zero, "no content outlived its last reference");
        foreach (var mailbox in new[] { inbox, archive })
        {
            var now = await MailboxAsync(account, mailbox.Name);
            var inIt = stored.Where(m => m.MailboxId == mailbox.Id).ToList();
            Assert.That(inIt.Select(m => m.Uid), Is.Unique);
            Assert.That(inIt.All(m => m.Uid < now.UidNext && m.ModSeq <= now.HighestModSeq), mailbox.Name);
            await using var connection = await Data.OpenConnectionAsync();
            var expunged = (await connection.QueryAsync<long>(
                "SELECT uid FROM expunged_messages WHERE account_id = @account AND mailbox_id = @id", new { account, id = mailbox.Id })).ToList();
            Assert.That(expunged.Intersect(inIt.Select(m => m.Uid)), Is.Empty, $"{mailbox.Name}: no UID both live and expunged");
        }
    }
}
