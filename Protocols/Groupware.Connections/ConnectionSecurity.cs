using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Groupware.Connections;

/// <summary>
/// What a session knows about the protection of its connection. It travels with every credential
/// to the auth module, which alone decides whether a login may happen (DESIGN.md, the security
/// invariant). Immutable: STARTTLS yields a new instance.
/// </summary>
/// <param name="IsTls">Whether the bytes of this connection are TLS-protected now.</param>
/// <param name="TlsProtocol">The negotiated TLS version, or <see cref="SslProtocols.None"/>.</param>
/// <param name="CipherSuite">The negotiated cipher suite, if TLS.</param>
/// <param name="RemoteEndPoint">The client's address; a unix-socket peer has no IP address.</param>
/// <param name="LocalEndPoint">The address the client connected to.</param>
/// <param name="ListenerName">The listener's key under <c>Listeners</c>, e.g. <c>pop3s</c>.</param>
/// <param name="Protocol">The listener's protocol, e.g. <c>pop3</c>.</param>
/// <param name="ListenerTls">The listener's TLS mode.</param>
/// <param name="Node">The node's policy.</param>
public sealed record ConnectionSecurity(
    bool IsTls,
    SslProtocols TlsProtocol,
    TlsCipherSuite? CipherSuite,
    EndPoint? RemoteEndPoint,
    EndPoint? LocalEndPoint,
    string ListenerName,
    string Protocol,
    TlsMode ListenerTls,
    NodePolicy Node)
{
    /// <summary>The client's IP address (IPv4-mapped addresses unmapped), or null for a unix socket.</summary>
    public IPAddress? RemoteAddress => AddressOf(RemoteEndPoint);

    /// <summary>
    /// The IP address of a peer, an IPv4 client on a dual-stack socket read as IPv4 (::ffff:192.0.2.7
    /// is 192.0.2.7), or null for a unix socket: how every limit and policy sees a client.
    /// </summary>
    public static IPAddress? AddressOf(EndPoint? endPoint) => endPoint is IPEndPoint ip
        ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)
        : null;

    /// <summary>True when the client connected over a unix-domain socket.</summary>
    public bool IsUnixSocket => RemoteEndPoint is UnixDomainSocketEndPoint || LocalEndPoint is UnixDomainSocketEndPoint;

    /// <summary>The same connection after a completed STARTTLS/STLS handshake.</summary>
    public ConnectionSecurity AfterHandshake(SslStream stream) =>
        this with { IsTls = true, TlsProtocol = stream.SslProtocol, CipherSuite = stream.NegotiatedCipherSuite };

    /// <summary>A short form for log lines: <c>pop3s tls=Tls13 from 127.0.0.1:5555</c>.</summary>
    public override string ToString() =>
        $"{ListenerName} {(IsTls ? $"tls={TlsProtocol}" : "clear")} from {RemoteEndPoint?.ToString() ?? "?"}";
}
