using Groupware.Auth;
using Groupware.Connections;

namespace Groupware.Server.Configuration;

/// <summary>
/// A node's whole configuration, read from one JSON file (default <c>/etc/groupware/groupware.json</c>)
/// overlaid by <c>GROUPWARE__Section__Key</c> environment variables. The keys below are a contract
/// with operators' files: new keys may be added, existing ones keep their meaning.
/// </summary>
internal sealed record GroupwareOptions
{
    public const string DefaultPath = "/etc/groupware/groupware.json";

    public required NodeOptions Node { get; init; }

    /// <summary><c>Database:ConnectionString</c>, an Npgsql connection string.</summary>
    public required string ConnectionString { get; init; }

    public required TlsOptions Tls { get; init; }

    /// <summary><c>Listeners:NAME</c>, ordered by name (the configuration system sorts keys).</summary>
    public required IReadOnlyList<ListenerOptions> Listeners { get; init; }

    public required LimitsOptions Limits { get; init; }

    /// <summary>The <c>Admin</c> section: where /metrics and /health are served.</summary>
    public AdminOptions Admin { get; init; } = new();

    /// <summary>The <c>Auth</c> section: password hashing, throttling, cache, audit.</summary>
    public AuthOptions Auth { get; init; } = new();
    /// <summary>The <c>Mail</c> section: limits and names of local delivery (LMTP, <c>groupware deliver</c>).</summary>
    public Groupware.Lmtp.LmtpOptions Mail { get; init; } = new();

    /// <summary>The <c>Mail</c> section's keys for the mail store: how long expunged UIDs are remembered for QRESYNC.</summary>
    public Groupware.Storage.Mail.MailStoreOptions MailStore { get; init; } = new();

    /// <summary>The <c>Imap</c> section: the IMAP front-end's own limits (sessions per user and address, login time).</summary>
    public Groupware.Imap.ImapOptions Imap { get; init; } = new();

    /// <summary>The <c>ClientSetup</c> section: the names and ports autoconfig documents and DNS records offer clients.</summary>
    public Groupware.Autoconfig.ClientSetupOptions ClientSetup { get; init; } = new() { HostName = System.Net.Dns.GetHostName() };

    /// <summary>The <c>Rpc</c> section: the RPC front-end's limits and its relay for submitted mail.</summary>
    public Groupware.Rpc.RpcOptions Rpc { get; init; } = new();

    /// <summary>The file the options were read from, if any.</summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// Whether the node loads a certificate: always on a secure node, on a legacy node when a
    /// listener needs TLS or the operator configured one (then its clear-text listeners offer
    /// STARTTLS/STLS too, for any client that can use it).
    /// </summary>
    public bool NeedsCertificate => !Node.AllowPlaintextAuth || Listeners.Any(l => l.Tls != TlsMode.None)
        || !string.IsNullOrEmpty(Tls.CertificateFile);
}

/// <summary>The <c>Node</c> section.</summary>
/// <param name="Name"><c>Node:Name</c>: this node's name, in every log line and audit record.</param>
/// <param name="AllowPlaintextAuth"><c>Node:AllowPlaintextAuth</c>: true makes this a legacy node.</param>
/// <param name="PlaintextAccounts"><c>Node:PlaintextAccounts</c>: <c>legacy-devices</c> (default) or <c>any</c>.</param>
/// <param name="TrustedNetworks"><c>Node:TrustedNetworks</c>: CIDR networks whose clear text counts as secure.</param>
internal sealed record NodeOptions(
    string Name,
    bool AllowPlaintextAuth,
    PlaintextAccounts PlaintextAccounts,
    IReadOnlyList<System.Net.IPNetwork> TrustedNetworks)
{
    public NodePolicy ToPolicy() => new(Name, AllowPlaintextAuth, PlaintextAccounts, TrustedNetworks);
}

/// <summary>The <c>Tls</c> section: PEM files, reloaded when they change.</summary>
internal sealed record TlsOptions(string CertificateFile, string KeyFile);

/// <summary>One entry of <c>Listeners</c>.</summary>
/// <param name="Name">The entry's key, e.g. <c>imaps</c>.</param>
/// <param name="Protocol"><c>Protocol</c>: imap, pop3, lmtp, caldav or rpc.</param>
/// <param name="Endpoint"><c>Endpoint</c>: <c>IP:port</c> or <c>unix:/path</c>.</param>
/// <param name="Tls"><c>Tls</c>: implicit, starttls or none.</param>
/// <param name="MaxConnections"><c>MaxConnections</c>: open connections on this listener.</param>
/// <param name="MaxConnectionsPerIp"><c>MaxConnectionsPerIp</c>: open connections from one client address.</param>
internal sealed record ListenerOptions(
    string Name,
    string Protocol,
    ListenerEndpoint Endpoint,
    TlsMode Tls,
    int MaxConnections,
    int MaxConnectionsPerIp);

