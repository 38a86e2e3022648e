using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// The STARTTLS upgrade (RFC 2595 §3.1, RFC 3207 §4) and the command-injection defence of
/// CVE-2011-0411: bytes pipelined after STARTTLS are never carried from clear text into TLS.
/// </summary>
public sealed class StartTlsInjectionTests
{
    [Test]
    public async Task STLS_upgrades_the_connection_and_the_session_continues_over_TLS()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        await client.SendLineAsync("TLS");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK clear"));

        await client.SendLineAsync("STLS");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Begin TLS negotiation"));
        await client.StartTlsAsync();
        await client.SendLineAsync("TLS");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK tls Tls1"));
        Assert.That(client.RemoteCertificate!.Thumbprint, Is.EqualTo(node.Certificates!.Thumbprint));
    }

    [Test]
    public async Task A_command_pipelined_after_STLS_closes_the_connection_instead_of_running_inside_TLS()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        // One segment: the upgrade and an injected command, as a man in the middle would send them.
        await client.SendAsync("STLS\r\nECHO injected\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Begin TLS negotiation"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True, "the server must close, not answer ECHO in clear or in TLS");
    }

    [Test]
    public async Task A_second_STLS_inside_TLS_is_refused()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        await client.SendLineAsync("STLS");
        await client.ReadLineAsync();
        await client.StartTlsAsync();

        await client.SendLineAsync("STLS");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR STLS not available"));
    }

    [Test]
    public async Task A_failed_handshake_closes_the_connection()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        await client.SendLineAsync("STLS");
        await client.ReadLineAsync();

        await client.SendLineAsync("this is not a TLS ClientHello");
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }
}
