using Groupware.Connections;

namespace Groupware.Server.Hosting;

/// <summary>
/// The protocols a listener may name, the TLS modes each can use, and which of them this build
/// serves. A listener naming a known but unimplemented protocol is refused at start-up.
/// </summary>
internal sealed class ProtocolCatalog
{
    private static readonly Dictionary<string, TlsMode[]> Standard = new(StringComparer.Ordinal)
    {
        ["imap"] = [TlsMode.Implicit, TlsMode.StartTls, TlsMode.None],
        ["pop3"] = [TlsMode.Implicit, TlsMode.StartTls, TlsMode.None],
        // RFC 2033 §4.2 and RFC 3207: LMTP from a remote MTA upgrades with STARTTLS.
        ["lmtp"] = [TlsMode.None, TlsMode.StartTls],
        // HTTP has no STARTTLS (RFC 2817 is not used by clients).
        ["caldav"] = [TlsMode.Implicit, TlsMode.None],
        // none: HTTP/2 by prior knowledge, on a legacy node only (a secure node allows none only for LMTP).
        ["rpc"] = [TlsMode.Implicit, TlsMode.None],
        // The Dovecot authentication protocol has no TLS: loopback or a unix socket only (ConfigReader).
        ["sasl"] = [TlsMode.None],
        // Client set-up documents carry no credentials: clear HTTP (autoconfig.DOMAIN on port 80) or HTTPS.
        ["autoconfig"] = [TlsMode.None, TlsMode.Implicit],
    };

    private readonly SortedSet<string> _implemented;
    private readonly Dictionary<string, TlsMode[]> _allowed;

    /// <param name="implemented">The names of the protocols served; a name outside the standard five
    /// (a test's own protocol) becomes known too, with every TLS mode.</param>
    public ProtocolCatalog(IEnumerable<string> implemented)
    {
        _implemented = new SortedSet<string>(implemented, StringComparer.Ordinal);
        _allowed = new Dictionary<string, TlsMode[]>(Standard, StringComparer.Ordinal);
        foreach (var extra in _implemented.Where(k => !_allowed.ContainsKey(k)))
        {
            _allowed[extra] = [TlsMode.Implicit, TlsMode.StartTls, TlsMode.None];
        }
    }

    /// <summary>The catalog of this build.</summary>
    public static ProtocolCatalog Default { get; } = new(ProtocolRegistration.Implemented);

    /// <summary>Every protocol name a listener may use.</summary>
    public IReadOnlyList<string> Known => [.. _allowed.Keys];

    /// <summary>The protocols this build serves.</summary>
    public IReadOnlyList<string> Implemented => [.. _implemented];

    public bool IsImplemented(string protocol) => _implemented.Contains(protocol);

    public IReadOnlyList<TlsMode> AllowedTls(string protocol) => _allowed[protocol];
}
