namespace Groupware.Tests.Imap;

/// <summary>
/// STORE, SEARCH, COPY, MOVE and EXPUNGE on the message numbers of RFC 9051's own examples (§6.4.3
/// EXPUNGE, §6.4.4 SEARCH, §6.4.6 STORE, §6.4.7 COPY, §6.4.9 UID EXPUNGE; RFC 4315 UIDPLUS, RFC 6851
/// MOVE, RFC 4731 ESEARCH): a mailbox of eleven messages laid out so that the RFC's answers are ours.
/// </summary>
public sealed class ImapMessageCommandTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    /// <summary>A logged-in session with eleven messages APPENDed to INBOX with <paramref name="flags"/> by number.</summary>
    private async Task<LineClient> ElevenMessagesAsync(Func<int, string> flags, Func<int, string>? body = null)
    {
        var login = await ImapFixture.CreateAccountAsync();
        var client = await ImapFixture.LogInAsync(_node, login);
        for (var n = 1; n <= 11; n++)
        {
            var text = body?.Invoke(n) ?? $"Message {n}.";
            await ImapFixture.AppendAsync(client, "INBOX", flags(n),
                $"From: Fred Foobar <foobar@example.com>\r\nTo: mooch@example.com\r\nSubject: message {n}\r\n" +
                $"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n");
        }

        return client;
    }

    [Test]
    public async Task STORE_and_EXPUNGE_answer_as_the_RFC_examples_do()
    {
        await using var client = await ElevenMessagesAsync(n => n switch { 2 => "\\Seen", 4 => "\\Flagged \\Seen", _ => "" });
        await Transcript.PlayAsync(client, """
            C: s ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: s OK Enable completed.
            C: s2 SELECT INBOX
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
            S: * 11 EXISTS
            S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.
            S: * OK [UIDVALIDITY *] UIDs valid.
            S: * OK [UIDNEXT 12] Predicted next UID.
            S: * OK [MAILBOXID (F*)] *
            S: * LIST () "/" "INBOX"
            S: s2 OK [READ-WRITE] Select completed.
            §6.4.6 (flags are written in one fixed order; IMAP gives the order no meaning).
            C: A003 STORE 2:4 +FLAGS (\Deleted)
            S: * 2 FETCH (FLAGS (\Seen \Deleted))
            S: * 3 FETCH (FLAGS (\Deleted))
            S: * 4 FETCH (FLAGS (\Seen \Flagged \Deleted))
            S: A003 OK Store completed.
            .SILENT answers nothing but the tagged OK; FLAGS replaces; -FLAGS takes away.
            C: A004 STORE 2 -FLAGS.SILENT (\Deleted)
            S: A004 OK Store completed.
            C: A005 STORE 7,11 +FLAGS.SILENT (\Deleted)
            S: A005 OK Store completed.
            C: A006 STORE 1 FLAGS (\Answered)
            S: * 1 FETCH (FLAGS (\Answered))
            S: A006 OK Store completed.
            A new keyword is announced in FLAGS and PERMANENTFLAGS before its FETCH (§7.3.5).
            C: A007 UID STORE 5 +FLAGS ($Important)
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Important)
            S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $Important \*)] Flags permitted.
            S: * 5 FETCH (UID 5 FLAGS ($Important))
            S: A007 OK Store completed.
            C: A008 STORE 1 +FLAGS (\Recent)
            S: A008 BAD *
            §6.4.3: messages 3, 4, 7 and 11 go, each number counted after the previous one left.
            C: A202 EXPUNGE
            S: * 3 EXPUNGE
            S: * 3 EXPUNGE
            S: * 5 EXPUNGE
            S: * 8 EXPUNGE
            S: A202 OK Expunge completed.
            §6.4.9 UID EXPUNGE expunges only the given UIDs that are \Deleted: UIDs 5, 6 and 8 are
            messages 3, 4 and 5 now; 9 is not deleted and stays.
            C: A301 UID STORE 5:6,8:9 +FLAGS.SILENT (\Deleted)
            S: A301 OK Store completed.
            C: A302 UID STORE 9 -FLAGS.SILENT (\Deleted)
            S: A302 OK Store completed.
            C: A303 UID EXPUNGE 5:8
            S: * 3 EXPUNGE
            S: * 3 EXPUNGE
            S: * 3 EXPUNGE
            S: A303 OK Expunge completed.
            C: A304 UID SEARCH ALL
            S: * ESEARCH (TAG "A304") UID ALL 1:2,9:10
            S: A304 OK Search completed.
            """);
    }

    [Test]
    public async Task SEARCH_answers_ESEARCH_after_ENABLE_IMAP4rev2_and_SEARCH_before()
    {
        await using var client = await ElevenMessagesAsync(
            n => n is 2 or 10 or 11 ? "\\Flagged" : "",
            n => n == 5 ? "Я ухожу в отпуск до понедельника." : $"Message {n}.");
        await Transcript.PlayAsync(client, """
            IMAP4rev1 (RFC 3501 §6.4.4) answers * SEARCH.
            C: r0 SELECT INBOX
            S: * FLAGS *
            S: * 11 EXISTS
            S: * 11 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 12] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: r0 OK [READ-WRITE] Select completed.
            C: r1 SEARCH FLAGGED
            S: * SEARCH 2 10 11
            S: r1 OK Search completed.
            C: r2 SEARCH OR FLAGGED SUBJECT "message 3" NOT 10
            S: * SEARCH 2 3 11
            S: r2 OK Search completed.
            C: r3 SEARCH TEXT "string not in mailbox"
            S: * SEARCH
            S: r3 OK Search completed.
            RFC 4731 in rev1: RETURN asks for ESEARCH.
            C: r4 SEARCH RETURN (MIN MAX) 3:*
            S: * ESEARCH (TAG "r4") MIN 3 MAX 11
            S: r4 OK Search completed.
            C: r5 UNSELECT
            S: r5 OK *
            C: r6 ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: r6 OK Enable completed.
            C: r7 EXAMINE INBOX
            S: * FLAGS *
            S: * 11 EXISTS
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 12] *
            S: * OK [MAILBOXID (F*)] *
            S: * LIST () "/" "INBOX"
            S: r7 OK [READ-ONLY] Examine completed.
            The examples of RFC 9051 §6.4.4, with the message numbers laid out to match.
            C: A282 SEARCH RETURN (MIN COUNT) FLAGGED
            S: * ESEARCH (TAG "A282") MIN 2 COUNT 3
            S: A282 OK Search completed.
            C: A283 SEARCH RETURN () FLAGGED
            S: * ESEARCH (TAG "A283") ALL 2,10:11
            S: A283 OK Search completed.
            C: A284 SEARCH TEXT "string not in mailbox"
            S: * ESEARCH (TAG "A284")
            S: A284 OK Search completed.
            C: A285 SEARCH CHARSET UTF-8 TEXT {12}
            S: + Ready for literal data
            C: отпуск
            S: * ESEARCH (TAG "A285") ALL 5
            S: A285 OK Search completed.
            Case-insensitive substring match in the decoded text (§6.4.4 "BODY").
            C: A286 SEARCH BODY "ОТПУСК"
            S: * ESEARCH (TAG "A286") ALL 5
            S: A286 OK Search completed.
            C: A287 UID SEARCH RETURN (COUNT) UID 3:5 UNFLAGGED
            S: * ESEARCH (TAG "A287") UID COUNT 3
            S: A287 OK Search completed.
            C: A288 SEARCH CHARSET KOI8-R ALL
            S: A288 NO [BADCHARSET (US-ASCII UTF-8 ISO-8859-1)] That charset is not supported.
            C: A289 SEARCH NOTAKEY
            S: A289 BAD *
            A number beyond EXISTS matches nothing in SEARCH (it names no message), unlike in FETCH.
            C: A290 SEARCH 1:20
            S: * ESEARCH (TAG "A290") ALL 1:11
            S: A290 OK Search completed.
            """);
    }

    [Test]
    public async Task COPY_and_MOVE_answer_COPYUID_and_MOVE_expunges_in_the_source()
    {
        await using var client = await ElevenMessagesAsync(_ => "");
        await Transcript.PlayAsync(client, """
            C: c0 CREATE meeting
            S: c0 OK [MAILBOXID (F*)] Create completed.
            C: c1 SELECT INBOX
            S: * FLAGS *
            S: * 11 EXISTS
            S: * 11 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 12] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: c1 OK [READ-WRITE] Select completed.
            RFC 9051 §6.4.7 and RFC 4315 §3: source UIDs, then the UIDs they got.
            C: A004 COPY 2:4 meeting
            S: A004 OK [COPYUID * 2:4 1:3] Copy completed.
            C: A005 UID COPY 305:310 meeting
            S: A005 OK Copy completed (no messages).
            C: A006 COPY 2 funny
            S: A006 NO [TRYCREATE] No such mailbox.
            RFC 6851 §4.3: COPYUID in an untagged OK, before the EXPUNGE responses.
            C: A007 UID MOVE 5:6 meeting
            S: * OK [COPYUID * 5:6 4:5] Moved.
            S: * 5 EXPUNGE
            S: * 5 EXPUNGE
            S: * 9 RECENT
            S: A007 OK Move completed.
            C: A008 STATUS meeting (MESSAGES UIDNEXT)
            S: * STATUS "meeting" (MESSAGES 5 UIDNEXT 6)
            S: A008 OK Status completed.
            A copy within the mailbox itself is allowed.
            C: A009 COPY 1 INBOX
            S: * 10 EXISTS
            S: * 10 RECENT
            S: A009 OK [COPYUID * 1 12] Copy completed.
            """);
    }
}
