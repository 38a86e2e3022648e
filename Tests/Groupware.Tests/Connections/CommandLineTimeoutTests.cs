using Groupware.Connections;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Connections;

/// <summary>
/// <see cref="SessionLimits.CommandLineTimeout"/>: a command line must arrive whole within the deadline
/// from its first octet; a client sending a byte every few seconds does not restart it.
/// </summary>
public sealed class CommandLineTimeoutTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test]
    public async Task A_line_that_is_not_finished_in_time_closes_the_connection()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        await client.SendAsync("ECH");
        await clock.WaitForTimerAsync(Deadline);
        clock.Advance(Deadline);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR too slow"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_byte_every_twenty_seconds_does_not_restart_the_deadline()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        await client.SendAsync("E");
        await clock.WaitForTimerAsync(Deadline);
        clock.Advance(TimeSpan.FromSeconds(20));
        await client.SendAsync("C");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(40));
        clock.Advance(TimeSpan.FromSeconds(20));
        await client.SendAsync("H");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(20));
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR too slow"));
    }

    [Test]
    public async Task A_line_finished_in_time_is_answered()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        await client.SendAsync("ECHO sl");
        await clock.WaitForTimerAsync(Deadline);
        clock.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        await client.SendAsync("ow\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK slow"));
    }

    private static Task<TestNode> StartAsync(SessionClock clock) => TestNode.StartAsync(n => n
        .Protocol(new EchoProtocol(new SessionLimits { CommandLineTimeout = Deadline }))
        .Listener("echo", "echo", "starttls")
        .ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
}
