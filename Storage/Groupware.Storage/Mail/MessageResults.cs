namespace Groupware.Storage.Mail;

/// <summary>What became of an APPEND (RFC 9051 §6.3.12).</summary>
public enum AppendStatus
{
    /// <summary>Stored; <see cref="AppendResult.UidValidity"/> and <see cref="AppendResult.Uid"/> give APPENDUID (RFC 4315).</summary>
    Appended,

    /// <summary>No mailbox of that name: NO [TRYCREATE].</summary>
    NoSuchMailbox,

    /// <summary>The name is a <c>\Noselect</c> placeholder: NO [CANNOT].</summary>
    NotSelectable,

    /// <summary>The message would take the account over its quota: NO [OVERQUOTA] (RFC 9208 §4.3).</summary>
    OverQuota,
}

/// <summary>
/// The outcome of an APPEND; the UIDs are set when appended: <paramref name="Uid"/> is the first of
/// <paramref name="Count"/> consecutive ones (more than one for MULTIAPPEND, RFC 3502).
/// </summary>
public sealed record AppendResult(AppendStatus Status, long UidValidity = 0, long Uid = 0, int Count = 1);

/// <summary>One message of an APPEND: the spooled octets, its flags, keywords and internal date.</summary>
public sealed record AppendedMessage(IncomingMessage Message, SystemFlags Flags, IReadOnlyList<string> Keywords, DateTimeOffset InternalDate);

/// <summary>
/// The outcome of a STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3).
/// </summary>
/// <param name="Updated">Each message whose flags changed: its new state with the transaction's new MODSEQ. A message the
/// STORE left as it was is not here (its MODSEQ is unchanged too); fetch it if the reply must show it (UNCHANGEDSINCE).</param>
/// <param name="Modified">UIDs that failed the UNCHANGEDSINCE test (their MODSEQ is higher): the MODIFIED response code.</param>
/// <param name="RefusedKeywords">Keywords that were not stored: not valid keywords (<see cref="MailStore.IsValidKeyword"/>), or new
/// to a mailbox that already has <see cref="MailStore.MaxKeywordsPerMailbox"/>; empty normally.</param>
/// <param name="HighestModSeqBefore">The mailbox's HIGHESTMODSEQ before this STORE raised it (to the MODSEQ of <paramref name="Updated"/>); 0
/// when nothing changed. A view that had read up to it holds every change up to the new one once it applied this result.</param>
public sealed record StoreResult(IReadOnlyList<MessageState> Updated, IReadOnlyList<long> Modified, IReadOnlyList<string> RefusedKeywords,
    long HighestModSeqBefore = 0)
{
    /// <summary>A STORE that changed nothing.</summary>
    public static StoreResult Nothing { get; } = new([], [], []);
}

/// <summary>What became of a COPY or MOVE (RFC 9051 §6.4.7, §6.4.8).</summary>
public enum CopyStatus
{
    /// <summary>Done; the UIDs give COPYUID (RFC 4315).</summary>
    Copied,

    /// <summary>No target of that name: NO [TRYCREATE].</summary>
    NoSuchMailbox,

    /// <summary>The target is a <c>\Noselect</c> placeholder: NO [CANNOT].</summary>
    NotSelectable,

    /// <summary>The copies would take the account over its quota: NO [OVERQUOTA]. A MOVE never is (it adds nothing).</summary>
    OverQuota,
}

/// <summary>
/// The outcome of a COPY or MOVE: the target's UIDVALIDITY, the source UIDs found (ascending) and
/// the UIDs their copies got, pairwise; for a MOVE, the source UIDs expunged (the same as
/// <see cref="SourceUids"/>). UIDs asked for that were not there (expunged) are simply absent.
/// </summary>
public sealed record CopyResult(CopyStatus Status, long UidValidity, IReadOnlyList<long> SourceUids, IReadOnlyList<long> TargetUids,
    IReadOnlyList<long> Expunged)
{
    /// <summary>A refusal: nothing copied.</summary>
    public static CopyResult Refused(CopyStatus status) => new(status, 0, [], [], []);
}
