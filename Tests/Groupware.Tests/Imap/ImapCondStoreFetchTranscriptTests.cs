namespace Groupware.Tests.Imap;

/// <summary>
/// CONDSTORE's FETCH and the ways a client turns it on (RFC 7162 §3.1): the MODSEQ data item
/// (§3.1.4.2, Example 13) and the CHANGEDSINCE modifier (§3.1.4.1, Example 12), HIGHESTMODSEQ in
/// SELECT (CONDSTORE) (§3.1.8, Example 18) and once when the first enabling command runs with a
/// mailbox selected (§3.1), STATUS HIGHESTMODSEQ (§3.1.7, Example 17), ENABLE CONDSTORE.
/// </summary>
public sealed class ImapCondStoreFetchTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task FETCH_MODSEQ_enables_CONDSTORE_and_CHANGEDSINCE_answers_only_what_changed()
    {
        var (client, _) = await CondStoreMailbox.CreateAsync(_node, 5);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: c1 CAPABILITY
            S: * CAPABILITY * CONDSTORE QRESYNC *
            S: c1 OK *
            C: s1 EXAMINE INBOX
            S: * FLAGS *
            S: * 5 EXISTS
            S: * 5 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 6] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: s1 OK [READ-ONLY] Examine completed.
            Example 13; the first enabling command with a mailbox selected tells its HIGHESTMODSEQ (§3.1).
            C: a FETCH 1:3 (MODSEQ)
            S: * OK [HIGHESTMODSEQ 6] Highest mailbox mod-sequence.
            S: * 1 FETCH (MODSEQ (2))
            S: * 2 FETCH (MODSEQ (3))
            S: * 3 FETCH (MODSEQ (4))
            S: a OK Fetch completed.
            Example 12: only messages above the mod-sequence, MODSEQ implied.
            C: s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4)
            S: * 4 FETCH (UID 4 FLAGS (\Recent) MODSEQ (5))
            S: * 5 FETCH (UID 5 FLAGS (\Recent) MODSEQ (6))
            S: s100 OK Fetch completed.
            C: s101 FETCH 1:* (UID) (CHANGEDSINCE 6)
            S: s101 OK Fetch completed.
            CHANGEDSINCE takes a mod-sequence above 0 (§7 mod-sequence-value).
            C: s102 FETCH 1:* (FLAGS) (CHANGEDSINCE 0)
            S: s102 BAD *
            """);
    }

    [Test]
    public async Task SELECT_CONDSTORE_answers_HIGHESTMODSEQ_and_flag_changes_of_others_carry_MODSEQ()
    {
        var (client, login) = await CondStoreMailbox.CreateAsync(_node, 3);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            Example 18.
            C: A142 SELECT INBOX (CONDSTORE)
            S: * FLAGS *
            S: * 3 EXISTS
            S: * 3 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 4] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 4] Highest mailbox mod-sequence.
            S: A142 OK [READ-WRITE] Select completed.
            Example 17.
            C: A042 STATUS INBOX (UIDNEXT MESSAGES HIGHESTMODSEQ)
            S: * STATUS "INBOX" (UIDNEXT 4 MESSAGES 3 HIGHESTMODSEQ 4)
            S: A042 OK Status completed.
            """);

        await using var other = await CondStoreMailbox.OtherSessionAsync(_node, login);
        await CondStoreMailbox.OkAsync(other, "STORE 2 +FLAGS.SILENT (\\Deleted \\Answered)");
        await Transcript.PlayAsync(session, """
            Example 14, session 2: the other session's change, with UID (§3.2.4) and MODSEQ.
            C: C180 NOOP
            S: * 2 FETCH (UID 2 FLAGS (\Answered \Deleted \Recent) MODSEQ (5))
            S: C180 OK NOOP completed.
            """);
    }

    [Test]
    public async Task ENABLE_CONDSTORE_and_STATUS_HIGHESTMODSEQ_enable_it_before_a_SELECT()
    {
        var (client, _) = await CondStoreMailbox.CreateAsync(_node, 2);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            STATUS HIGHESTMODSEQ is an enabling command; nothing is selected, so nothing more is said.
            C: t1 STATUS INBOX (HIGHESTMODSEQ)
            S: * STATUS "INBOX" (HIGHESTMODSEQ 3)
            S: t1 OK Status completed.
            C: t2 ENABLE CONDSTORE
            S: * ENABLED
            S: t2 OK Enable completed.
            C: t3 SELECT INBOX
            S: * FLAGS *
            S: * 2 EXISTS
            S: * 2 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 3] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 3] Highest mailbox mod-sequence.
            S: t3 OK [READ-WRITE] Select completed.
            """);

        var (fresh, _) = await CondStoreMailbox.CreateAsync(_node, 1);
        await using var second = fresh;
        await Transcript.PlayAsync(second, """
            C: e1 ENABLE CONDSTORE
            S: * ENABLED CONDSTORE
            S: e1 OK Enable completed.
            C: e2 ENABLE QRESYNC CONDSTORE
            S: * ENABLED QRESYNC
            S: e2 OK Enable completed.
            """);
    }
}
