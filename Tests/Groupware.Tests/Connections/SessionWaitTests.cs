using Groupware.Connections;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Connections;

/// <summary>
/// <c>LineSession.WaitAsync</c>, what IMAP IDLE stands on: a wait ends on input (the input is left
/// for the next command), on a wake-up from the store, on its timeout, or at once when the node
/// shuts down, with the protocol's goodbye.
/// </summary>
public sealed class SessionWaitTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(29);

    [Test]
    public async Task A_wake_up_ends_the_wait()
    {
        var (protocol, clock) = (new EchoProtocol(), new SessionClock());
        await using var node = await StartAsync(protocol, clock);
        await using var client = await ConnectAsync(node);
        await client.SendLineAsync($"WAIT {Wait.TotalMilliseconds}");
        await clock.WaitForTimerAsync(Wait);
        protocol.WakeUp();
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK wakeup"));
    }

    [Test]
    public async Task Input_ends_the_wait_and_is_then_read_as_a_command()
    {
        var (protocol, clock) = (new EchoProtocol(), new SessionClock());
        await using var node = await StartAsync(protocol, clock);
        await using var client = await ConnectAsync(node);
        await client.SendLineAsync($"WAIT {Wait.TotalMilliseconds}");
        await clock.WaitForTimerAsync(Wait);
        await client.SendLineAsync("ECHO done");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK input"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK done"));
    }

    [Test]
    public async Task The_timeout_ends_the_wait()
    {
        var (protocol, clock) = (new EchoProtocol(), new SessionClock());
        await using var node = await StartAsync(protocol, clock);
        await using var client = await ConnectAsync(node);
        await client.SendLineAsync($"WAIT {Wait.TotalMilliseconds}");
        await clock.WaitForTimerAsync(Wait);
        clock.Advance(Wait);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK timeout"));
    }

    [Test]
    public async Task A_shutdown_ends_the_wait_at_once_with_the_goodbye()
    {
        var (protocol, clock) = (new EchoProtocol(), new SessionClock());
        var node = await StartAsync(protocol, clock);
        try
        {
            await using var client = await ConnectAsync(node);
            await client.SendLineAsync($"WAIT {Wait.TotalMilliseconds}");
            await clock.WaitForTimerAsync(Wait);

            // The fake clock never reaches the 29 minutes: only the shutdown can end this wait.
            var stopping = node.StopAsync();
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR [SYS/TEMP] server shutting down"));
            Assert.That(await client.IsClosedByServerAsync(), Is.True);
            await stopping;
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static Task<TestNode> StartAsync(EchoProtocol protocol, SessionClock clock) => TestNode.StartAsync(n => n
        .Protocol(protocol)
        .Listener("echo", "echo", "starttls")
        .ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));

    private static async Task<LineClient> ConnectAsync(TestNode node)
    {
        var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK echo ready"));
        return client;
    }
}
