namespace Groupware.Autoconfig;

/// <summary>
/// The <c>ClientSetup</c> section: the names and ports clients are told to use, in autoconfig documents and
/// in the DNS records of <c>groupware dns records</c>. They are the public names of the service (behind any
/// load balancer or port mapping), not this node's listeners. Every port offered is a TLS one: implicit TLS
/// (RFC 8314 §3) or the clear port on which STARTTLS/STLS is required before a login (RFC 8314 §4.1).
/// </summary>
public sealed record ClientSetupOptions
{
    /// <summary><c>ClientSetup:HostName</c>: the secure nodes' name for IMAP, POP3 and CalDAV; default <c>Mail:HostName</c>.</summary>
    public required string HostName { get; init; }

    /// <summary>
    /// <c>ClientSetup:LegacyHostName</c>: the legacy node's name, offered to accounts flagged legacy-device (with
    /// the same TLS-only settings: what configures itself can do TLS). Null: they are offered <see cref="HostName"/>.
    /// </summary>
    public string? LegacyHostName { get; init; }

    /// <summary><c>ClientSetup:SubmissionHostName</c>: the MTA's name for submission (RFC 6409); default <see cref="HostName"/>.</summary>
    public string? SubmissionHostName { get; init; }

    /// <summary><c>ClientSetup:ImapPort</c>: IMAP over implicit TLS, RFC 8314 §7 (993).</summary>
    public int ImapPort { get; init; } = 993;

    /// <summary><c>ClientSetup:ImapStartTlsPort</c>: IMAP with STARTTLS required, RFC 9051 §6.2.1 (143).</summary>
    public int ImapStartTlsPort { get; init; } = 143;

    /// <summary><c>ClientSetup:Pop3Port</c>: POP3 over implicit TLS, RFC 8314 §7 (995).</summary>
    public int Pop3Port { get; init; } = 995;

    /// <summary><c>ClientSetup:Pop3StartTlsPort</c>: POP3 with STLS required, RFC 2595 §4 (110).</summary>
    public int Pop3StartTlsPort { get; init; } = 110;

    /// <summary><c>ClientSetup:SubmissionPort</c>: submission over implicit TLS, RFC 8314 §3.3 (465).</summary>
    public int SubmissionPort { get; init; } = 465;

    /// <summary><c>ClientSetup:SubmissionStartTlsPort</c>: submission with STARTTLS required, RFC 6409 §3.1 and RFC 3207 (587).</summary>
    public int SubmissionStartTlsPort { get; init; } = 587;

    /// <summary><c>ClientSetup:CalDavPort</c>: CalDAV over HTTPS, RFC 6764 §3 (443).</summary>
    public int CalDavPort { get; init; } = 443;

    /// <summary>The submission host actually offered.</summary>
    public string SubmissionHost => SubmissionHostName ?? HostName;
}
