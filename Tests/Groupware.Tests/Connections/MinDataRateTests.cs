using Groupware.Connections;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Connections;

/// <summary>
/// <see cref="SessionLimits.MinDataRate"/>: after <see cref="SessionLimits.MinDataRateGracePeriod"/>, a
/// literal must keep arriving at 240 octets/s on average (Kestrel's MinRequestBodyDataRate); a client
/// that trickles is closed, one at the rate is not.
/// </summary>
public sealed class MinDataRateTests
{
    private const double Rate = 240;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    [Test]
    public async Task A_literal_that_stalls_below_the_rate_closes_the_connection()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        await client.SendAsync("ECHO {100000+}\r\n" + new string('a', 1000));
        // The next octet is due when 1001 octets at 240/s, after the grace period, are.
        var due = Grace + TimeSpan.FromSeconds(1001 / Rate);
        await clock.WaitForTimerAsync(d => Math.Abs((d - due).TotalMilliseconds) < 1, $"the deadline {due}");
        clock.Advance(due);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR too slow"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_literal_at_the_rate_is_received()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        await client.SendAsync("ECHO {4800+}\r\n");
        await clock.WaitForTimerAsync(d => d > Grace && d < Grace + TimeSpan.FromSeconds(1), "the literal's first deadline");
        clock.Advance(TimeSpan.FromSeconds(5));
        await client.SendAsync(new string('a', 2400));

        // 2400 octets 5 s in: the next is due 5 s + 2401/240 s from the start, about 10 s from now.
        var due = Grace + TimeSpan.FromSeconds(2401 / Rate) - TimeSpan.FromSeconds(5);
        await clock.WaitForTimerAsync(d => Math.Abs((d - due).TotalMilliseconds) < 1, $"the deadline {due}");
        clock.Advance(TimeSpan.FromSeconds(10));
        await client.SendAsync(new string('a', 2400) + "\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK got 4800"));
    }

    private static Task<TestNode> StartAsync(SessionClock clock) => TestNode.StartAsync(n => n
        .Protocol(new EchoProtocol(new SessionLimits { MinDataRate = Rate, MinDataRateGracePeriod = Grace }))
        .Listener("echo", "echo", "starttls")
        .ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
}
