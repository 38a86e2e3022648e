namespace Groupware.Tests.Imap;

/// <summary>
/// SELECT and EXAMINE with QRESYNC (RFC 7162 §3.2.5): after the mailbox's state, VANISHED (EARLIER)
/// for the known UIDs expunged since the client's MODSEQ and a FETCH (UID FLAGS MODSEQ) for each
/// known message changed since (§3.2.5.1), all UIDs below UIDNEXT when no known-uids are given, none
/// of it for a UIDVALIDITY that is not the mailbox's; CLOSED when another mailbox was selected
/// (§3.2.11); UID FETCH with CHANGEDSINCE and VANISHED (§3.2.6, its Example 1).
/// </summary>
public sealed class ImapQResyncSelectTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    /// <summary>
    /// Ten messages (HIGHESTMODSEQ 11, what the client last saw); then another session expunges UIDs 2
    /// and 5 (MODSEQ 12 and 13) and flags UID 7 (MODSEQ 14), the fifth message of the eight left.
    /// </summary>
    private async Task<(LineClient Client, string UidValidity)> ChangedWhileAwayAsync()
    {
        var (client, login) = await CondStoreMailbox.CreateAsync(_node, 10);
        await using var other = await CondStoreMailbox.OtherSessionAsync(_node, login);
        await CondStoreMailbox.OkAsync(other, "UID STORE 2,5 +FLAGS.SILENT (\\Deleted)");
        await CondStoreMailbox.OkAsync(other, "EXPUNGE");
        await CondStoreMailbox.OkAsync(other, "UID STORE 7 +FLAGS.SILENT (\\Flagged)");
        return (client, await CondStoreMailbox.UidValidityAsync(client));
    }

    [Test]
    public async Task SELECT_QRESYNC_answers_what_was_expunged_and_changed_since_the_clients_MODSEQ()
    {
        var (client, uidValidity) = await ChangedWhileAwayAsync();
        await using var session = client;
        await Transcript.PlayAsync(session, $"""
            C: A01 ENABLE QRESYNC
            S: * ENABLED QRESYNC
            S: A01 OK Enable completed.
            §3.2.5.1: no known UIDs means 1:UIDNEXT-1.
            C: A03 SELECT INBOX (QRESYNC ({uidValidity} 11))
            S: * FLAGS *
            S: * 8 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY {uidValidity}] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 14] Highest mailbox mod-sequence.
            S: * VANISHED (EARLIER) 2,5
            S: * 5 FETCH (UID 7 FLAGS (\Flagged) MODSEQ (14))
            S: A03 OK [READ-WRITE] Select completed.
            With known UIDs, only those are reported; the selected mailbox is closed first (§3.2.11).
            C: A04 EXAMINE INBOX (QRESYNC ({uidValidity} 11 1:4))
            S: * OK [CLOSED] Previous mailbox is now closed.
            S: * FLAGS *
            S: * 8 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY {uidValidity}] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 14] Highest mailbox mod-sequence.
            S: * VANISHED (EARLIER) 2
            S: A04 OK [READ-ONLY] Examine completed.
            C: A05 EXAMINE INBOX (QRESYNC ({uidValidity} 11 6:10))
            S: * OK [CLOSED] *
            S: * FLAGS *
            S: * 8 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY {uidValidity}] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 14] *
            S: * 5 FETCH (UID 7 FLAGS (\Flagged) MODSEQ (14))
            S: A05 OK [READ-ONLY] Examine completed.
            The records are all there, so sequence match data changes nothing (§3.2.5.2).
            C: A06 SELECT INBOX (QRESYNC ({uidValidity} 11 1:10 (1,2 1,2)))
            S: * OK [CLOSED] *
            S: * FLAGS *
            S: * 8 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY {uidValidity}] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 14] *
            S: * VANISHED (EARLIER) 2,5
            S: * 5 FETCH (UID 7 FLAGS (\Flagged) MODSEQ (14))
            S: A06 OK [READ-WRITE] Select completed.
            A MODSEQ of now: nothing to tell.
            C: A07 SELECT INBOX (QRESYNC ({uidValidity} 14 1:10))
            S: * OK [CLOSED] *
            S: * FLAGS *
            S: * 8 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY {uidValidity}] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 14] *
            S: A07 OK [READ-WRITE] Select completed.
            """);
    }

    [Test]
    public async Task A_UIDVALIDITY_that_is_not_the_mailboxs_gets_a_plain_SELECT()
    {
        var (client, uidValidity) = await ChangedWhileAwayAsync();
        await using var session = client;
        var stale = long.Parse(uidValidity, System.Globalization.CultureInfo.InvariantCulture) - 1;
        await Transcript.PlayAsync(session, $"""
            C: A01 ENABLE QRESYNC
            S: * ENABLED QRESYNC
            S: A01 OK Enable completed.
            §3.2.5: the remaining parameters are ignored.
            C: A02 SELECT INBOX (QRESYNC ({stale} 11 1:10))
            S: * FLAGS *
            S: * 8 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY {uidValidity}] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 14] Highest mailbox mod-sequence.
            S: A02 OK [READ-WRITE] Select completed.
            """);
    }

    [Test]
    public async Task UID_FETCH_CHANGEDSINCE_VANISHED_reports_expunges_of_the_set_before_its_FETCHes()
    {
        var (client, _) = await ChangedWhileAwayAsync();
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: A01 ENABLE QRESYNC
            S: * ENABLED QRESYNC
            S: A01 OK Enable completed.
            C: A02 EXAMINE INBOX
            S: * FLAGS *
            S: * 8 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 14] Highest mailbox mod-sequence.
            S: A02 OK [READ-ONLY] Examine completed.
            §3.2.6 Example 1.
            C: s100 UID FETCH 1:10 (FLAGS) (CHANGEDSINCE 11 VANISHED)
            S: * VANISHED (EARLIER) 2,5
            S: * 5 FETCH (UID 7 FLAGS (\Flagged) MODSEQ (14))
            S: s100 OK Fetch completed.
            C: s101 UID FETCH 3:6 (FLAGS) (CHANGEDSINCE 11 VANISHED)
            S: * VANISHED (EARLIER) 5
            S: s101 OK Fetch completed.
            C: s102 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 14 VANISHED)
            S: s102 OK Fetch completed.
            """);
    }
}
