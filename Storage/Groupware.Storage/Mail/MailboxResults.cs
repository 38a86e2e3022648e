namespace Groupware.Storage.Mail;

/// <summary>What became of a CREATE (RFC 9051 §6.3.4, with RFC 6154 §3's USE).</summary>
public enum CreateMailboxResult
{
    /// <summary>The mailbox exists now, with any superior names that were missing (RFC 9051 §6.3.4 SHOULD).</summary>
    Created,

    /// <summary>A mailbox of that name exists (INBOX always does): NO [ALREADYEXISTS].</summary>
    AlreadyExists,

    /// <summary>Another mailbox of the account has that special use: NO [USEATTR]. Two \Sent mailboxes break iOS Mail.</summary>
    SpecialUseInUse,

    /// <summary>The name cannot name a mailbox (see <see cref="MailboxNames.IsValid"/>): NO [CANNOT].</summary>
    InvalidName,

    /// <summary>The special use is none of RFC 6154 §2's attributes: NO [USEATTR].</summary>
    UnknownSpecialUse,
}

/// <summary>What became of a DELETE (RFC 9051 §6.3.5).</summary>
public enum DeleteMailboxResult
{
    /// <summary>The mailbox and its messages are gone.</summary>
    Deleted,

    /// <summary>It had inferiors: its messages are gone and its name stays as a <c>\Noselect</c> placeholder.</summary>
    BecamePlaceholder,

    /// <summary>No mailbox of that name: NO [NONEXISTENT].</summary>
    NoSuchMailbox,

    /// <summary>INBOX cannot be deleted: NO [CANNOT].</summary>
    IsInbox,

    /// <summary>A placeholder with inferiors cannot be deleted (RFC 9051 §6.3.5): NO [HASCHILDREN].</summary>
    PlaceholderHasChildren,
}

/// <summary>What became of a RENAME (RFC 9051 §6.3.6).</summary>
public enum RenameMailboxResult
{
    /// <summary>Renamed with its inferiors (or, for INBOX, its messages moved to the new mailbox).</summary>
    Renamed,

    /// <summary>No mailbox of the old name: NO [NONEXISTENT].</summary>
    NoSuchMailbox,

    /// <summary>A mailbox of the new name exists (INBOX always does): NO [ALREADYEXISTS].</summary>
    TargetExists,

    /// <summary>The new name is not valid, or lies inside the old mailbox's own subtree: NO [CANNOT].</summary>
    InvalidName,
}

/// <summary>
/// STATUS of a mailbox (RFC 9051 §6.3.11, RFC 7162 §3.1.7, RFC 8438 SIZE, RFC 3501 RECENT, RFC 9208
/// §4.1.4 DELETED-STORAGE). <see cref="Recent"/> counts the messages no session has claimed as \Recent
/// yet; <see cref="DeletedSize"/> is the octets of the \Deleted ones, which an EXPUNGE would free.
/// </summary>
public sealed record MailboxStatus(
    long MailboxId,
    long Messages,
    long Recent,
    long UidNext,
    long UidValidity,
    long Unseen,
    long Deleted,
    long Size,
    long HighestModSeq,
    long DeletedSize);
