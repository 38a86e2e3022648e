using Groupware.Connections;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// <see cref="SessionLimits.MaxLiteralSize"/>, enforced by the engine for every protocol with literals:
/// a literal within the limit reaches the command whole (a large one through a spool file); one over
/// it is refused. A synchronizing one is refused before the client sends it; a non-synchronizing one
/// is read and discarded (RFC 7888 §4, choice 1), so the client stays in step, nothing of it is read
/// as commands, and the server holds none of it.
/// </summary>
public sealed class MaxLiteralSizeTests
{
    private const long Limit = 1024 * 1024;

    [Test]
    public async Task A_non_synchronizing_literal_within_the_limit_is_received_whole_through_a_spool()
    {
        var protocol = new EchoProtocol(new SessionLimits { MaxLiteralSize = Limit });
        await using var node = await TestNode.StartAsync(n => n.Protocol(protocol).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        await client.SendAsync($"ECHO {{{Limit}+}}\r\n");
        await client.SendAsync(new byte[Limit]);
        await client.SendAsync("\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo($"+OK got {Limit}"));
        Assert.That(protocol.LiteralBytesReceived, Is.EqualTo(Limit));
        Assert.That(protocol.SpooledLiterals, Is.EqualTo(1));
    }

    [Test]
    public async Task A_synchronizing_literal_gets_the_continuation_first()
    {
        var protocol = new EchoProtocol(new SessionLimits { MaxLiteralSize = Limit });
        await using var node = await TestNode.StartAsync(n => n.Protocol(protocol).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await Transcript.PlayAsync(client, """
            S: +OK echo ready
            C: ECHO {5}
            S: + go ahead
            C: hello {3}
            S: + go ahead
            C: abc
            S: +OK got 8
            """);
        Assert.That(protocol.SpooledLiterals, Is.Zero);
    }

    [Test]
    public async Task An_over_limit_synchronizing_literal_is_refused_before_the_client_sends_it()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol(new SessionLimits { MaxLiteralSize = Limit })).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await Transcript.PlayAsync(client, $$"""
            S: +OK echo ready
            C: ECHO {{{Limit + 1}}}
            S: -ERR literal too big
            C: ECHO in step
            S: +OK in step
            """);
    }

    [Test]
    public async Task An_over_limit_literal_is_discarded_without_memory_growth_and_the_session_stays_in_step()
    {
        var protocol = new EchoProtocol(new SessionLimits { MaxLiteralSize = Limit });
        await using var node = await TestNode.StartAsync(n => n.Protocol(protocol).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        await client.SendLineAsync("ECHO warm-up");
        await client.ReadLineAsync();

        const long size = 48L * 1024 * 1024;
        var chunk = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("ECHO injected\r\n", 1024 * 1024 / 15)));
        Array.Resize(ref chunk, 1024 * 1024);
        Array.Fill(chunk, (byte)'\n', chunk.Length - 16, 16);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await client.SendAsync($"ECHO {{{size}+}}\r\n");
        long peak = 0;
        for (long sent = 0; sent < size; sent += chunk.Length)
        {
            await client.SendAsync(chunk);
            if (sent % (16 * chunk.Length) == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
            }
        }

        await client.SendAsync("\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR literal too big"));
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
        Assert.That(peak, Is.LessThan(8L * 1024 * 1024), $"managed heap grew by {peak:N0} bytes while the literal streamed");
        Assert.That(protocol.LiteralBytesReceived, Is.Zero);

        // Not one of the "ECHO injected" lines inside the literal was answered.
        await client.SendLineAsync("ECHO in step");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK in step"));
    }
}
