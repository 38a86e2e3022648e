using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Groupware.Server.Configuration;

/// <summary>
/// Where a listener listens: <c>IP:port</c> (<c>[v6]:port</c> for IPv6, <c>localhost:port</c> for
/// 127.0.0.1) or <c>unix:/path/to/socket</c>.
/// </summary>
internal sealed record ListenerEndpoint(string Text, EndPoint EndPoint)
{
    public const string UnixPrefix = "unix:";

    public IPEndPoint? IP => EndPoint as IPEndPoint;

    public string? UnixPath => (EndPoint as UnixDomainSocketEndPoint)?.ToString();

    /// <summary>True for a loopback address or a unix socket: reachable only from this host.</summary>
    public bool IsLocalOnly => EndPoint is UnixDomainSocketEndPoint || (IP is { } ip && IPAddress.IsLoopback(ip.Address));

    /// <summary>Whether both listeners would claim the same socket (a wildcard address covers its family).</summary>
    public bool Overlaps(ListenerEndpoint other)
    {
        if (UnixPath is { } path)
        {
            return path == other.UnixPath;
        }

        if (IP is not { } a || other.IP is not { } b || a.Port == 0 || a.Port != b.Port)
        {
            return false;
        }

        if (a.Address.Equals(b.Address))
        {
            return true;
        }

        // 0.0.0.0 covers every IPv4 address; [::] is bound dual-stack by Kestrel and covers both families.
        return a.Address.Equals(IPAddress.IPv6Any) || b.Address.Equals(IPAddress.IPv6Any)
            || (a.Address.Equals(IPAddress.Any) && b.Address.AddressFamily == AddressFamily.InterNetwork)
            || (b.Address.Equals(IPAddress.Any) && a.Address.AddressFamily == AddressFamily.InterNetwork);
    }

    public override string ToString() => Text;

    public static bool TryParse(string text, [NotNullWhen(true)] out ListenerEndpoint? endpoint)
    {
        endpoint = null;
        if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            var path = text[UnixPrefix.Length..];
            if (path.Length == 0 || !path.StartsWith('/'))
            {
                return false;
            }

            endpoint = new ListenerEndpoint(text, new UnixDomainSocketEndPoint(path));
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        var host = text[..colon];
        IPAddress? address;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host[1..^1], out address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else if (!IPAddress.TryParse(host, out address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        endpoint = new ListenerEndpoint(text, new IPEndPoint(address, port));
        return true;
    }
}
