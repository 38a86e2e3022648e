using Groupware.Connections;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// <see cref="SessionLimits.MaxLiteralSize"/>: a literal within the limit streams through; one over
/// it is read and discarded (DESIGN.md), so the client stays in step and the server holds nothing.
/// </summary>
public sealed class MaxLiteralSizeTests
{
    private const long Limit = 1024 * 1024;

    [Test]
    public async Task A_literal_within_the_limit_is_received_whole()
    {
        var protocol = new EchoProtocol(new SessionLimits { MaxLiteralSize = Limit });
        await using var node = await TestNode.StartAsync(n => n.Protocol(protocol).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        await client.SendAsync($"LITERAL {Limit}\r\n");
        await client.SendAsync(new byte[Limit]);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo($"+OK got {Limit}"));
        Assert.That(protocol.LiteralBytesReceived, Is.EqualTo(Limit));
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
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await client.SendAsync($"LITERAL {size}\r\n");
        var chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)'\n');  // line ends inside the literal must not be read as commands
        long peak = 0;
        for (long sent = 0; sent < size; sent += chunk.Length)
        {
            await client.SendAsync(chunk);
            if (sent % (16 * chunk.Length) == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
            }
        }

        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR literal too big"));
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
        Assert.That(peak, Is.LessThan(8L * 1024 * 1024), $"managed heap grew by {peak:N0} bytes while the literal streamed");
        Assert.That(protocol.LiteralBytesReceived, Is.Zero);

        await client.SendLineAsync("ECHO in step");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK in step"));
    }
}
