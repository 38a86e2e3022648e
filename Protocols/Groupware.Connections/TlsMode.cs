namespace Groupware.Connections;

/// <summary>How a listener protects its connections (RFC 8314 §3 and §4).</summary>
public enum TlsMode
{
    /// <summary>Clear text for the whole connection: LMTP on loopback, or a legacy node's listeners.</summary>
    None,

    /// <summary>Clear until the client upgrades with STARTTLS (RFC 3501 §6.2.1) or STLS (RFC 2595 §4).</summary>
    StartTls,

    /// <summary>TLS from the first byte (RFC 8314 §3.3): 993, 995, 8443, 237.</summary>
    Implicit,
}
