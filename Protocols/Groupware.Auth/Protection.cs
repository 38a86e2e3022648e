using System.Net;
using Groupware.Connections;

namespace Groupware.Auth;

/// <summary>
/// The rule every login decision starts from (DESIGN.md, the security invariant): whether a
/// credential sent on a connection now is protected — TLS, or a clear-text connection from a
/// network the operator listed in <c>Node:TrustedNetworks</c>. It lives here, beside the decision it
/// feeds, so that no front-end judges a connection for itself.
/// </summary>
internal static class Protection
{
    /// <summary>Whether a password sent now would be protected (RFC 8314 §4.1: TLS, or a network the operator vouches for).</summary>
    public static bool IsProtected(ConnectionSecurity security) => security.IsTls || IsTrusted(security.Node, security.RemoteEndPoint);

    /// <summary>
    /// Whether a clear-text connection from <paramref name="remote"/> counts as secure on this node. Loopback
    /// is not trusted unless listed: unlike Dovecot, a client on the same host is not assumed to be safe.
    /// </summary>
    public static bool IsTrusted(NodePolicy node, EndPoint? remote)
    {
        if (ConnectionSecurity.AddressOf(remote) is not { } address || node.TrustedNetworks.Count == 0)
        {
            return false;
        }

        foreach (var network in node.TrustedNetworks)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
