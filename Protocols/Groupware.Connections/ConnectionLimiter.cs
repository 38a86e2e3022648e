using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Groupware.Connections;

/// <summary>
/// Counts a listener's open connections, in total and per client address, and refuses new ones
/// over either limit before any TLS handshake is spent on them.
/// </summary>
public sealed class ConnectionLimiter(int maxConnections, int maxConnectionsPerAddress)
{
    private readonly Dictionary<IPAddress, int> _perAddress = [];
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
        lock (_lock)
        {
            perAddress = false;
            if (_total >= MaxConnections)
            {
                return null;
            }

            if (address is not null)
            {
                _perAddress.TryGetValue(address, out var current);
                if (current >= MaxConnectionsPerAddress)
                {
                    perAddress = true;
                    return null;
                }

                _perAddress[address] = current + 1;
            }

            _total++;
            return new Lease(this, address);
        }
    }

    /// <summary>
    /// Kestrel connection middleware that applies this limiter. A refused connection hears
    /// <paramref name="protocol"/>'s busy line if the listener is not implicit TLS (there is no TLS
    /// session yet to say it in), then is closed.
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware(LineProtocol protocol, TlsMode tls, string listener,
        GroupwareMetrics metrics) => next => async connection =>
    {
        var listenerTag = new KeyValuePair<string, object?>("listener", listener);
        var address = connection.RemoteEndPoint is IPEndPoint ip
            ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)
            : null;
        using var lease = TryAcquire(address, out var perAddress);
        if (lease is null)
        {
            metrics.ConnectionsRefused.Add(1, listenerTag, new("limit", perAddress ? "address" : "listener"));
            var reply = protocol.TooManyConnectionsReply(perAddress);
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

    private void Release(IPAddress? address)
    {
        lock (_lock)
        {
            _total--;
            if (address is not null && _perAddress.TryGetValue(address, out var current))
            {
                if (current <= 1)
                {
                    _perAddress.Remove(address);
                }
                else
                {
                    _perAddress[address] = current - 1;
                }
            }
        }
    }

    private sealed class Lease(ConnectionLimiter limiter, IPAddress? address) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(address);
            }
        }
    }
}
