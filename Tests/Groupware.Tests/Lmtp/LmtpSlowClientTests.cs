using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// A client that sends a byte every few seconds holds an LMTP connection slot (and LMTP's per-address
/// limit is the listener's) as firmly as one that sends nothing: a command line gets 60 s from its
/// first octet, and DATA must keep arriving at 240 octets/s after 5 s; either ends with 421 4.4.2.
/// </summary>
public sealed class LmtpSlowClientTests
{
    [Test]
    public async Task A_command_line_sent_a_byte_at_a_time_is_cut_off_at_its_deadline()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        await using var client = await LineClient.ConnectAsync(node.EndPoint("lmtp"));
        await client.ReadLineAsync();
        await client.SendAsync("L");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(60));
        for (var second = 0; second < 50; second += 10)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            await client.SendAsync("H");
            await clock.WaitForTimerAsync(TimeSpan.FromSeconds(50 - second));
        }

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("421 4.4.2 "));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task DATA_that_trickles_below_the_rate_is_cut_off()
    {
        var clock = new SessionClock();
        await using var node = await StartAsync(clock);
        var account = await TestAccounts.CreateAsync("irrelevant");
        await using var client = await LineClient.ConnectAsync(node.EndPoint("lmtp"));
        await client.ReadLineAsync();
        await client.SendLineAsync("LHLO client.example");
        await client.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account}@example.test>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            C: Subject: slow
            """);

        // "Subject: slow" and CRLF, 15 octets, in: the next is due 5 s + 16/240 s after DATA began.
        var due = TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(16 / 240.0);
        await clock.WaitForTimerAsync(d => Math.Abs((d - due).TotalMilliseconds) < 1, $"the deadline {due}");
        clock.Advance(due);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("421 4.4.2 "));
    }

    private static Task<TestNode> StartAsync(SessionClock clock) => TestNode.StartAsync(n => n
        .Listener("lmtp", "lmtp", "none")
        .ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
}
