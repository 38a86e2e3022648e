using System.Net;

namespace Groupware.Connections;

/// <summary>Which accounts may log in with a clear-text password on an insecure (legacy) node.</summary>
public enum PlaintextAccounts
{
    /// <summary>Only accounts flagged <c>legacy-device</c> (the default).</summary>
    LegacyDevices,

    /// <summary>Every account; the operator chose this deliberately.</summary>
    Any,
}

/// <summary>
/// The node-wide security policy every session carries to the auth module. A secure node
/// (<see cref="AllowPlaintextAuth"/> false) refuses every password that arrives without TLS.
/// </summary>
/// <param name="NodeName">The node's name from <c>Node:Name</c>; shown in every log line.</param>
/// <param name="AllowPlaintextAuth"><c>Node:AllowPlaintextAuth</c>: true only on a legacy node.</param>
/// <param name="PlaintextAccounts"><c>Node:PlaintextAccounts</c>: who may log in in clear on a legacy node.</param>
/// <param name="TrustedNetworks"><c>Node:TrustedNetworks</c>: networks whose clear-text connections count as secure.</param>
public sealed record NodePolicy(
    string NodeName,
    bool AllowPlaintextAuth,
    PlaintextAccounts PlaintextAccounts,
    IReadOnlyList<IPNetwork> TrustedNetworks)
{
    /// <summary>A secure node with no trusted networks, for tools and tests.</summary>
    public static NodePolicy Secure(string nodeName) => new(nodeName, false, PlaintextAccounts.LegacyDevices, []);
}
