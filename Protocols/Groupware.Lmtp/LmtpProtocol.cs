using Groupware.Connections;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Groupware.Lmtp;

/// <summary>
/// LMTP (RFC 2033) on an <c>lmtp</c> listener: TCP on loopback or a unix socket in clear, or any
/// address with STARTTLS (RFC 3207). Delivers into the <see cref="MailStore"/>.
/// </summary>
public sealed class LmtpProtocol(LmtpOptions options, MailStore store, RecipientResolver resolver, DatabaseOutageLog outages,
    ILoggerFactory loggers)
    : LineProtocol
{
    private readonly ILogger _logger = loggers.CreateLogger("Groupware.Lmtp");

    public override string Name => "lmtp";

    /// <summary>
    /// The base's limits with RFC 5321 §4.5.3.2.7's server timeout: 5 minutes of silence from the
    /// client ends the session.
    /// </summary>
    public override SessionLimits DefaultLimits { get; } = new() { IdleTimeout = TimeSpan.FromMinutes(5) };

    /// <summary>421 4.3.2 (RFC 5321 §3.8, RFC 3463: system not accepting network messages): the MTA retries later.</summary>
    public override ReadOnlyMemory<byte> TooManyConnectionsReply(bool perAddress) => perAddress
        ? "421 4.3.2 Too many connections from your address, try again later\r\n"u8.ToArray()
        : "421 4.3.2 Too many connections, try again later\r\n"u8.ToArray();

    public override Task RunAsync(ConnectionContext connection, ListenerContext listener) =>
        new LmtpSession(connection, listener, options, store, resolver, outages, _logger).RunAsync();
}
