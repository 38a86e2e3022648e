namespace Groupware.Storage.Mail;

/// <summary>
/// A SEARCH criterion (RFC 9051 §6.4.4, RFC 7162 §3.1.5) after the IMAP side has turned message
/// sequence numbers into UIDs: a tree that <see cref="MailStore.SearchAsync"/> turns into one
/// parameterised SQL statement. Strings match as case-insensitive substrings (ASCII and beyond,
/// as PostgreSQL's ILIKE folds case); the empty string matches whatever exists.
/// </summary>
/// <remarks>
/// Days "disregarding time and timezone": an internal date falls on its day in UTC (the store keeps
/// instants; INTERNALDATE should be shown in UTC to agree); a sent date falls on the day its Date
/// field gives, in the field's own zone, and a message without a readable Date field on the UTC day
/// of its internal date (as RFC 5256 §2.2 does for SORT).
/// </remarks>
public abstract record MessageQuery
{
    /// <summary>
    /// Deepest nesting of And, Or and Not a query may have: 64, far beyond what clients send, so that
    /// neither the translation nor PostgreSQL's max_stack_depth is ever the limit. The IMAP parser
    /// should refuse deeper criteria with BAD; the store throws <see cref="ArgumentException"/>.
    /// </summary>
    public const int MaxDepth = 64;

    private protected MessageQuery()
    {
    }

    /// <summary>ALL: every message.</summary>
    public static MessageQuery All { get; } = new AllMessages();

    /// <summary>Messages matching every one of <paramref name="queries"/> (ALL for none).</summary>
    public static MessageQuery And(params IReadOnlyList<MessageQuery> queries) => new AndQuery(queries);

    /// <summary>OR.</summary>
    public static MessageQuery Or(MessageQuery left, MessageQuery right) => new OrQuery(left, right);

    /// <summary>NOT.</summary>
    public static MessageQuery Not(MessageQuery query) => new NotQuery(query);

    /// <summary>UID with a set of ranges; see <see cref="UidRange"/> for <c>*</c>.</summary>
    public static MessageQuery Uids(params IReadOnlyList<UidRange> ranges) => new UidQuery(ranges);

    /// <summary>ANSWERED, DELETED, DRAFT, FLAGGED, SEEN: all of <paramref name="flags"/> set.</summary>
    public static MessageQuery FlagSet(SystemFlags flags) => new FlagQuery(flags, true);

    /// <summary>UNANSWERED, UNDELETED, UNDRAFT, UNFLAGGED, UNSEEN: none of <paramref name="flags"/> set.</summary>
    public static MessageQuery FlagUnset(SystemFlags flags) => new FlagQuery(flags, false);

    /// <summary>KEYWORD.</summary>
    public static MessageQuery KeywordSet(string keyword) => new KeywordQuery(keyword, true);

    /// <summary>UNKEYWORD.</summary>
    public static MessageQuery KeywordUnset(string keyword) => new KeywordQuery(keyword, false);

    /// <summary>BEFORE, ON, SINCE.</summary>
    public static MessageQuery Internal(DateComparison comparison, DateOnly day) => new InternalDateQuery(comparison, day);

    /// <summary>SAVEDBEFORE, SAVEDON, SAVEDSINCE (RFC 8514 §4.2): the save date's day in UTC.</summary>
    public static MessageQuery Saved(DateComparison comparison, DateOnly day) => new SavedDateQuery(comparison, day);

    /// <summary>SENTBEFORE, SENTON, SENTSINCE.</summary>
    public static MessageQuery Sent(DateComparison comparison, DateOnly day) => new SentDateQuery(comparison, day);

    /// <summary>LARGER n.</summary>
    public static MessageQuery Larger(long size) => new SizeQuery(SizeComparison.Larger, size);

    /// <summary>SMALLER n.</summary>
    public static MessageQuery Smaller(long size) => new SizeQuery(SizeComparison.Smaller, size);

    /// <summary>HEADER field-name string; an empty string matches every message that has the field.</summary>
    public static MessageQuery Header(string field, string value) => new HeaderQuery(field, value);

    /// <summary>FROM: the From field.</summary>
    public static MessageQuery From(string value) => new AddressQuery("From", value);

    /// <summary>TO: the To field.</summary>
    public static MessageQuery To(string value) => new AddressQuery("To", value);

    /// <summary>CC: the Cc field.</summary>
    public static MessageQuery Cc(string value) => new AddressQuery("Cc", value);

    /// <summary>BCC: the Bcc field.</summary>
    public static MessageQuery Bcc(string value) => new AddressQuery("Bcc", value);

    /// <summary>SUBJECT: the Subject field (decoded).</summary>
    public static MessageQuery Subject(string value) => new HeaderQuery("Subject", value);

    /// <summary>BODY: the decoded text of the message's text parts.</summary>
    public static MessageQuery Body(string value) => new BodyQuery(value);

    /// <summary>TEXT: the header fields or the body.</summary>
    public static MessageQuery Text(string value) => new TextQuery(value);

    /// <summary>MODSEQ n (RFC 7162 §3.1.5): a MODSEQ of at least <paramref name="modSeq"/>.</summary>
    public static MessageQuery ModSeqAtLeast(long modSeq) => new ModSeqQuery(modSeq);

