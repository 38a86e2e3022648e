namespace Groupware.Storage.Mail;

/// <summary>One message of a POP3 maildrop (RFC 1939 §5): the live messages of the INBOX.</summary>
/// <param name="MailboxId">The INBOX's id.</param>
/// <param name="Uid">The message's UID in the INBOX.</param>
/// <param name="Size">Exact octets of the message as stored (CRLF line ends), what RETR sends before dot-stuffing.</param>
/// <param name="UniqueId">The UIDL value (RFC 1939 §7): <c>UIDVALIDITY.UID</c>, stable and unique per account for the life of the message.</param>
public sealed record MaildropMessage(long MailboxId, long Uid, long Size, string UniqueId);

/// <summary>A mailbox (IMAP folder) with the counters RFC 9051 §2.3.1.1 and RFC 7162 §3.1.1 name.</summary>
/// <param name="Id">The mailbox's id, unique in the installation; it stays the same across RENAME.</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="Name">The full name, levels separated by <see cref="MailboxNames.Separator"/>; the inbox is <c>INBOX</c>.</param>
/// <param name="UidValidity">UIDVALIDITY; a new one whenever the name gets a new mailbox (or a placeholder becomes one).</param>
/// <param name="UidNext">UIDNEXT.</param>
/// <param name="HighestModSeq">HIGHESTMODSEQ (RFC 7162 §3.1.2.1).</param>
/// <param name="SpecialUse">The RFC 6154 attribute, e.g. <c>\Sent</c>; null for an ordinary mailbox and every placeholder.</param>
/// <param name="Selectable">False for a <c>\Noselect</c> placeholder: a name kept because it has inferiors (RFC 9051 §6.3.5).</param>
public sealed record Mailbox(
    long Id,
    long AccountId,
    string Name,
    long UidValidity,
    long UidNext,
    long HighestModSeq,
    string? SpecialUse,
    bool Selectable);

/// <summary>The mailboxes every account has, and their RFC 6154 special-use attributes.</summary>
public static class DefaultMailboxes
{
    public const string Inbox = "INBOX";

    /// <summary>INBOX, then the special-use mailboxes of RFC 6154 §2 that clients look for.</summary>
    public static IReadOnlyList<(string Name, string? SpecialUse)> All { get; } =
    [
        (Inbox, null),
        ("Drafts", @"\Drafts"),
        ("Sent", @"\Sent"),
        ("Trash", @"\Trash"),
        ("Junk", @"\Junk"),
        ("Archive", @"\Archive"),
    ];
}

/// <summary>One copy of a message to store for one account.</summary>
/// <param name="AccountId">The recipient's account; the copy goes to its INBOX.</param>
/// <param name="TraceFields">Header fields for this copy only (Return-Path, Delivered-To, Received), CRLF-terminated; see <see cref="TraceFields"/>.</param>
public sealed record MessageDelivery(long AccountId, ReadOnlyMemory<byte> TraceFields);

/// <summary>What became of one <see cref="MessageDelivery"/>.</summary>
public enum DeliveryStatus
{
    /// <summary>Committed: the message is in the INBOX.</summary>
    Delivered,

    /// <summary>The copy would take the account over its quota (RFC 3463 X.2.2).</summary>
    MailboxFull,

    /// <summary>The account is disabled (RFC 3463 X.2.1).</summary>
    Disabled,

    /// <summary>The account no longer exists (RFC 3463 X.1.1).</summary>
    NoSuchAccount,
}

/// <summary>The outcome of one delivery; <see cref="MailboxId"/> and <see cref="Uid"/> are set when delivered.</summary>
public sealed record DeliveryResult(DeliveryStatus Status, long MailboxId = 0, long Uid = 0);

/// <summary>The message asked for is not (or no longer) in the mailbox: expunged by another session, or never there.</summary>
public sealed class MessageNotFoundException(string message) : Exception(message);
