namespace Groupware.Rpc;

/// <summary>How the node hands submitted mail to its relay (RFC 6409 submission or RFC 5321 relay, always with TLS).</summary>
public enum RelayTls
{
    /// <summary>STARTTLS (RFC 3207) after the greeting, required: a relay that does not offer it is not used.</summary>
    StartTls,

    /// <summary>TLS from the first octet (RFC 8314 §3.3, port 465).</summary>
    Implicit,
}

/// <summary>
/// The RPC front-end's limits and its relay (configuration section <c>Rpc</c>). Each limit is named
/// in the refusal a client gets for crossing it (groupware.rpc.v1 ErrorDetail.option).
/// </summary>
public sealed record RpcOptions
{
    /// <summary>
    /// <c>Rpc:SessionLifetimeHours</c>: how long a session token is valid after its logon. A week, so that
    /// a desktop client left running is not asked for its password daily; a password change or disabling
    /// the account ends sessions at once anyway.
    /// </summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// <c>Rpc:MaxRestrictionDepth</c>: nesting of and/or/not in one restriction. Client-built filters
    /// (Outlook's search folders, Kopano's restriction builder) stay far below; it bounds the recursion
    /// that turns a tree into SQL.
    /// </summary>
    public int MaxRestrictionDepth { get; init; } = 32;

    /// <summary><c>Rpc:MaxRestrictionNodes</c>: nodes of one restriction tree, so one query's SQL stays small.</summary>
    public int MaxRestrictionNodes { get; init; } = 256;

    /// <summary><c>Rpc:DefaultPageSize</c>: rows (or changes) in a reply when the request names no limit.</summary>
    public int DefaultPageSize { get; init; } = 100;

    /// <summary>
    /// <c>Rpc:MaxPageSize</c>: most rows (or changes) one reply may hold; 1000 is Exchange's default
    /// for one FindItem page (EWSFindCountLimit).
    /// </summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary><c>Rpc:MaxBatchItems</c>: items one delete, move, copy or set-read call may name (the same 1000).</summary>
    public int MaxBatchItems { get; init; } = 1000;

    /// <summary>
    /// <c>Rpc:ContentChunkSize</c>: octets per chunk of streamed content. 64 KiB: well inside gRPC's
    /// default 4 MiB message limit, and large enough that framing costs nothing.
    /// </summary>
    public int ContentChunkSize { get; init; } = 64 * 1024;

    /// <summary><c>Rpc:MaxResolveMatches</c>: entries per name that Directory.ResolveNames returns.</summary>
    public int MaxResolveMatches { get; init; } = 20;

    /// <summary><c>Rpc:MaxNamesPerCall</c>: names one ResolveNames or GetFreeBusy call may ask about.</summary>
    public int MaxNamesPerCall { get; init; } = 100;

    /// <summary>
    /// <c>Rpc:MaxReceiveMessageSize</c>: largest request message in octets; gRPC's default of 4 MiB.
    /// A larger message is uploaded in chunks (Items.Upload), up to <c>Mail:MaxMessageSize</c>.
    /// </summary>
    public int MaxReceiveMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary><c>Rpc:RelayHost</c>: where Items.Submit sends mail; null (the default): submission is refused.</summary>
    public string? RelayHost { get; init; }

    /// <summary><c>Rpc:RelayPort</c>: the relay's port; 587 (RFC 6409 submission) by default.</summary>
    public int RelayPort { get; init; } = 587;

    /// <summary><c>Rpc:RelayTls</c>: <c>starttls</c> (default) or <c>implicit</c>; there is no clear-text choice.</summary>
    public RelayTls RelayTls { get; init; } = RelayTls.StartTls;

    /// <summary>
    /// A certificate the relay may present besides those the system trusts: tests relay to a peer with
    /// a self-signed one. Not configurable; null in a node.
    /// </summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2? TrustedRelayCertificate { get; init; }

    /// <summary>Largest message submitted or uploaded in octets (the node's <c>Mail:MaxMessageSize</c>).</summary>
    public long MaxMessageSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>Where submitted and uploaded messages are spooled while they arrive (the node's <c>Mail:SpoolDirectory</c>).</summary>
    public string SpoolDirectory { get; init; } = Path.GetTempPath();
}