    /// <summary>YOUNGER n (RFC 5032 §3): an internal date at or after <paramref name="instant"/>.</summary>
    public static MessageQuery ReceivedAtOrAfter(DateTimeOffset instant) => new ReceivedInstantQuery(instant, After: true);

    /// <summary>OLDER n (RFC 5032 §3): an internal date before <paramref name="instant"/>.</summary>
    public static MessageQuery ReceivedBefore(DateTimeOffset instant) => new ReceivedInstantQuery(instant, After: false);

    /// <summary>EMAILID (RFC 8474 §6): the copies of the content with that EMAILID.</summary>
    public static MessageQuery EmailId(string emailId) => new EmailIdQuery(emailId);
}

/// <summary>
/// UIDs from <see cref="First"/> to <see cref="Last"/>, in either order as in a sequence set
/// (RFC 9051 §9 seq-range); <see cref="Highest"/> for an end means <c>*</c>, the highest UID in the
/// mailbox, so that <c>5:*</c> includes the last message even when its UID is below 5.
/// </summary>
public readonly record struct UidRange(long First, long Last)
{
    /// <summary>The <c>*</c> of a sequence set.</summary>
    public const long Highest = long.MaxValue;

    /// <summary>One UID alone.</summary>
    public static UidRange Only(long uid) => new(uid, uid);
}

/// <summary>How a date criterion compares a day (RFC 9051 §6.4.4).</summary>
public enum DateComparison
{
    /// <summary>Earlier than the day.</summary>
    Before,

    /// <summary>On the day.</summary>
    On,

    /// <summary>On the day or later.</summary>
    Since,
}

/// <summary>How a size criterion compares RFC822.SIZE.</summary>
public enum SizeComparison
{
    /// <summary>LARGER: more octets than the size.</summary>
    Larger,

    /// <summary>SMALLER: fewer octets than the size.</summary>
    Smaller,
}

/// <summary>ALL.</summary>
public sealed record AllMessages : MessageQuery;

/// <summary>Every one of <see cref="Queries"/> (ALL when empty).</summary>
public sealed record AndQuery(IReadOnlyList<MessageQuery> Queries) : MessageQuery;

/// <summary>Either of two.</summary>
public sealed record OrQuery(MessageQuery Left, MessageQuery Right) : MessageQuery;

/// <summary>Not <see cref="Query"/>.</summary>
public sealed record NotQuery(MessageQuery Query) : MessageQuery;

/// <summary>UIDs in any of <see cref="Ranges"/>.</summary>
public sealed record UidQuery(IReadOnlyList<UidRange> Ranges) : MessageQuery;

/// <summary>All of <see cref="Flags"/> set (<see cref="Set"/>) or none of them set.</summary>
public sealed record FlagQuery(SystemFlags Flags, bool Set) : MessageQuery;

/// <summary>The keyword set (<see cref="Set"/>) or not; compared case-insensitively.</summary>
public sealed record KeywordQuery(string Keyword, bool Set) : MessageQuery;

/// <summary>The internal date's day (UTC) compared with <see cref="Day"/>.</summary>
public sealed record InternalDateQuery(DateComparison Comparison, DateOnly Day) : MessageQuery;

/// <summary>The save date's day (UTC) compared with <see cref="Day"/>; the internal date for messages saved before it was recorded.</summary>
public sealed record SavedDateQuery(DateComparison Comparison, DateOnly Day) : MessageQuery;

/// <summary>The Date field's day (its own zone) compared with <see cref="Day"/>.</summary>
public sealed record SentDateQuery(DateComparison Comparison, DateOnly Day) : MessageQuery;

/// <summary>RFC822.SIZE compared with <see cref="Size"/>.</summary>
public sealed record SizeQuery(SizeComparison Comparison, long Size) : MessageQuery;

/// <summary>A header field named <see cref="Field"/> (any case) whose value, decoded, contains <see cref="Value"/>.</summary>
public sealed record HeaderQuery(string Field, string Value) : MessageQuery;

/// <summary>
/// FROM, TO, CC, BCC (RFC 9051 §6.4.4): the substring in the header field as it is, or in one of the
/// field's addresses as parsed (<c>mailbox@host</c>, or the display name), so that
/// <c>&lt;user (comment)@ (comment) domain.org&gt;</c> is found by <c>user@domain.org</c>, as Dovecot finds it.
/// </summary>
public sealed record AddressQuery(string Field, string Value) : MessageQuery;

/// <summary>The body's decoded text contains <see cref="Value"/>.</summary>
public sealed record BodyQuery(string Value) : MessageQuery;

/// <summary>A header field or the body contains <see cref="Value"/>.</summary>
public sealed record TextQuery(string Value) : MessageQuery;

/// <summary>A MODSEQ of at least <see cref="ModSeq"/>.</summary>
public sealed record ModSeqQuery(long ModSeq) : MessageQuery;

/// <summary>The internal date at or after <see cref="Instant"/> (<see cref="After"/>) or before it.</summary>
public sealed record ReceivedInstantQuery(DateTimeOffset Instant, bool After) : MessageQuery;

/// <summary>The message's EMAILID is <see cref="Id"/> (compared exactly, as RFC 8474 §6 defines the identifiers).</summary>
public sealed record EmailIdQuery(string Id) : MessageQuery;
