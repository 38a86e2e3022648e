namespace Groupware.Storage.Mail;

/// <summary>
/// The system flags of RFC 9051 §2.3.2, stored as the bits of <c>messages.system_flags</c>
/// (Migrations/0006_imap.sql). \Recent is not among them: it is not stored per message but
/// claimed per session (<see cref="MailStore.ClaimRecentAsync"/>).
/// </summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix",
    Justification = "\"System flags\" is what RFC 9051 §2.3.2 calls them.")]
public enum SystemFlags : short
{
    /// <summary>No system flag.</summary>
    None = 0,

    /// <summary>\Seen: the message has been read.</summary>
    Seen = 1,

    /// <summary>\Answered: the message has been answered.</summary>
    Answered = 2,

    /// <summary>\Flagged: the message is flagged for urgent or special attention.</summary>
    Flagged = 4,

    /// <summary>\Deleted: the message is to be removed by the next EXPUNGE.</summary>
    Deleted = 8,

    /// <summary>\Draft: the message is a draft.</summary>
    Draft = 16,
}

/// <summary>What a STORE does with the flags it names (RFC 9051 §6.4.6).</summary>
public enum FlagChange
{
    /// <summary><c>+FLAGS</c>: adds them.</summary>
    Add,

    /// <summary><c>-FLAGS</c>: removes them.</summary>
    Remove,

    /// <summary><c>FLAGS</c>: replaces all flags and keywords with them.</summary>
    Replace,
}
