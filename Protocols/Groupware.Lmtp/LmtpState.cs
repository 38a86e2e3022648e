namespace Groupware.Lmtp;

/// <summary>Where an LMTP session is in RFC 5321 §3.3's sequence; a flag set, so the command table can list several.</summary>
[Flags]
internal enum LmtpState
{
    /// <summary>Greeted, no LHLO yet (or again after STARTTLS, RFC 3207 §4.2).</summary>
    Connected = 1,

    /// <summary>After LHLO, outside a mail transaction.</summary>
    Ready = 2,

    /// <summary>After MAIL: RCPT, DATA or BDAT may follow.</summary>
    Mail = 4,

    /// <summary>After a BDAT chunk without LAST (RFC 3030 §2): only BDAT, RSET, NOOP, QUIT.</summary>
    Chunking = 8,

    Any = Connected | Ready | Mail | Chunking,
}
