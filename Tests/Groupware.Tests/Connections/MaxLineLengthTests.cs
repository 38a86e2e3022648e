using System.Text;
using Groupware.Connections;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// <see cref="SessionLimits.MaxLineLength"/>: a line over the limit gets the protocol's error and is
/// discarded as it arrives, so the session stays usable and the server never holds the line.
/// </summary>
public sealed class MaxLineLengthTests
{
    [Test]
    public async Task A_line_at_the_limit_is_accepted()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol(new SessionLimits { MaxLineLength = 8192 }))
            .Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK echo ready"));

        var argument = new string('a', 8192 - "ECHO ".Length);
        await client.SendLineAsync("ECHO " + argument);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK " + argument));
    }

    [Test]
    public async Task A_line_one_octet_over_the_limit_is_refused_and_the_session_goes_on()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol(new SessionLimits { MaxLineLength = 8192 }))
            .Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        await client.SendLineAsync("ECHO " + new string('a', 8192 - "ECHO ".Length + 1));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR line too long"));
        await client.SendLineAsync("ECHO still here");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK still here"));
    }

    [Test]
    public async Task A_64_MiB_line_is_answered_without_the_server_holding_it()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol(new SessionLimits { MaxLineLength = 8192 }))
            .Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        await client.SendLineAsync("ECHO warm-up");
        await client.ReadLineAsync();

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var chunk = Encoding.ASCII.GetBytes(new string('x', 1024 * 1024));
        await client.SendAsync("ECHO ");
        long peak = 0;
        for (var i = 0; i < 64; i++)
        {
            await client.SendAsync(chunk);
            if (i % 16 == 15)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
            }
        }

        await client.SendAsync("\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR line too long"));
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);

        // Holding the line would take 64 MiB; the bound is the limit plus transport buffers.
        Assert.That(peak, Is.LessThan(8L * 1024 * 1024), $"managed heap grew by {peak:N0} bytes while the line streamed");
        await client.SendLineAsync("ECHO after");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK after"));
    }
}
