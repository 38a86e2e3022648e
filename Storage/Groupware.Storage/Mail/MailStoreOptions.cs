namespace Groupware.Storage.Mail;

/// <summary>The mail store's own limits.</summary>
public sealed record MailStoreOptions
{
    /// <summary>
    /// How long the record of an expunged UID (with its MODSEQ) is kept for QRESYNC's VANISHED
    /// (RFC 7162 §3.2.5.1, §3.2.6) before the next expunge in its mailbox prunes it. 30 days: longer
    /// than a phone or a laptop usually stays offline (a holiday), so that those still resynchronise
    /// with a short answer; it is the knob Cyrus gives operators as <c>cyr_expire -X expunge-days</c>.
    /// A client whose MODSEQ is older than what was pruned still gets a correct answer, only a longer
    /// one: every UID it names (or every UID below UIDNEXT) that is gone, reported as vanished.
    /// </summary>
    public TimeSpan ExpungedUidRetention { get; init; } = TimeSpan.FromDays(30);
}
