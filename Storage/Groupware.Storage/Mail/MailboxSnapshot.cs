namespace Groupware.Storage.Mail;

/// <summary>
/// One message's flags as a session keeps them: UID, MODSEQ (RFC 7162 §3.1.4.2), system flags
/// and keywords. Keyword strings are shared between the states of one answer (one string per
/// keyword of the mailbox), so a snapshot of 100,000 messages costs little beyond the list itself.
/// </summary>
public sealed record MessageState(long Uid, long ModSeq, SystemFlags Flags, IReadOnlyList<string> Keywords);

/// <summary>
/// Everything a session needs when it selects a mailbox (RFC 9051 §6.3.2), read in one snapshot:
/// the counters, every keyword defined in the mailbox (for FLAGS and PERMANENTFLAGS), and every
/// message's state in UID order (its position is its sequence number).
/// </summary>
public sealed record MailboxSnapshot(long UidValidity, long UidNext, long HighestModSeq, IReadOnlyList<string> Keywords,
    IReadOnlyList<MessageState> Messages)
{
    /// <summary>The MODSEQ below which expunge records were pruned (see <see cref="MailboxChanges.ExpungedPrunedModSeq"/>).</summary>
    public long ExpungedPrunedModSeq { get; init; }

    /// <summary>For SELECT (QRESYNC): what changed after the client's MODSEQ, read in the same snapshot; null otherwise.</summary>
    public MailboxChanges? Resync { get; init; }
}

/// <summary>
/// What changed in a mailbox since a MODSEQ (RFC 7162 §3.1.4.1 CHANGEDSINCE, §3.2.5.2 VANISHED),
/// read in one snapshot: messages added or whose flags changed, in UID order, and UIDs expunged
/// (ascending), each with a MODSEQ above the one asked about.
/// </summary>
public sealed record MailboxChanges(long UidNext, long HighestModSeq, IReadOnlyList<string> Keywords, IReadOnlyList<MessageState> Changed,
    IReadOnlyList<long> Expunged)
{
    /// <summary>The mailbox's UIDVALIDITY when the changes were read (0 where the reader did not say).</summary>
    public long UidValidity { get; init; }

    /// <summary>
    /// The highest MODSEQ of the expunge records pruned from the mailbox (0 while none was;
    /// <see cref="MailStoreOptions.ExpungedUidRetention"/>). Asked about a MODSEQ below it,
    /// <see cref="Expunged"/> may miss UIDs whose records are gone.
    /// </summary>
    public long ExpungedPrunedModSeq { get; init; }

    /// <summary>
    /// Every UID in the mailbox, ascending, when <see cref="Expunged"/> may be short (the MODSEQ asked
    /// about is below <see cref="ExpungedPrunedModSeq"/>): a UID not here is gone. Null otherwise.
    /// </summary>
    public IReadOnlyList<long>? Present { get; init; }
}

/// <summary>
/// What FETCH needs of a message besides its octets (RFC 9051 §7.5.2). The message's octets are
/// <see cref="TraceLength"/> octets of trace fields (Return-Path, Delivered-To, Received) followed
/// by its shared content; the offsets in <see cref="BodyStructureJson"/> count from the start of
/// that content, so add <see cref="TraceLength"/> to read a part with
/// <see cref="MailStore.OpenMessageRangeAsync"/> (see <see cref="MessageSummary.FindPart"/>).
/// </summary>
/// <param name="Uid">The message's UID.</param>
/// <param name="ModSeq">Its MODSEQ.</param>
/// <param name="Flags">Its system flags.</param>
/// <param name="Keywords">Its keywords.</param>
/// <param name="Size">RFC822.SIZE: the octets of the whole message, trace fields included.</param>
/// <param name="InternalDate">INTERNALDATE (stored as an instant; render it in UTC, the zone SEARCH compares days in).</param>
/// <param name="EnvelopeJson">ENVELOPE as JSON (see <see cref="MessageSummary"/>).</param>
/// <param name="BodyStructureJson">BODYSTRUCTURE as JSON, with part offsets (see <see cref="MessageSummary"/>); empty when the caller did not ask for it.</param>
/// <param name="TraceLength">Octets of trace fields before the content.</param>
/// <param name="SaveDate">SAVEDATE (RFC 8514): when the message was stored in this mailbox; its internal date for messages
/// stored before that was recorded.</param>
/// <param name="EmailId">EMAILID (RFC 8474 §5.1): the same for every copy of one content in the account, and for nothing else.</param>
/// <param name="Preview">PREVIEW (RFC 8970) as stored, or the start of the text for content stored before previews were;
/// null when the caller did not ask for it.</param>
public sealed record MessageMetadata(long Uid, long ModSeq, SystemFlags Flags, IReadOnlyList<string> Keywords, long Size,
    DateTimeOffset InternalDate, string EnvelopeJson, string BodyStructureJson, int TraceLength,
    DateTimeOffset SaveDate = default, string EmailId = "", string? Preview = null);
