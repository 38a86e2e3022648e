using System.Security.Authentication;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// Implicit-TLS listeners offer only their own protocol's ALPN identifier (RFC 7301 §3.2), so a
/// client of another protocol is refused in the handshake (the ALPACA cross-protocol attack);
/// clients that send no ALPN (most mail clients) are served.
/// </summary>
public sealed class AlpnTests
{
    [Test]
    public async Task The_protocols_own_identifier_and_no_identifier_are_accepted_another_is_refused()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echos", "echo", "implicit"));
        var endPoint = node.EndPoint("echos");

        await using (var own = await LineClient.ConnectAsync(endPoint, implicitTls: true, alpn: ["echo"]))
        {
            Assert.That(await own.ReadLineAsync(), Is.EqualTo("+OK echo ready"));
        }

        await using (var none = await LineClient.ConnectAsync(endPoint, implicitTls: true))
        {
            Assert.That(await none.ReadLineAsync(), Is.EqualTo("+OK echo ready"));
        }

        Assert.That(async () => await LineClient.ConnectAsync(endPoint, implicitTls: true, alpn: ["http/1.1"]),
            Throws.InstanceOf<AuthenticationException>().Or.InstanceOf<IOException>());
    }
}
