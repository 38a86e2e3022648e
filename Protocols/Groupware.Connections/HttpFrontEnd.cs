using System.Net.Security;
using Microsoft.AspNetCore.Http;

namespace Groupware.Connections;

/// <summary>
/// A protocol served over HTTP (CalDAV, later the RPC): the host binds its listeners with HTTP/1.1
/// and HTTP/2 (ALPN h2, http/1.1 on implicit TLS) and hands every request that arrived on one of
/// them to <see cref="HandleAsync"/>, with the listener it came through.
/// </summary>
public abstract class HttpFrontEnd
{
    /// <summary>The name used in configuration (<c>Listeners:*:Protocol</c>).</summary>
    public abstract string Name { get; }

    /// <summary>ALPN identifiers offered on implicit TLS (RFC 7301): HTTP/2 first, then HTTP/1.1 (RFC 9113 §3.2).</summary>
    public virtual IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; } =
        [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>
    /// On a clear-text listener: HTTP/2 by prior knowledge (RFC 9113 §3.3) instead of HTTP/1.1, for a
    /// protocol whose clients speak only HTTP/2 (gRPC). False for CalDAV, whose clients never do.
    /// </summary>
    public virtual bool ClearTextHttp2 => false;

    /// <summary>The protocol's default session limits (its idle timeout is the HTTP keep-alive timeout).</summary>
    public virtual SessionLimits DefaultLimits => new();

    /// <summary>Answers one request.</summary>
    public abstract Task HandleAsync(HttpContext context, ListenerContext listener);

    /// <summary>
    /// The protocols on whose listeners this front-end also answers the requests it <see cref="Claims"/> (client
    /// set-up documents on the CalDAV listener); empty for most.
    /// </summary>
    public virtual IReadOnlyList<string> AlsoServedOn => [];

    /// <summary>Whether a request on a listener of one of <see cref="AlsoServedOn"/> is this front-end's to answer.</summary>
    public virtual bool Claims(HttpRequest request) => false;

    /// <summary>
    /// For a front-end built on ASP.NET Core's endpoint routing (the RPC's gRPC services): its own
    /// pipeline, built once per node on a builder of its own, so that its endpoints serve only its
    /// listeners. Its requests carry their listener as a <see cref="ListenerContext"/> feature
    /// (<see cref="ListenerOf"/>). Null, the default: every request goes to <see cref="HandleAsync"/>.
    /// </summary>
    public virtual RequestDelegate? BuildPipeline(IServiceProvider services) => null;

    /// <summary>The listener a request of a <see cref="BuildPipeline"/> front-end came through.</summary>
    public static ListenerContext ListenerOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<ListenerContext>() ?? throw new InvalidOperationException("the request did not come through a listener");
    }
}

/// <summary>
/// The listeners a node has bound, with their real endpoints once bound: how an HTTP front-end on a
/// clear-text listener finds the TLS listener to redirect to (a port configured as 0 is known only
/// after binding).
/// </summary>
public sealed class ListenerDirectory
{
    private readonly Lock _lock = new();
    private readonly List<(string Name, string Protocol, TlsMode Tls, Func<System.Net.EndPoint> EndPoint)> _listeners = [];

    /// <summary>Adds a listener; <paramref name="endPoint"/> is asked for its address when needed.</summary>
    public void Add(string name, string protocol, TlsMode tls, Func<System.Net.EndPoint> endPoint)
    {
        lock (_lock)
        {
            _listeners.Add((name, protocol, tls, endPoint));
        }
    }

    /// <summary>The port of the first implicit-TLS listener of <paramref name="protocol"/> on an IP endpoint, or null.</summary>
    public int? TlsPortOf(string protocol)
    {
        lock (_lock)
        {
            foreach (var listener in _listeners.Where(l => l.Protocol == protocol && l.Tls == TlsMode.Implicit))
            {
                if (listener.EndPoint() is System.Net.IPEndPoint ip)
                {
                    return ip.Port;
                }
            }

            return null;
        }
    }
}