/// <summary>The <c>Admin</c> section: the HTTP/1.1 listener for /metrics, /health/live and /health/ready.</summary>
internal sealed record AdminOptions
{
    /// <summary>
    /// Loopback only by default: metrics and health are for the host's own Prometheus agent or a
    /// reverse proxy. No port is free in Prometheus' exporter range 9100-9999 (all allocated); 9180
    /// is the project's choice, 19180 in the development set-up (standard + 10000).
    /// </summary>
    public const string DefaultEndpoint = "127.0.0.1:9180";

    /// <summary><c>Admin:Endpoint</c>: <c>IP:port</c>, <c>[IPv6]:port</c> or <c>unix:/path</c>.</summary>
    public ListenerEndpoint Endpoint { get; init; } = ListenerEndpoint.TryParse(DefaultEndpoint, out var endpoint)
        ? endpoint
        : throw new InvalidOperationException("the default admin endpoint does not parse");
}

/// <summary>The <c>Limits</c> section: node-wide defaults a listener may override.</summary>
internal sealed record LimitsOptions
{
    /// <summary><c>Limits:MaxConnectionsPerListener</c>; Dovecot's default_client_limit is 1000 per process.</summary>
    public int MaxConnectionsPerListener { get; init; } = 5000;

    /// <summary>
    /// <c>Limits:MaxConnectionsPerIp</c>. Dovecot allows 10 per user and address
    /// (mail_max_userip_connections); offices behind one NAT address need more per address.
    /// </summary>
    public int MaxConnectionsPerIp { get; init; } = 100;

    /// <summary><c>Limits:TlsHandshakeTimeoutSeconds</c>; Kestrel's default handshake timeout is 10 s.</summary>
    public int TlsHandshakeTimeoutSeconds { get; init; } = 10;

    /// <summary><c>Limits:ShutdownTimeoutSeconds</c>: how long open sessions get to finish at shutdown.</summary>
    public int ShutdownTimeoutSeconds { get; init; } = 15;

    /// <summary><c>Limits:MaxLineLength</c>: overrides every line protocol's <see cref="SessionLimits.MaxLineLength"/> when set.</summary>
    public int? MaxLineLength { get; init; }

    /// <summary><c>Limits:MaxLiteralSize</c>: overrides <see cref="SessionLimits.MaxLiteralSize"/> when set.</summary>
    public long? MaxLiteralSize { get; init; }

    /// <summary><c>Limits:MaxCommandSize</c>: overrides <see cref="SessionLimits.MaxCommandSize"/> when set.</summary>
    public long? MaxCommandSize { get; init; }

    /// <summary><c>Limits:IdleTimeoutSeconds</c>: overrides each protocol's autologout (<see cref="SessionLimits.IdleTimeout"/>) when set.</summary>
    public int? IdleTimeoutSeconds { get; init; }

    /// <summary><c>Limits:CommandLineTimeoutSeconds</c>: overrides <see cref="SessionLimits.CommandLineTimeout"/> when set.</summary>
    public int? CommandLineTimeoutSeconds { get; init; }

    /// <summary><c>Limits:MinDataRate</c>, octets per second (0 turns it off): overrides <see cref="SessionLimits.MinDataRate"/> when set.</summary>
    public int? MinDataRate { get; init; }

    /// <summary>A protocol's default session limits with the operator's overrides applied.</summary>
    public SessionLimits Apply(SessionLimits defaults) => defaults with
    {
        MaxLineLength = MaxLineLength ?? defaults.MaxLineLength,
        MaxLiteralSize = MaxLiteralSize ?? defaults.MaxLiteralSize,
        MaxCommandSize = MaxCommandSize ?? defaults.MaxCommandSize,
        IdleTimeout = IdleTimeoutSeconds is { } idle ? TimeSpan.FromSeconds(idle) : defaults.IdleTimeout,
        CommandLineTimeout = CommandLineTimeoutSeconds is { } line ? TimeSpan.FromSeconds(line) : defaults.CommandLineTimeout,
        MinDataRate = MinDataRate ?? defaults.MinDataRate,
        TlsHandshakeTimeout = TimeSpan.FromSeconds(TlsHandshakeTimeoutSeconds),
    };
}
