using Groupware.Connections;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Connections;

/// <summary>
/// <see cref="SessionLimits.IdleTimeout"/>: a client silent between commands for the whole timeout
/// hears the protocol's autologout and is closed; one that talks within it is not. On a fake clock,
/// with the exact deadline the engine sets.
/// </summary>
public sealed class IdleTimeoutTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    [Test]
    public async Task A_silent_client_is_told_and_disconnected_when_the_timeout_passes_and_not_before()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK echo ready"));

        await clock.WaitForTimerAsync(Idle);
        clock.Advance(Idle - TimeSpan.FromMilliseconds(1));
        await client.SendLineAsync("ECHO still here");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK still here"));

        await clock.WaitForTimerAsync(Idle);
        clock.Advance(Idle);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR idle timeout"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_client_that_keeps_talking_is_not_disconnected()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        for (var i = 0; i < 6; i++)
        {
            await clock.WaitForTimerAsync(Idle);
            clock.Advance(TimeSpan.FromMinutes(9));
            await client.SendLineAsync($"ECHO {i}");
            Assert.That(await client.ReadLineAsync(), Is.EqualTo($"+OK {i}"));
        }
    }

    private static Task<TestNode> StartAsync(SessionClock clock) => TestNode.StartAsync(n => n
        .Protocol(new EchoProtocol(new SessionLimits { IdleTimeout = Idle }))
        .Listener("echo", "echo", "starttls")
        .ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
}
