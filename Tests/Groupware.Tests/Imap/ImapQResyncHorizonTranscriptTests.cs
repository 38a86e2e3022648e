namespace Groupware.Tests.Imap;

/// <summary>
/// A resynchronisation from further back than the expunge records reach (Mail:ExpungedUidRetentionDays,
/// here 0: each expunge prunes the records of the ones before it). The client still gets a correct
/// answer, never a short one (RFC 7162 §3.2.6 note): every UID it knows (known-uids, or 1:UIDNEXT-1)
/// that is not in the mailbox, minus what its sequence match data shows it knows already (§3.2.5.2);
/// from a MODSEQ at or above the horizon, the records. A session whose view is that old is brought up
/// to date the same way.
/// </summary>
public sealed class ImapQResyncHorizonTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync(n => n.Set("Mail:ExpungedUidRetentionDays", "0"));

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task A_MODSEQ_older_than_the_pruned_records_gets_every_known_UID_that_is_gone()
    {
        var (client, login) = await CondStoreMailbox.CreateAsync(_node, 10);
        await using var session = client;
        await using var watcher = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(watcher, """
            C: w1 ENABLE QRESYNC
            S: * ENABLED QRESYNC
            S: w1 OK Enable completed.
            C: w2 EXAMINE INBOX
            S: * FLAGS *
            S: * 10 EXISTS
            S: * 10 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 11] *
            S: w2 OK [READ-ONLY] Examine completed.
            """);

        // UID 2 goes at MODSEQ 13; UID 5 at 15, which prunes UID 2's record: the horizon is 13.
        await using (var other = await CondStoreMailbox.OtherSessionAsync(_node, login))
        {
            await CondStoreMailbox.OkAsync(other, "UID STORE 2 +FLAGS.SILENT (\\Deleted)");
            await CondStoreMailbox.OkAsync(other, "EXPUNGE");
            await CondStoreMailbox.OkAsync(other, "UID STORE 5 +FLAGS.SILENT (\\Deleted)");
            await CondStoreMailbox.OkAsync(other, "EXPUNGE");
        }

        var uidValidity = await CondStoreMailbox.UidValidityAsync(session);
        const string state = """
            S: * FLAGS *
            S: * 8 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 11] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 15] *
            """;
        await Transcript.PlayAsync(session, $"""
            C: A01 ENABLE QRESYNC
            S: * ENABLED QRESYNC
            S: A01 OK Enable completed.
            Below the horizon: every UID of 1:10 that is gone.
            C: A02 EXAMINE INBOX (QRESYNC ({uidValidity} 11))
            {state}
            S: * VANISHED (EARLIER) 2,5
            S: A02 OK [READ-ONLY] Examine completed.
            C: A03 EXAMINE INBOX (QRESYNC ({uidValidity} 11 1:4))
            S: * OK [CLOSED] *
            {state}
            S: * VANISHED (EARLIER) 2
            S: A03 OK [READ-ONLY] Examine completed.
            The client's message 3 is still UID 4: it knew of every expunge up to UID 4.
            C: A04 EXAMINE INBOX (QRESYNC ({uidValidity} 11 1:10 (1,2,3 1,3,4)))
            S: * OK [CLOSED] *
            {state}
            S: * VANISHED (EARLIER) 5
            S: A04 OK [READ-ONLY] Examine completed.
            Its message 2 is not UID 2 any more: only UID 1 is vouched for.
            C: A05 EXAMINE INBOX (QRESYNC ({uidValidity} 11 1:10 (1,2,3 1,2,4)))
            S: * OK [CLOSED] *
            {state}
            S: * VANISHED (EARLIER) 2,5
            S: A05 OK [READ-ONLY] Examine completed.
            At the horizon the records are complete again.
            C: A06 EXAMINE INBOX (QRESYNC ({uidValidity} 13))
            S: * OK [CLOSED] *
            {state}
            S: * VANISHED (EARLIER) 5
            S: A06 OK [READ-ONLY] Examine completed.
            C: A07 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 11 VANISHED)
            S: * VANISHED (EARLIER) 2,5
            S: A07 OK Fetch completed.
            C: A08 UID FETCH 4:6 (FLAGS) (CHANGEDSINCE 13 VANISHED)
            S: * VANISHED (EARLIER) 5
            S: A08 OK Fetch completed.
            """);

        await Transcript.PlayAsync(watcher, """
            The watcher's view is from MODSEQ 11 too: both expunges reach it.
            C: w3 NOOP
            S: * VANISHED 2,5
            S: * 8 RECENT
            S: w3 OK NOOP completed.
            """);
    }
}
