using System.Net.Security;
using Microsoft.AspNetCore.Connections;

namespace Groupware.Connections;

/// <summary>
/// A protocol served over a raw TCP or unix-socket listener (IMAP, POP3, LMTP). The host binds
/// one listener per configured entry and hands each accepted connection to <see cref="RunAsync"/>.
/// </summary>
public abstract class LineProtocol
{
    /// <summary>The name used in configuration (<c>Listeners:*:Protocol</c>).</summary>
    public abstract string Name { get; }

    /// <summary>ALPN identifiers for implicit TLS (IANA's "imap", "pop3"), so that a client of another
    /// protocol is refused in the handshake (the ALPACA cross-protocol attack).</summary>
    public virtual IReadOnlyList<SslApplicationProtocol> ApplicationProtocols => [];

    /// <summary>The protocol's default session limits.</summary>
    public virtual SessionLimits DefaultLimits => new();

    /// <summary>
    /// The line sent before closing a connection refused by a connection limit, in clear text, or
    /// empty to close silently. <paramref name="perAddress"/> is true when the client's own address
    /// is over its limit.
    /// </summary>
    public abstract ReadOnlyMemory<byte> TooManyConnectionsReply(bool perAddress);

    /// <summary>Serves one accepted connection until it ends.</summary>
    public abstract Task RunAsync(ConnectionContext connection, ListenerContext listener);
}
