namespace Groupware.Tests.Imap;

/// <summary>
/// What CONDSTORE and QRESYNC refuse (RFC 7162): the QRESYNC select parameter and the VANISHED modifier
/// before ENABLE QRESYNC (§3.2.3, §3.2.5, §3.2.6), VANISHED on FETCH or without CHANGEDSINCE (§3.2.6),
/// and arguments that break §7's grammar; each a tagged BAD, and the session goes on.
/// </summary>
public sealed class ImapCondStoreErrorTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task QRESYNC_and_VANISHED_before_ENABLE_QRESYNC_are_BAD()
    {
        var (client, _) = await CondStoreMailbox.CreateAsync(_node, 2);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: b1 SELECT INBOX (QRESYNC (1 1))
            S: b1 BAD QRESYNC is a select parameter only after ENABLE QRESYNC.
            C: b2 EXAMINE INBOX (CONDSTORE)
            S: * FLAGS *
            S: * 2 EXISTS
            S: * 2 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 3] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 3] *
            S: b2 OK [READ-ONLY] Examine completed.
            CONDSTORE alone does not make VANISHED valid.
            C: b3 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)
            S: b3 BAD VANISHED is a FETCH modifier only after ENABLE QRESYNC.
            C: b4 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 2)
            S: * 2 FETCH (UID 2 FLAGS (\Recent) MODSEQ (3))
            S: b4 OK Fetch completed.
            """);
    }

    [Test]
    public async Task Arguments_that_break_the_grammar_are_BAD()
    {
        var (client, _) = await CondStoreMailbox.CreateAsync(_node, 2);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: e1 ENABLE QRESYNC
            S: * ENABLED QRESYNC
            S: e1 OK Enable completed.
            C: e2 SELECT INBOX (QRESYNC (0 1))
            S: e2 BAD *
            C: e3 SELECT INBOX (QRESYNC (1))
            S: e3 BAD *
            C: e4 SELECT INBOX (QRESYNC (1 1 1:*))
            S: e4 BAD *known-uids must not contain * or $*
            C: e5 SELECT INBOX (QRESYNC (1 1 1:5 (1:2 1)))
            S: e5 BAD *as many UIDs as message numbers*
            C: e6 SELECT INBOX (QRESYNC 1 1)
            S: e6 BAD *
            C: e7 SELECT INBOX (CONDSTORE CONDSTORE)
            S: e7 BAD *given twice*
            C: e8 SELECT INBOX (ANNOTATE)
            S: e8 BAD *unknown select parameter ANNOTATE*
            C: e9 SELECT INBOX ()
            S: e9 BAD *
            C: e10 SELECT INBOX
            S: * FLAGS *
            S: * 2 EXISTS
            S: * 2 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 3] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 3] *
            S: e10 OK [READ-WRITE] Select completed.
            §3.2.6: VANISHED only with UID FETCH, and only with CHANGEDSINCE.
            C: f1 FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)
            S: f1 BAD VANISHED is a modifier of UID FETCH only.
            C: f2 UID FETCH 1:* (FLAGS) (VANISHED)
            S: f2 BAD VANISHED needs CHANGEDSINCE.
            C: f3 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)
            S: f3 BAD *
            C: f4 UID FETCH 1:* (FLAGS) (CHANGEDSINCE x)
            S: f4 BAD *
            §7: one UNCHANGEDSINCE, a number.
            C: g1 STORE 1 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) +FLAGS (\Seen)
            S: g1 BAD *
            C: g2 STORE 1 (UNCHANGEDSINCE) +FLAGS (\Seen)
            S: g2 BAD *
            C: g3 STATUS INBOX (HIGHESTMODSEQ BOGUS)
            S: g3 BAD *
            C: g4 SEARCH MODSEQ
            S: g4 BAD *
            Nothing was changed by any of it.
            C: h1 FETCH 1:* (MODSEQ)
            S: * 1 FETCH (MODSEQ (2))
            S: * 2 FETCH (MODSEQ (3))
            S: h1 OK Fetch completed.
            """);
    }
}
