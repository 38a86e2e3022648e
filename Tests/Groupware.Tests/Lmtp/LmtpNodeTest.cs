using Groupware.Storage.Mail;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// The base of the LMTP test classes: one real node per class with an <c>lmtp</c> listener on
/// loopback (clear, as Postfix reaches it), the run's database, and helpers to open sessions.
/// </summary>
public abstract class LmtpNodeTest
{
    protected TestNode Node { get; private set; } = null!;

    protected NpgsqlDataSource Data { get; private set; } = null!;

    protected MailStore Store => Node.Services.GetRequiredService<MailStore>();

    [OneTimeSetUp]
    public async Task StartNodeAsync()
    {
        Node = await TestNode.StartAsync(n => Configure(n.Listener("lmtp", "lmtp", "none")));
        Data = await MailAccounts.OpenAsync();
    }

    [OneTimeTearDown]
    public async Task StopNodeAsync()
    {
        await Data.DisposeAsync();
        await Node.DisposeAsync();
    }

    /// <summary>Adds settings to the node (limits under <c>Mail</c>, other listeners).</summary>
    protected virtual void Configure(TestNodeOptions node)
    {
    }

    /// <summary>A connection past the greeting.</summary>
    protected async Task<LineClient> ConnectAsync(string listener = "lmtp")
    {
        var client = await LineClient.ConnectAsync(Node.EndPoint(listener));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        return client;
    }

    /// <summary>A connection past the greeting and LHLO.</summary>
    protected async Task<LineClient> ConnectAndGreetAsync(string listener = "lmtp")
    {
        var client = await ConnectAsync(listener);
        await client.SendLineAsync("LHLO client.example");
        var lines = await client.ReadUntilAsync(l => !l.StartsWith("250-", StringComparison.Ordinal));
        Assert.That(lines[^1], Does.StartWith("250 "));
        return client;
    }

    /// <summary>The full stored octets of a message.</summary>
    protected async Task<string> ReadMessageAsync(long accountId, StoredMessage message)
    {
        await using var stream = await Store.OpenMessageAsync(accountId, message.MailboxId, message.Uid, CancellationToken.None);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
