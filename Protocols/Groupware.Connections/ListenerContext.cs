using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Groupware.Connections;

/// <summary>Everything a session needs to know about the listener that accepted it.</summary>
public sealed class ListenerContext
{
    /// <summary>TLS versions every listener accepts: 1.2 and 1.3 (RFC 8996 deprecates 1.0 and 1.1).</summary>
    public const SslProtocols AllowedTlsVersions = SslProtocols.Tls12 | SslProtocols.Tls13;

    public required string Name { get; init; }

    public required string Protocol { get; init; }

    public required TlsMode Tls { get; init; }

    public required EndPoint EndPoint { get; init; }

    public required NodePolicy Node { get; init; }

    /// <summary>The node's certificate, for implicit TLS and STARTTLS; null on a node without one (a legacy node may run without).</summary>
    public TlsCertificateStore? Certificates { get; init; }

    public required SessionLimits Limits { get; init; }

    /// <summary>The clock of every session timer (idle, deadlines, transfer rates, waits); a fake one in tests.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The node's instruments.</summary>
    public required GroupwareMetrics Metrics { get; init; }

    /// <summary>ALPN identifiers offered on this listener (RFC 7301).</summary>
    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; init; } = [];

    /// <summary>The security of a freshly accepted connection, before any STARTTLS.</summary>
    public ConnectionSecurity SecurityOf(ConnectionContext connection)
    {
        var tls = connection.Features.Get<ITlsHandshakeFeature>();
        return new ConnectionSecurity(
            IsTls: tls is not null,
            TlsProtocol: tls?.Protocol ?? SslProtocols.None,
            CipherSuite: tls?.NegotiatedCipherSuite,
            RemoteEndPoint: connection.RemoteEndPoint,
            LocalEndPoint: connection.LocalEndPoint,
            ListenerName: Name,
            Protocol: Protocol,
            ListenerTls: Tls,
            Node: Node);
    }

    /// <summary>
    /// The security of one HTTP request as the auth module sees it; one HTTP connection carries many
    /// requests, each judged alone. The transport's own endpoints where Kestrel has them (a unix
    /// socket's too), else the IP addresses of the request.
    /// </summary>
    public ConnectionSecurity SecurityOf(HttpContext context)
    {
        var tls = context.Features.Get<ITlsHandshakeFeature>();
        var connection = context.Connection;
        var endPoints = context.Features.Get<IConnectionEndPointFeature>();
        var remote = endPoints?.RemoteEndPoint ?? (connection.RemoteIpAddress is { } remoteIp ? new IPEndPoint(remoteIp, connection.RemotePort) : null);
        var local = endPoints?.LocalEndPoint ?? (connection.LocalIpAddress is { } localIp ? new IPEndPoint(localIp, connection.LocalPort) : null);
        return new ConnectionSecurity(
            IsTls: tls is not null,
            TlsProtocol: tls?.Protocol ?? SslProtocols.None,
            CipherSuite: tls?.NegotiatedCipherSuite,
            RemoteEndPoint: remote,
            LocalEndPoint: local ?? EndPoint,
            ListenerName: Name,
            Protocol: Protocol,
            ListenerTls: Tls,
            Node: Node);
    }

    /// <summary>Server-side TLS options with the certificate current at this moment.</summary>
    public SslServerAuthenticationOptions ServerTlsOptions()
    {
        var certificates = Certificates
            ?? throw new InvalidOperationException($"listener {Name} has no certificate");
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificates.Current,
            EnabledSslProtocols = AllowedTlsVersions,
            ApplicationProtocols = ApplicationProtocols.Count > 0 ? [.. ApplicationProtocols] : null,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
    }
}
