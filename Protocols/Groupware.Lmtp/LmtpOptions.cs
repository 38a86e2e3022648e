using System.Net;

namespace Groupware.Lmtp;

/// <summary>
/// The limits and names of local delivery, shared by the LMTP listener and <c>groupware deliver</c>;
/// read from the <c>Mail</c> section of the node's configuration.
/// </summary>
public sealed record LmtpOptions
{
    /// <summary>
    /// Largest message accepted, in octets, advertised as SIZE (RFC 1870). 64 MiB, the same as
    /// <see cref="Groupware.Connections.SessionLimits.MaxLiteralSize"/>, so that whatever is delivered
    /// can also be appended over IMAP when a mailbox is migrated. A larger message is read to its end
    /// and refused with 552 5.3.4.
    /// </summary>
    public long MaxMessageSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Most recipients in one transaction. RFC 5321 §4.5.3.1.8 requires at least 100; 1000 is
    /// Postfix's smtpd_recipient_limit. Beyond it RCPT answers 452 4.5.3 and the client sends the
    /// rest in another transaction.
    /// </summary>
    public int MaxRecipients { get; init; } = 1000;

    /// <summary>Where message bodies are spooled while they arrive; the system's temporary directory by default.</summary>
    public string SpoolDirectory { get; init; } = Path.GetTempPath();

    /// <summary>The name in the greeting, the LHLO reply and Received fields; the host's name by default.</summary>
    public string HostName { get; init; } = Dns.GetHostName();
}
