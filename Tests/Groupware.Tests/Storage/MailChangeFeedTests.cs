using System.Text;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Groupware.Tests.Storage;

/// <summary>
/// The change feed: a change committed through one node's store reaches the subscribers of that
/// account on another node (LISTEN/NOTIFY), in commit order, and only theirs.
/// </summary>
public sealed class MailChangeFeedTests
{
    [Test]
    public async Task A_delivery_and_an_expunge_on_one_node_wake_a_subscriber_on_another()
    {
        await using var nodeA = await MailAccounts.OpenAsync();
        await using var nodeB = Database.CreateDataSource(TestDatabase.ConnectionString, "feed-b");
        var watched = await MailAccounts.CreateAsync(nodeA, "watched");
        var unrelated = await MailAccounts.CreateAsync(nodeA, "unrelated");

        // The feed announces new mailboxes too: the default ones are made before anyone listens.
        await new MailStore(nodeA).EnsureDefaultMailboxesAsync(watched.Id, CancellationToken.None);
        await using var feed = new MailChangeFeed(nodeB, TimeProvider.System, NullLogger<MailChangeFeed>.Instance);
        using var subscription = feed.Subscribe(watched.Id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await feed.WaitUntilListeningAsync(timeout.Token);

        var store = new MailStore(nodeA);
        await DeliverAsync(store, unrelated.Id);
        await DeliverAsync(store, watched.Id);
        var delivered = await subscription.Changes.ReadAsync(timeout.Token);
        var inbox = (await store.ListMaildropAsync(watched.Id, CancellationToken.None)).Single();
        Assert.That(delivered, Is.EqualTo(new MailboxChange(watched.Id, inbox.MailboxId, 2, 2)), "the other account's change was not passed on");

        await store.ExpungeAsync(watched.Id, inbox.MailboxId, [inbox.Uid], CancellationToken.None);
        Assert.That(await subscription.Changes.ReadAsync(timeout.Token), Is.EqualTo(new MailboxChange(watched.Id, inbox.MailboxId, 3, 2)));
    }

    private static async Task DeliverAsync(MailStore store, long accountId)
    {
        await using var message = IncomingMessage.Create(Path.GetTempPath(), 1024);
        await message.WriteAsync(Encoding.ASCII.GetBytes($"Subject: {Guid.NewGuid()}\r\n\r\nx\r\n"), CancellationToken.None);
        await message.CompleteAsync(CancellationToken.None);
        await store.DeliverAsync(message, [new MessageDelivery(accountId, default)], DateTimeOffset.UtcNow, CancellationToken.None);
    }
}
