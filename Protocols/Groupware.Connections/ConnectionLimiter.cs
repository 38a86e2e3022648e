using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Groupware.Connections;

/// <summary>
/// Counts a listener's open connections, in total and per client address, and refuses new ones
/// over either limit before any TLS handshake is spent on them. An IPv6 client is counted by its
/// prefix of <paramref name="ipv6PrefixLength"/> bits, as throttling counts it (<c>Auth:IPv6PrefixLength</c>):
/// one end site holds a whole /64 (RFC 6177 §2), so by address one host could take every place.
/// </summary>
public sealed class ConnectionLimiter(int maxConnections, int maxConnectionsPerAddress, int ipv6PrefixLength = 64)
{
    private readonly Dictionary<IPNetwork, int> _perAddress = [];
    private readonly Lock _lock = new();
    private int _total;

    public int MaxConnections { get; } = maxConnections;

    public int MaxConnectionsPerAddress { get; } = maxConnectionsPerAddress;

    /// <summary>Connections open now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>
    /// Takes a place for a connection from <paramref name="address"/> (null for a unix socket, which
    /// counts only against the total). Returns null when a limit is reached, with
    /// <paramref name="perAddress"/> telling which.
    /// </summary>
    public IDisposable? TryAcquire(IPAddress? address, out bool perAddress)
    {
        var client = address is null ? (IPNetwork?)null : ClientOf(address);
        lock (_lock)
        {
            perAddress = false;
            if (_total >= MaxConnections)
            {
                return null;
            }

            if (client is { } counted)
            {
                _perAddress.TryGetValue(counted, out var current);
                if (current >= MaxConnectionsPerAddress)
                {
                    perAddress = true;
                    return null;
                }

                _perAddress[counted] = current + 1;
            }

            _total++;
            return new Lease(this, client);
        }
    }

    /// <summary>
    /// Kestrel connection middleware that applies this limiter. A refused connection hears
    /// <paramref name="protocol"/>'s busy line if the listener is not implicit TLS (there is no TLS
    /// session yet to say it in), then is closed.
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware(LineProtocol protocol, TlsMode tls, string listener,
        GroupwareMetrics metrics) => Middleware(protocol.TooManyConnectionsReply, tls, listener, metrics);

    /// <summary>The same, with the busy line given by <paramref name="busyReply"/> (called with whether the address is over its limit).</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware(Func<bool, ReadOnlyMemory<byte>> busyReply, TlsMode tls, string listener,
        GroupwareMetrics metrics) => next => async connection =>
    {
        var listenerTag = new KeyValuePair<string, object?>("listener", listener);
        var address = ConnectionSecurity.AddressOf(connection.RemoteEndPoint);
        using var lease = TryAcquire(address, out var perAddress);
        if (lease is null)
        {
            metrics.ConnectionsRefused.Add(1, listenerTag, new("limit", perAddress ? "address" : "listener"));
            var reply = busyReply(perAddress);
            if (tls != TlsMode.Implicit && !reply.IsEmpty)
            {
                await connection.Transport.Output.WriteAsync(reply);
            }

            await connection.Transport.Output.CompleteAsync();
            return;
        }

        metrics.ConnectionsOpened.Add(1, listenerTag, new("tls", tls == TlsMode.Implicit ? "tls" : "clear"));
        metrics.ConnectionsOpen.Add(1, listenerTag);
        try
        {
            await next(connection);
        }
        finally
        {
            metrics.ConnectionsOpen.Add(-1, listenerTag);
        }
    };

    /// <summary>What one client is: an IPv4 address, or the IPv6 prefix its address lies in (IPv4-mapped addresses as IPv4).</summary>
    private IPNetwork ClientOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return new IPNetwork(address, 32);
        }

        var bytes = address.GetAddressBytes();
        for (var bit = ipv6PrefixLength; bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPNetwork(new IPAddress(bytes), ipv6PrefixLength);
    }

    private void Release(IPNetwork? client)
    {
        lock (_lock)
        {
            _total--;
            if (client is { } counted && _perAddress.TryGetValue(counted, out var current))
            {
                if (current <= 1)
                {
                    _perAddress.Remove(counted);
                }
                else
                {
                    _perAddress[counted] = current - 1;
                }
            }
        }
    }

    private sealed class Lease(ConnectionLimiter limiter, IPNetwork? client) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(client);
            }
        }
    }
}
