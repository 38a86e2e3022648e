using Groupware.Auth;
using Groupware.Connections;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Groupware.Sasl;

/// <summary>
/// SASL for the MTA on a <c>sasl</c> listener: Dovecot's authentication protocol 1.x, which Postfix speaks with
/// <c>smtpd_sasl_type = dovecot</c>, so that the logins of SMTP submission (RFC 6409, RFC 4954) are decided
/// by the same auth module as every other. Clear text, on loopback or a unix socket only: the MTA is trusted
/// to say whether its client used TLS and from which address, so nothing else may reach the listener.
/// </summary>
public sealed class SaslProtocol(AuthService auth, ILoggerFactory loggers) : LineProtocol
{
    private readonly ILogger _logger = loggers.CreateLogger("Groupware.Sasl");
    private long _connections;

    public override string Name => "sasl";

    /// <summary>
    /// Lines of 16 KiB (Dovecot's <c>AUTH_CLIENT_MAX_LINE_LENGTH</c>), and a day of silence before the
    /// connection is closed: an MTA keeps its connection for as long as its process lives and asks only when a
    /// user logs in, and Dovecot's auth server does not close it either.
    /// </summary>
    public override SessionLimits DefaultLimits { get; } = new() { MaxLineLength = 16384, IdleTimeout = TimeSpan.FromDays(1) };

    /// <summary>An authentication client over its connection limit is closed without a word (the protocol has none for it).</summary>
    public override ReadOnlyMemory<byte> TooManyConnectionsReply(bool perAddress) => ReadOnlyMemory<byte>.Empty;

    public override Task RunAsync(ConnectionContext connection, ListenerContext listener) =>
        new SaslSession(connection, listener, auth, Interlocked.Increment(ref _connections), _logger).RunAsync();
}

/// <summary>Registers the SASL front-end for the MTA.</summary>
public static class SaslServiceCollectionExtensions
{
    public static IServiceCollection AddSasl(this IServiceCollection services)
    {
        services.AddSingleton<LineProtocol, SaslProtocol>();
        return services;
    }
}
