namespace Groupware.Tests.Imap;

/// <summary>
/// After ENABLE QRESYNC expunges are announced as VANISHED, not EXPUNGE (RFC 7162 §3.2.10.2): those of
/// another session seen through the change feed, EXPUNGE's and UID EXPUNGE's own (§3.2.7, §3.2.9, with
/// [HIGHESTMODSEQ] in the tagged OK) and MOVE's (RFC 6851 §4.3); CLOSE announces nothing (§3.2.8). A
/// CONDSTORE client without QRESYNC keeps EXPUNGE and gets [HIGHESTMODSEQ] too.
/// </summary>
public sealed class ImapQResyncVanishedTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task Expunges_of_this_and_another_session_are_announced_as_VANISHED()
    {
        var (client, login) = await CondStoreMailbox.CreateAsync(_node, 5);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: A01 ENABLE QRESYNC
            S: * ENABLED QRESYNC
            S: A01 OK Enable completed.
            C: A02 SELECT INBOX
            S: * FLAGS *
            S: * 5 EXISTS
            S: * 5 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 6] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 6] Highest mailbox mod-sequence.
            S: A02 OK [READ-WRITE] Select completed.
            """);

        await using (var other = await CondStoreMailbox.OtherSessionAsync(_node, login))
        {
            await CondStoreMailbox.OkAsync(other, "UID STORE 2 +FLAGS.SILENT (\\Deleted)");
            await CondStoreMailbox.OkAsync(other, "UID EXPUNGE 2");
        }

        await Transcript.PlayAsync(session, """
            Another session's expunge: VANISHED lowers the count itself, so no EXISTS follows.
            C: A03 NOOP
            S: * VANISHED 2
            S: * 4 RECENT
            S: A03 OK NOOP completed.
            §3.2.10.2's example, our numbers: message 2 is UID 3 now.
            C: A04 STORE 2:3 +FLAGS.SILENT (\Deleted)
            S: * 2 FETCH (UID 3 MODSEQ (9))
            S: * 3 FETCH (UID 4 MODSEQ (9))
            S: A04 OK Store completed.
            C: A202 EXPUNGE
            S: * VANISHED 3:4
            S: * 2 RECENT
            S: A202 OK [HIGHESTMODSEQ 10] Expunge completed.
            C: A203 EXPUNGE
            S: A203 OK Expunge completed.
            C: A204 UID MOVE 5 Trash
            S: * OK [COPYUID * 5 1] Moved.
            S: * VANISHED 5
            S: * 1 RECENT
            S: A204 OK [HIGHESTMODSEQ 11] Move completed.
            §3.2.8: CLOSE expunges without a word.
            C: A205 STORE 1 +FLAGS.SILENT (\Deleted)
            S: * 1 FETCH (UID 1 MODSEQ (12))
            S: A205 OK Store completed.
            C: A206 CLOSE
            S: A206 OK Close completed.
            C: A207 STATUS INBOX (MESSAGES HIGHESTMODSEQ)
            S: * STATUS "INBOX" (MESSAGES 0 HIGHESTMODSEQ 13)
            S: A207 OK Status completed.
            """);
    }

    [Test]
    public async Task A_CONDSTORE_client_without_QRESYNC_keeps_EXPUNGE_and_hears_HIGHESTMODSEQ()
    {
        var (client, _) = await CondStoreMailbox.CreateAsync(_node, 4);
        await using var session = client;
        await Transcript.PlayAsync(session, """
            C: A01 SELECT INBOX (CONDSTORE)
            S: * FLAGS *
            S: * 4 EXISTS
            S: * 4 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 5] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: * OK [HIGHESTMODSEQ 5] Highest mailbox mod-sequence.
            S: A01 OK [READ-WRITE] Select completed.
            C: A02 STORE 2,4 +FLAGS.SILENT (\Deleted)
            S: * 2 FETCH (UID 2 MODSEQ (6))
            S: * 4 FETCH (UID 4 MODSEQ (6))
            S: A02 OK Store completed.
            §3.2.7's first example.
            C: A202 EXPUNGE
            S: * 2 EXPUNGE
            S: * 3 EXPUNGE
            S: * 2 RECENT
            S: A202 OK [HIGHESTMODSEQ 7] Expunge completed.
            C: A203 VANISHED
            S: A203 BAD *
            """);
    }
}
