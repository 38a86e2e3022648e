using System.Net;
using System.Net.Sockets;
using Groupware.Connections;

namespace Groupware.Auth.Throttling;

/// <summary>
/// The unit throttling counts: an IPv4 client's address, or an IPv6 client's prefix of
/// <see cref="AuthOptions.IPv6PrefixLength"/> bits (one end site holds all of it). Dovecot groups
/// IPv6 clients the same way for its penalty, with a /48.
/// </summary>
internal static class ClientNetwork
{
    /// <summary>The network of <paramref name="address"/>.</summary>
    public static IPNetwork Of(IPAddress address, int ipv6PrefixLength)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
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

    /// <summary>
    /// Whether a client is exempt from the per-address delay and from the block list: loopback, a
    /// network listed in <c>Node:TrustedNetworks</c> (a webmail or proxy there speaks for many users,
    /// and blocking it would lock all of them out), and unix-socket peers. Their failures still delay
    /// the next attempt on the same account.
    /// </summary>
    public static bool IsExempt(ConnectionSecurity security) =>
        security.RemoteAddress is not { } address || IPAddress.IsLoopback(address) || Protection.IsTrusted(security.Node, security.RemoteEndPoint);
}
