using Groupware.Connections;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary><see cref="SessionLimits.IdleTimeout"/>: a silent client hears the protocol's autologout and is closed.</summary>
public sealed class IdleTimeoutTests
{
    [Test]
    public async Task A_silent_client_is_told_and_disconnected()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol(new SessionLimits { IdleTimeout = TimeSpan.FromSeconds(1) }))
            .Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK echo ready"));

        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR idle timeout"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_client_that_keeps_talking_is_not_disconnected()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol(new SessionLimits { IdleTimeout = TimeSpan.FromSeconds(1) }))
            .Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(400);
            await client.SendLineAsync($"ECHO {i}");
            Assert.That(await client.ReadLineAsync(), Is.EqualTo($"+OK {i}"));
        }
    }
}
