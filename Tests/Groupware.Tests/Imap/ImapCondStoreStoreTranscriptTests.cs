namespace Groupware.Tests.Imap;

/// <summary>
/// STORE with UNCHANGEDSINCE (RFC 7162 §3.1.3): a message whose MODSEQ is above the given one is left
/// alone and named in [MODIFIED] (Examples 6 and 7, by number and by UID), the others are changed and
/// answered with UID and MODSEQ even when .SILENT (Examples 3 to 5), UNCHANGEDSINCE 0 always fails
/// (Example 8), and a message another session changed is shown to the client before the tagged OK
/// (Example 10).
/// </summary>
public sealed class ImapCondStoreStoreTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task UNCHANGEDSINCE_changes_what_passes_and_names_the_rest_in_MODIFIED()
    {
        var (client, _) = await CondStoreMailbox.CreateAsync(_node, 9);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: s1 SELECT INBOX
            S: * FLAGS *
            S: * 9 EXISTS
            S: * 9 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 10] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: s1 OK [READ-WRITE] Select completed.
            Example 5: the first enabling command tells HIGHESTMODSEQ; .SILENT still answers MODSEQ.
            C: c101 STORE 5 (UNCHANGEDSINCE 10) -FLAGS.SILENT (\Deleted)
            S: * OK [HIGHESTMODSEQ 10] Highest mailbox mod-sequence.
            S: * 5 FETCH (UID 5 MODSEQ (6))
            S: c101 OK Store completed.
            Example 3: all pass; each changed message gets the STORE's one new MODSEQ.
            C: a103 UID STORE 6,4,8 (UNCHANGEDSINCE 10) +FLAGS.SILENT (\Deleted)
            S: * 4 FETCH (UID 4 MODSEQ (11))
            S: * 6 FETCH (UID 6 MODSEQ (11))
            S: * 8 FETCH (UID 8 MODSEQ (11))
            S: a103 OK Store completed.
            Example 6: 7 changed since 10 (it had not; it does now), 5 and 9 have not.
            C: d104 STORE 7 +FLAGS (\Seen)
            S: * 7 FETCH (UID 7 FLAGS (\Seen \Recent) MODSEQ (12))
            S: d104 OK Store completed.
            C: d105 STORE 7,5,9 (UNCHANGEDSINCE 10) +FLAGS.SILENT (\Deleted)
            S: * 5 FETCH (UID 5 MODSEQ (13))
            S: * 9 FETCH (UID 9 MODSEQ (13))
            S: d105 OK [MODIFIED 7] Conditional store completed, some messages were modified.
            C: d106 UID STORE 7,8 (UNCHANGEDSINCE 11) +FLAGS (\Flagged)
            S: * 8 FETCH (UID 8 FLAGS (\Flagged \Deleted \Recent) MODSEQ (14))
            S: d106 OK [MODIFIED 7] Conditional store completed, some messages were modified.
            Example 8: UNCHANGEDSINCE 0 fails for every message (§3.1.3).
            C: a102 STORE 1:2 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)
            S: a102 OK [MODIFIED 1:2] Conditional store completed, some messages were modified.
            A STORE that changes nothing passes the test and keeps the MODSEQ (§3.1.11).
            C: a105 STORE 9 (UNCHANGEDSINCE 13) -FLAGS (\Answered)
            S: * 9 FETCH (UID 9 FLAGS (\Deleted \Recent) MODSEQ (13))
            S: a105 OK Store completed.
            C: a106 FETCH 1:9 (MODSEQ) (CHANGEDSINCE 12)
            S: * 5 FETCH (MODSEQ (13))
            S: * 8 FETCH (MODSEQ (14))
            S: * 9 FETCH (MODSEQ (13))
            S: a106 OK Fetch completed.
            """);
    }

    [Test]
    public async Task A_message_another_session_changed_is_shown_before_MODIFIED()
    {
        var (client, login) = await CondStoreMailbox.CreateAsync(_node, 3);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: s1 SELECT INBOX (CONDSTORE)
            S: * FLAGS *
            S: * 3 EXISTS
            S: * 3 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 4] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 4] Highest mailbox mod-sequence.
            S: s1 OK [READ-WRITE] Select completed.
            """);

        await using var other = await CondStoreMailbox.OtherSessionAsync(_node, login);
        await CondStoreMailbox.OkAsync(other, "STORE 2 +FLAGS.SILENT ($Processed)");
        await Transcript.PlayAsync(session, """
            Example 10: message 2 changed in the other session; its FETCH comes with the STORE's answer.
            C: a106 STORE 1:3 (UNCHANGEDSINCE 4) +FLAGS.SILENT ($Processed)
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Processed)
            S: * OK [PERMANENTFLAGS *] *
            S: * 2 FETCH (UID 2 FLAGS (\Recent $Processed) MODSEQ (5))
            S: * 1 FETCH (UID 1 MODSEQ (6))
            S: * 3 FETCH (UID 3 MODSEQ (6))
            S: a106 OK [MODIFIED 2] Conditional store completed, some messages were modified.
            """);
    }
}
