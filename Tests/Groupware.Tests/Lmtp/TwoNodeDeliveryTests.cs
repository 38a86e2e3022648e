using System.Globalization;
using System.Text.RegularExpressions;
using Groupware.Tests.Support;
using Npgsql;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// Two server processes on one database deliver to one mailbox at the same time: every message
/// gets its own UID, UIDs are 1..n with no gap or repeat, each connection's later message has the
/// higher UID, and MODSEQ grows with UID (the mailbox row is locked FOR UPDATE per delivery).
/// </summary>
public sealed partial class TwoNodeDeliveryTests
{
    [GeneratedRegex(@"^250 2\.0\.0 <[^>]+> Saved as UID (\d+)$")]
    private static partial Regex SavedAs();

    [Test]
    public async Task Concurrent_deliveries_from_two_processes_get_unique_increasing_UIDs()
    {
        await using var data = await MailAccounts.OpenAsync();
        var account = await MailAccounts.CreateAsync(data, "twonode");
        await using var first = await ServerProcess.StartAsync("node-a");
        await using var second = await ServerProcess.StartAsync("node-b");

        const int connectionsPerNode = 3;
        const int messagesPerConnection = 15;
        var clients = new[] { first, second }
            .SelectMany(node => Enumerable.Range(0, connectionsPerNode).Select(c => DeliverAsync(node, account.PrimaryAddress, messagesPerConnection)))
            .ToList();
        var uidsPerConnection = await Task.WhenAll(clients);

        foreach (var uids in uidsPerConnection)
        {
            Assert.That(uids, Is.Ordered.Ascending.And.Unique, "a connection's later delivery has a higher UID");
        }

        var all = uidsPerConnection.SelectMany(u => u).Order().ToList();
        Assert.That(all, Is.EqualTo(Enumerable.Range(1, 2 * connectionsPerNode * messagesPerConnection).Select(i => (long)i)));
        var stored = await MailAccounts.MessagesAsync(data, account.Id);
        Assert.That(stored.Select(m => m.Uid), Is.EqualTo(all));
        Assert.That(stored.Select(m => m.ModSeq), Is.Ordered.Ascending.And.Unique);
        Assert.That(stored.Select(m => m.TraceFields), Has.Some.Contains("by "), "trace fields stored");
    }

    private static async Task<List<long>> DeliverAsync(ServerProcess node, string recipient, int messages)
    {
        await using var client = await LineClient.ConnectAsync(node.Lmtp);
        await client.ReadLineAsync();
        await client.SendLineAsync("LHLO client.example");
        await client.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
        var uids = new List<long>();
        for (var i = 0; i < messages; i++)
        {
            await client.SendAsync($"MAIL FROM:<a@example.org>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n");
            var replies = await client.ReadUntilAsync(l => !l.StartsWith("250 2.1", StringComparison.Ordinal));
            Assert.That(replies[^1], Does.StartWith("354 "), node.Output);
            await client.SendAsync($"Subject: {node.Id} {i}\r\n\r\nconcurrent\r\n.\r\n");
            var saved = SavedAs().Match(await client.ReadLineAsync() ?? "");
            Assert.That(saved.Success, Is.True, node.Output);
            uids.Add(long.Parse(saved.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return uids;
    }
}
