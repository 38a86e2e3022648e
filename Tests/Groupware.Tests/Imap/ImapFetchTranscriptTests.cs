namespace Groupware.Tests.Imap;

/// <summary>
/// APPEND and FETCH on RFC 9051's own example message (§6.3.12, the "afternoon meeting" of Fred
/// Foobar): the append examples with a synchronizing and a LITERAL+ literal (RFC 7888 §3), then
/// every FETCH item of §6.4.5 on it, with the octet counts the RFC's message has.
/// </summary>
public sealed class ImapFetchTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task The_RFC_example_message_is_appended_and_fetched_item_by_item()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, """
            An APPEND to a mailbox that does not exist: the LITERAL+ octets are read and dropped, and
            the client is told to create it (RFC 9051 §6.3.12, TRYCREATE §7.1).
            C: A002 APPEND saved-messages (\Seen) {297+}
            C: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
            C: From: Fred Foobar <foobar@example.com>
            C: Subject: afternoon meeting
            C: To: mooch@example.com
            C: Message-Id: <B27397-0100000@example.com>
            C: MIME-Version: 1.0
            C: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
            C:
            C: Hello Joe, do you think we can meet at 3:30 tomorrow?
            C:
            S: A002 NO [TRYCREATE] No such mailbox.
            C: A0 CREATE saved-messages
            S: A0 OK [MAILBOXID (F*)] Create completed.
            C: A003 APPEND saved-messages (\Seen) {297+}
            C: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
            C: From: Fred Foobar <foobar@example.com>
            C: Subject: afternoon meeting
            C: To: mooch@example.com
            C: Message-Id: <B27397-0100000@example.com>
            C: MIME-Version: 1.0
            C: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
            C:
            C: Hello Joe, do you think we can meet at 3:30 tomorrow?
            C:
            S: A003 OK [APPENDUID * 1] Append completed.
            A synchronizing literal, and an internal date given by the client.
            C: A004 APPEND saved-messages () "07-Feb-1994 21:52:25 -0800" {297}
            S: + Ready for literal data
            C: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
            C: From: Fred Foobar <foobar@example.com>
            C: Subject: afternoon meeting
            C: To: mooch@example.com
            C: Message-Id: <B27397-0100000@example.com>
            C: MIME-Version: 1.0
            C: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
            C:
            C: Hello Joe, do you think we can meet at 3:30 tomorrow?
            C:
            S: A004 OK [APPENDUID * 2] Append completed.
            C: s SELECT saved-messages
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
            S: * 2 EXISTS
            S: * 2 RECENT
            S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.
            S: * OK [UIDVALIDITY *] UIDs valid.
            S: * OK [UIDNEXT 3] Predicted next UID.
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 2] First unseen.
            S: s OK [READ-WRITE] Select completed.

            §6.4.5's example: BODY[...] (not PEEK) sets \Seen on message 2, and FLAGS shows it.
            C: A654 FETCH 1:2 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])
            S: * 1 FETCH (FLAGS (\Seen \Recent) BODY[HEADER.FIELDS (DATE FROM)] {86}
            S: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
            S: From: Fred Foobar <foobar@example.com>
            S:
            S: )
            S: * 2 FETCH (FLAGS (\Seen \Recent) BODY[HEADER.FIELDS (DATE FROM)] {86}
            S: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
            S: From: Fred Foobar <foobar@example.com>
            S:
            S: )
            S: A654 OK Fetch completed.

            ENVELOPE (§7.5.2: sender and reply-to default to from) and BODY (no extension data).
            C: f1 FETCH 1 (ENVELOPE BODY)
            S: * 1 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800 (PST)" "afternoon meeting" (("Fred Foobar" NIL "foobar" "example.com")) (("Fred Foobar" NIL "foobar" "example.com")) (("Fred Foobar" NIL "foobar" "example.com")) ((NIL NIL "mooch" "example.com")) NIL NIL NIL "<B27397-0100000@example.com>") BODY ("text" "plain" ("charset" "US-ASCII") NIL NIL "7bit" 55 1))
            S: f1 OK Fetch completed.
            BODYSTRUCTURE with its extension data (md5, disposition, language, location); the internal
            date given to APPEND is the same instant, written in UTC.
            C: f2 FETCH 2 (BODYSTRUCTURE INTERNALDATE RFC822.SIZE)
            S: * 2 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "US-ASCII") NIL NIL "7bit" 55 1 NIL NIL NIL NIL) INTERNALDATE "08-Feb-1994 05:52:25 +0000" RFC822.SIZE 297)
            S: f2 OK Fetch completed.
            The UID forms answer UID even when not asked for (§6.4.9).
            C: f3 UID FETCH 1:* FLAGS
            S: * 1 FETCH (UID 1 FLAGS (\Seen \Recent))
            S: * 2 FETCH (UID 2 FLAGS (\Seen \Recent))
            S: f3 OK Fetch completed.
            Partials: the origin octet is echoed, the length is what is there (§6.4.5, §7.5.2).
            C: f4 FETCH 2 (BODY.PEEK[]<0.14> BODY.PEEK[TEXT]<40.100>)
            S: * 2 FETCH (BODY[]<0> {14}
            S: Date: Mon, 7 F BODY[TEXT]<40> {15}
            S: :30 tomorrow?
            S: )
            S: f4 OK Fetch completed.
            RFC 3516: BINARY of a 7bit part is its octets; BINARY.SIZE its decoded size.
            C: f5 FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1])
            S: * 2 FETCH (BINARY[1] {55}
            S: Hello Joe, do you think we can meet at 3:30 tomorrow?
            S:  BINARY.SIZE[1] 55)
            S: f5 OK Fetch completed.
            C: f6 FETCH 2 RFC822.HEADER
            S: * 2 FETCH (RFC822.HEADER {242}
            S: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
            S: From: Fred Foobar <foobar@example.com>
            S: Subject: afternoon meeting
            S: To: mooch@example.com
            S: Message-Id: <B27397-0100000@example.com>
            S: MIME-Version: 1.0
            S: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
            S:
            S: )
            S: f6 OK Fetch completed.
            A macro stands alone (§6.4.5).
            C: f7 FETCH 2 (FAST BODY.PEEK[HEADER.FIELDS.NOT (Date From To Message-Id)])
            S: f7 BAD the macro FAST must be used by itself (RFC 9051 §6.4.5)
            C: f7 FETCH 2 FAST
            S: * 2 FETCH (FLAGS (\Seen \Recent) INTERNALDATE "08-Feb-1994 05:52:25 +0000" RFC822.SIZE 297)
            S: f7 OK Fetch completed.
            C: f7 FETCH 2 BODY.PEEK[HEADER.FIELDS.NOT (Date From To Message-Id)]
            S: * 2 FETCH (BODY[HEADER.FIELDS.NOT (Date From To Message-Id)] {93}
            S: Subject: afternoon meeting
            S: MIME-Version: 1.0
            S: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
            S:
            S: )
            S: f7 OK Fetch completed.
            A single-part message's part 1 is its body, and 1.MIME its header (§6.4.5).
            C: f8 FETCH 1 (BODY.PEEK[1] BODY.PEEK[1.MIME])
            S: * 1 FETCH (BODY[1] {55}
            S: Hello Joe, do you think we can meet at 3:30 tomorrow?
            S:  BODY[1.MIME] {242}
            S: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
            S: From: Fred Foobar <foobar@example.com>
            S: Subject: afternoon meeting
            S: To: mooch@example.com
            S: Message-Id: <B27397-0100000@example.com>
            S: MIME-Version: 1.0
            S: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
            S:
            S: )
            S: f8 OK Fetch completed.
            """);
    }

    [Test]
    public async Task BODY_PEEK_leaves_Seen_alone_and_BODY_adds_FLAGS_to_the_answer()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("peek"));
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await ImapFixture.CommandAsync(client, "s", "EXAMINE INBOX");
        await Transcript.PlayAsync(client, """
            In a read-only mailbox BODY[] does not set \Seen either (§6.3.3).
            C: e1 FETCH 1 BODY[TEXT]
            S: * 1 FETCH (BODY[TEXT] {8}
            S: Hello.
            S: )
            S: e1 OK Fetch completed.
            [CLOSED] is rev2's and CONDSTORE's (RFC 7162 §3.2.11); a rev1 session hears it too and ignores it (RFC 3501 §7.1).
            C: e2 SELECT INBOX
            S: * OK [CLOSED] Previous mailbox is now closed.
            S: * FLAGS *
            S: * 1 EXISTS
            S: * 1 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 2] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: e2 OK [READ-WRITE] Select completed.
            C: p1 FETCH 1 BODY.PEEK[TEXT]
            S: * 1 FETCH (BODY[TEXT] {8}
            S: Hello.
            S: )
            S: p1 OK Fetch completed.
            C: p2 FETCH 1 FLAGS
            S: * 1 FETCH (FLAGS (\Recent))
            S: p2 OK Fetch completed.
            §6.4.5: setting \Seen implicitly is announced with the answer, FLAGS added to it.
            C: b1 FETCH 1 BODY[TEXT]
            S: * 1 FETCH (BODY[TEXT] {8}
            S: Hello.
            S:  FLAGS (\Seen \Recent))
            S: b1 OK Fetch completed.
            """);
    }

    [Test]
    public async Task Fetching_what_does_not_exist_is_a_BAD_or_an_empty_section()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("only one"));
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        await Transcript.PlayAsync(client, """
            A message number beyond EXISTS is a client error (§9, seq-number); a UID that is not there is not (§6.4.9).
            C: n1 FETCH 2 FLAGS
            S: n1 BAD Invalid message sequence number (beyond EXISTS).
            C: n2 UID FETCH 2:99 FLAGS
            S: n2 OK Fetch completed.
            C: n3 FETCH 1 BODY[HEADER.FIELDS ()]
            S: n3 BAD *
            C: n4 FETCH 1 (FLAGS
            S: n4 BAD *
            C: n5 FETCH 1 NOTANITEM
            S: n5 BAD *
            A part that is not there is empty (Dovecot answers the same).
            C: n6 FETCH 1 BODY.PEEK[3]
            S: * 1 FETCH (BODY[3] {0}
            S: )
            S: n6 OK Fetch completed.
            """);
    }

    [Test]
    public async Task A_literal8_with_NUL_is_stored_re_encoded_when_it_is_a_MIME_message_and_refused_when_it_is_none()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        var header = "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"u8.ToArray();
        byte[] octets = [(byte)'a', (byte)'b', 0, (byte)'c', (byte)'d'];

        // RFC 3516 §4.4: the server may change the CTE of what it stores; BINARY gives the octets back.
        Assert.That(await AppendBinaryAsync(client, "b1", [.. header, .. octets]), Does.StartWith("b1 OK [APPENDUID "));

        // NUL octets outside any MIME part: nothing can carry them encoded, so UNKNOWN-CTE (§4.4).
        Assert.That(await AppendBinaryAsync(client, "b2", octets), Does.StartWith("b2 NO [UNKNOWN-CTE] "));

        // An empty message has no header and no body: RFC 5322 §3.5 wants at least a header field.
        var empty = await ImapFixture.CommandAsync(client, "b3", "APPEND INBOX {0+}\r\n");
        Assert.That(empty[^1], Does.StartWith("b3 NO "), string.Join("\n", empty));

        await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        await client.SendLineAsync("b4 FETCH 1 (BINARY.PEEK[1] BODY.PEEK[1.MIME])");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("* 1 FETCH (BINARY[1] ~{5}"));
        Assert.That(await client.ReadOctetsAsync(5), Is.EqualTo(octets));
        var rest = await client.ReadUntilAsync(l => l.StartsWith("b4 ", StringComparison.Ordinal));
        Assert.That(rest, Has.Some.Contains("Content-Transfer-Encoding: base64"), "the part is stored in base64");
        Assert.That(rest[^1], Does.StartWith("b4 OK "));
    }

    private static async Task<string> AppendBinaryAsync(LineClient client, string tag, byte[] message)
    {
        await client.SendAsync($"{tag} APPEND INBOX ~{{{message.Length}}}\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+ "));
        await client.SendAsync((byte[])[.. message, (byte)'\r', (byte)'\n']);
        var lines = await client.ReadUntilAsync(l => l.StartsWith(tag + " ", StringComparison.Ordinal));
        return lines[^1];
    }
}
