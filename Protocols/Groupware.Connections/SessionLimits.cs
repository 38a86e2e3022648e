namespace Groupware.Connections;

/// <summary>
/// The bounds of one session. Each protocol supplies defaults that cite where they come from; the
/// operator may override them per node under <c>Limits</c>.
/// </summary>
public sealed record SessionLimits
{
    /// <summary>
    /// Longest command line in octets, CRLF excluded. DESIGN.md asks for at least 8192 (RFC 9051
    /// §4 and RFC 7162 §4 recommend 8192 for IMAP); a longer line gets the protocol's error and is
    /// discarded as it arrives, never buffered whole.
    /// </summary>
    public int MaxLineLength { get; init; } = 8192;

    /// <summary>Largest literal or message a client may send in one piece; larger ones are read and discarded.</summary>
    public long MaxLiteralSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long the session waits for the client's next bytes before the protocol's autologout.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a write may wait for a client that stopped reading before the connection is dropped.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Time allowed for a TLS handshake (implicit or STARTTLS); Kestrel's default is 10 s.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
