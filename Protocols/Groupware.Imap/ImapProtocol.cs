using System.Net.Security;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Groupware.Imap;

/// <summary>
/// IMAP (RFC 9051 IMAP4rev2, and RFC 3501 IMAP4rev1 for clients that do not enable rev2) on the
/// <c>imap</c> listener (STARTTLS, port 143) and the <c>imaps</c> one (RFC 8314 implicit TLS, 993),
/// and in clear text on a legacy node's listener. One session per connection (<see cref="ImapSession"/>).
/// </summary>
internal sealed class ImapProtocol(
    AuthService auth,
    MailStore store,
    MailChangeFeed changes,
    ImapOptions options,
    DatabaseOutageLog outages,
    ILoggerFactory loggerFactory) : LineProtocol
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<ImapSession>();

    public override string Name => "imap";

    /// <summary>IANA's ALPN identifier for IMAP over implicit TLS (RFC 8314 §7).</summary>
    public override IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; } = [new("imap")];

    public override SessionLimits DefaultLimits { get; } = new()
    {
        // Dovecot's imap_max_line_length: 64 KiB (RFC 9051 §4 and RFC 7162 §4 ask for at least 8192:
        // clients send long UID sets).
        MaxLineLength = 64 * 1024,
        // RFC 9051 §5.4: an autologout timer of at least 30 minutes; IDLE re-arms its own wait.
        IdleTimeout = TimeSpan.FromMinutes(30),
        // LITERAL+ (RFC 7888 §3), as Dovecot offers it: a non-synchronizing literal of any size up to
        // MaxLiteralSize is read (an APPEND body spooled, others within MaxCommandSize), at the minimum
        // rate; a larger one is read and discarded. IMAP4rev2's LITERAL- is the same with a 4096 bound,
        // which clients that pipeline APPENDs (imaptest, isync) would trip over.
        MaxNonSynchronizingLiteralSize = null,
    };

    internal AuthService Auth => auth;

    internal MailStore Store => store;

    internal MailChangeFeed Changes => changes;

    /// <summary>Reads of mailbox changes shared by this node's sessions.</summary>
    internal SharedChangeReads ChangeReads { get; } = new(store.ChangesSinceAsync);

    /// <summary>The last state of the mailboxes selected on this node (<see cref="ImapOptions.SnapshotCacheMessages"/>).</summary>
    internal SnapshotCache Snapshots { get; } = new(store, options.SnapshotCacheMessages);

    internal ImapOptions Options => options;

    internal DatabaseOutageLog Outages => outages;

    /// <summary>Sessions per account and client address on this node (<see cref="ImapOptions.MaxSessionsPerUserAndAddress"/>).</summary>
    internal SessionCounter Sessions { get; } = new();

    public override ReadOnlyMemory<byte> TooManyConnectionsReply(bool perAddress) => perAddress
        ? "* BYE [UNAVAILABLE] Too many connections from your address.\r\n"u8.ToArray()
        : "* BYE [UNAVAILABLE] Too many connections.\r\n"u8.ToArray();

    public override Task RunAsync(ConnectionContext connection, ListenerContext listener) =>
        new ImapSession(this, connection, listener, _logger).RunAsync();
}

/// <summary>The IMAP front-end's own limits, beside the session limits every line protocol has.</summary>
public sealed record ImapOptions
{
    /// <summary>
    /// Time a client gets, from connecting, to log in, however busy it keeps the connection; Dovecot's
    /// login processes disconnect after 180 s.
    /// </summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Failed logins one connection may make before it is closed (Dovecot's login processes allow three).</summary>
    public int MaxAuthFailures { get; init; } = 3;

    /// <summary>
    /// Logged-in sessions one account may have from one client address on a node. Dovecot's
    /// <c>mail_max_userip_connections</c> is 10, too few for a person whose phone, tablet and two
    /// desktops each run Thunderbird with its five connections per account (DESIGN.md); 20 allows that
    /// household behind one NAT address and still stops a client that leaks connections.
    /// </summary>
    public int MaxSessionsPerUserAndAddress { get; init; } = 20;

    /// <summary>
    /// How long an IDLE waits before the server sends <c>* OK Still here</c>: RFC 2177 §3 asks clients to
    /// re-issue IDLE at least every 29 minutes; a keep-alive every 2 minutes keeps NAT mappings and the
    /// client's own timers from dropping a quiet connection (Dovecot's imap_idle_notify_interval).
    /// </summary>
    public TimeSpan IdleKeepAlive { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Messages of the mailboxes' last states this node keeps for SELECT (<see cref="SnapshotCache"/>),
    /// about 26 octets each: 1,000,000 is ten mailboxes of 100,000 messages, the large archive a phone
    /// resynchronises with QRESYNC, in some 26 MB. A SELECT of a mailbox kept reads only what changed
    /// since (a read of all 100,000 messages takes over 100 ms); the least recently selected go first.
    /// </summary>
    public int SnapshotCacheMessages { get; init; } = 1_000_000;

    /// <summary>Where APPEND bodies are spooled while they arrive (<c>Mail:SpoolDirectory</c>).</summary>
    public string SpoolDirectory { get; init; } = Path.GetTempPath();

    /// <summary>Largest message APPEND takes (<c>Mail:MaxMessageSize</c>), advertised as APPENDLIMIT (RFC 7889).</summary>
    public long MaxMessageSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Messages one MULTIAPPEND (RFC 3502) may carry. The RFC sets no bound; each message is a spool
    /// file held open until the command's one transaction commits, so this bounds the descriptors and
    /// spool space a single command can pin. Clients that use MULTIAPPEND send a handful at a time.
    /// </summary>
    public int MaxAppendMessages { get; init; } = 100;

    /// <summary>
    /// Largest value of one METADATA entry (RFC 5464 §4.3: larger ones are refused with
    /// <c>[METADATA MAXSIZE n]</c>): annotations are comments and client settings, not files.
    /// </summary>
    public int MaxMetadataValueSize { get; init; } = 64 * 1024;

    /// <summary>Entries the server and each mailbox may hold (more: <c>[METADATA TOOMANY]</c>, RFC 5464 §4.3).</summary>
    public int MaxMetadataEntries { get; init; } = 128;
}

/// <summary>Registers the IMAP front-end.</summary>
public static class ImapServiceCollectionExtensions
{
    public static IServiceCollection AddImap(this IServiceCollection services)
    {
        services.TryAddSingleton(new ImapOptions());
        services.AddSingleton<LineProtocol, ImapProtocol>();
        return services;
    }
}
