using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>At shutdown every session gets to say the protocol's goodbye before the connection closes.</summary>
public sealed class GracefulShutdownTests
{
    [Test]
    public async Task Idle_sessions_hear_goodbye_in_clear_and_in_TLS()
    {
        var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol())
            .Listener("echo", "echo", "starttls").Listener("echos", "echo", "implicit"));
        await using var clear = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await using var tls = await LineClient.ConnectAsync(node.EndPoint("echos"), implicitTls: true);
        Assert.That(await clear.ReadLineAsync(), Is.EqualTo("+OK echo ready"));
        Assert.That(await tls.ReadLineAsync(), Is.EqualTo("+OK echo ready"));

        var stopping = node.DisposeAsync().AsTask();
        Assert.That(await clear.ReadLineAsync(), Is.EqualTo("-ERR [SYS/TEMP] server shutting down"));
        Assert.That(await tls.ReadLineAsync(), Is.EqualTo("-ERR [SYS/TEMP] server shutting down"));
        Assert.That(await clear.IsClosedByServerAsync(), Is.True);
        await stopping;
    }
}
