namespace Groupware.Tests.Imap;

/// <summary>
/// SEARCH MODSEQ (RFC 7162 §3.1.5, Examples 15 and 16), with and without the entry name and type
/// (which a server keeping one MODSEQ per message ignores), the (MODSEQ n) it appends to SEARCH
/// (§3.1.6) and ESEARCH's MODSEQ (§3.1.10, Example 19; RFC 4731 §3.2: of the messages returned).
/// </summary>
public sealed class ImapCondStoreSearchTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task SEARCH_MODSEQ_answers_the_highest_MODSEQ_of_what_it_found()
    {
        var (client, _) = await CondStoreMailbox.CreateAsync(_node, 6);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: s1 SELECT INBOX
            S: * FLAGS *
            S: * 6 EXISTS
            S: * 6 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 7] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: s1 OK [READ-WRITE] Select completed.
            C: s2 STORE 2 +FLAGS.SILENT (\Draft)
            S: s2 OK Store completed.
            C: s3 STORE 4 +FLAGS.SILENT (\Seen)
            S: s3 OK Store completed.
            Example 15, the first enabling command: HIGHESTMODSEQ first.
            C: a SEARCH MODSEQ "/flags/\\draft" all 8
            S: * OK [HIGHESTMODSEQ 9] Highest mailbox mod-sequence.
            S: * SEARCH 2 4 (MODSEQ 9)
            S: a OK Search completed.
            C: b SEARCH MODSEQ 3 NOT MODSEQ 8
            S: * SEARCH 3 5 6 (MODSEQ 7)
            S: b OK *
            Example 16: nothing found, no MODSEQ.
            C: t SEARCH OR NOT MODSEQ 2 LARGER 50000
            S: * SEARCH
            S: t OK Search completed.
            C: u UID SEARCH MODSEQ 0
            S: * SEARCH 1 2 3 4 5 6 (MODSEQ 9)
            S: u OK Search completed.
            Example 19, and MIN alone: the MODSEQ of what is returned.
            C: e1 SEARCH RETURN (ALL) MODSEQ 7
            S: * ESEARCH (TAG "e1") ALL 2,4,6 MODSEQ 9
            S: e1 OK Search completed.
            C: e2 UID SEARCH RETURN (MIN) MODSEQ 7
            S: * ESEARCH (TAG "e2") UID MIN 2 MODSEQ 8
            S: e2 OK Search completed.
            C: e3 SEARCH RETURN (COUNT) MODSEQ 100
            S: * ESEARCH (TAG "e3") COUNT 0
            S: e3 OK Search completed.
            C: e4 SEARCH MODSEQ "/flags/\\draft" bogus 1
            S: e4 BAD *
            """);
    }
}
