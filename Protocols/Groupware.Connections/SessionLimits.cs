namespace Groupware.Connections;

/// <summary>
/// The bounds of one session, enforced by the engine (<see cref="LineSession"/> and its framer).
/// Each protocol supplies defaults that cite where they come from; the operator may override them
/// per node under <c>Limits</c> (see the configuration reader).
/// </summary>
public sealed record SessionLimits
{
    /// <summary>
    /// Longest command line in octets, CRLF excluded. DESIGN.md asks for at least 8192 (RFC 9051
    /// §4 and RFC 7162 §4 recommend 8192 for IMAP; Dovecot's <c>imap_max_line_length</c> is 64 KiB);
    /// a longer line gets the protocol's error and is discarded as it arrives, never buffered whole.
    /// </summary>
    public int MaxLineLength { get; init; } = 8192;

    /// <summary>Largest literal (or BDAT chunk) a client may send in one piece; a larger one is refused and read and discarded, or the connection closed.</summary>
    public long MaxLiteralSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Most octets one command may make the server hold in memory: its lines plus the literals kept in
    /// memory (spooled ones, such as an APPEND body, count only against <see cref="MaxLiteralSize"/>).
    /// 1 MiB: what Kestrel lets one connection buffer (<c>MaxRequestBufferSize</c>), sixteen of Dovecot's
    /// 64 KiB lines.
    /// </summary>
    public long MaxCommandSize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Largest non-synchronizing literal (<c>{n+}</c>) accepted, or null for no bound beyond
    /// <see cref="MaxLiteralSize"/>. IMAP's LITERAL- (RFC 7888 §5, part of IMAP4rev2) sets 4096.
    /// </summary>
    public long? MaxNonSynchronizingLiteralSize { get; init; }

    /// <summary>How long the session waits for the first octet of the client's next command before the protocol's autologout.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Time one command line may take to arrive from its first octet: a client that sends a byte every
    /// few seconds holds a connection slot as firmly as one that sends nothing. 60 s: twice Kestrel's
    /// <c>RequestHeadersTimeout</c> (30 s), for people typing commands at a terminal.
    /// </summary>
    public TimeSpan CommandLineTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Least average rate, in octets per second, at which a literal, a BDAT chunk or DATA must arrive
    /// once <see cref="MinDataRateGracePeriod"/> has passed: Kestrel's <c>MinRequestBodyDataRate</c>
    /// (240 octets/s after 5 s). 0 turns the check off.
    /// </summary>
    public double MinDataRate { get; init; } = 240;

    /// <summary>Time a transfer gets before <see cref="MinDataRate"/> applies (Kestrel's 5 s).</summary>
    public TimeSpan MinDataRateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a write may wait for a client that stopped reading before the connection is dropped.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Time allowed for a TLS handshake (implicit or STARTTLS); Kestrel's default is 10 s.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where literals the protocol asks to spool are written while the command is built.</summary>
    public string SpoolDirectory { get; init; } = Path.GetTempPath();
}
