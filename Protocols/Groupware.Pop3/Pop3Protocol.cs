using System.Net.Security;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Groupware.Pop3;

/// <summary>
/// POP3 (RFC 1939) with CAPA and response codes (RFC 2449), STLS (RFC 2595 §4), the AUTH response
/// codes (RFC 3206) and SASL (RFC 5034), on the <c>pop3</c> (STLS) and <c>pop3s</c> (RFC 8314
/// implicit TLS) listeners — and in clear text on a legacy node's listener.
/// </summary>
internal sealed class Pop3Protocol(AuthService auth, MailStore store, MaildropLeases leases, Pop3Options options, DatabaseOutageLog outages,
    ILoggerFactory loggerFactory)
    : LineProtocol
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<Pop3Session>();

    public override string Name => "pop3";

    /// <summary>IANA's ALPN identifier for POP3 over implicit TLS.</summary>
    public override IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; } = [new("pop3")];

    public override SessionLimits DefaultLimits { get; } = new()
    {
        // RFC 2449 §4 requires 255 octets for commands; SASL responses (RFC 5034 §4) may be longer,
        // and DESIGN.md asks for at least 8192.
        MaxLineLength = 8192,
        // RFC 1939 §3: an autologout timer "of at least 10 minutes".
        IdleTimeout = TimeSpan.FromMinutes(10),
    };

    internal AuthService Auth => auth;

    internal Pop3Options Options => options;

    internal MailStore Store => store;

    internal DatabaseOutageLog Outages => outages;

    internal MaildropLeases Leases => leases;

    public override ReadOnlyMemory<byte> TooManyConnectionsReply(bool perAddress) => perAddress
        ? "-ERR [SYS/TEMP] Too many connections from your address.\r\n"u8.ToArray()
        : "-ERR [SYS/TEMP] Too many connections.\r\n"u8.ToArray();

    public override Task RunAsync(ConnectionContext connection, ListenerContext listener) =>
        new Pop3Session(this, connection, listener, _logger).RunAsync();
}

/// <summary>The POP3 front-end's own limits, beside the session limits every line protocol has.</summary>
public sealed record Pop3Options
{
    /// <summary>
    /// Time a client gets, from connecting, to log in, however busy it keeps the connection: a slot
    /// held by someone who never logs in is a slot taken from those who do. Dovecot's login
    /// processes disconnect after 180 s ("no auth attempts in 180 secs").
    /// </summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Failed logins one connection may make before it is closed (Dovecot's login processes allow three).</summary>
    public int MaxAuthFailures { get; init; } = 3;
}

/// <summary>Registers the POP3 front-end.</summary>
public static class Pop3ServiceCollectionExtensions
{
    public static IServiceCollection AddPop3(this IServiceCollection services)
    {
        services.TryAddSingleton(new Pop3Options());
        services.AddSingleton<LineProtocol, Pop3Protocol>();
        return services;
    }
}
