namespace Groupware.Tests.Imap;

/// <summary>
/// Two sessions on one mailbox (RFC 9051 §7.5.1, RFC 2180 §4): an expunge by the other session is
/// not announced during FETCH, STORE or SEARCH (message numbers would shift under the client), but
/// at the next command that may (NOOP, UID commands); a FETCH of a message expunged meanwhile answers
/// what is left with OK [EXPUNGEISSUED] (RFC 5530 §3); message numbers agree in both sessions.
/// </summary>
public sealed class ImapConcurrentSessionTests
{
    [Test]
    public async Task An_expunge_by_another_session_waits_for_a_command_that_may_announce_it()
    {
        await using var node = await ImapFixture.StartSecureNodeAsync();
        var login = await ImapFixture.CreateAccountAsync();
        for (var n = 1; n <= 3; n++)
        {
            await ImapFixture.DeliverAsync(node, login, ImapFixture.Message($"message {n}"));
        }

        await using var reader = await ImapFixture.LogInAsync(node, login);
        await using var expunger = await ImapFixture.LogInAsync(node, login);
        await ImapFixture.CommandAsync(reader, "r0", "SELECT INBOX");
        await ImapFixture.CommandAsync(expunger, "x0", "SELECT INBOX");
        await Transcript.PlayAsync(expunger, """
            C: x1 STORE 1 +FLAGS.SILENT (\Deleted)
            S: x1 OK Store completed.
            C: x2 EXPUNGE
            S: * 1 EXPUNGE
            S: x2 OK Expunge completed.
            """);

        await Transcript.PlayAsync(reader, """
            Message 1 is gone: nothing can be said of it, and its expunge may not be announced yet.
            C: r1 FETCH 1:3 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])
            S: * 2 FETCH (FLAGS (\Recent) BODY[HEADER.FIELDS (SUBJECT)] {22}
            S: Subject: message 2
            S:
            S: )
            S: * 3 FETCH (FLAGS (\Recent) BODY[HEADER.FIELDS (SUBJECT)] {22}
            S: Subject: message 3
            S:
            S: )
            S: r1 OK [EXPUNGEISSUED] Fetch completed; some messages were expunged meanwhile.
            C: r2 STORE 3 +FLAGS (\Flagged)
            S: * 3 FETCH (FLAGS (\Flagged \Recent))
            S: r2 OK Store completed.
            SEARCH finds what is there, still under the numbers the client knows.
            C: r3 SEARCH ALL
            S: * SEARCH 2 3
            S: r3 OK Search completed.
            C: r4 NOOP
            S: * 1 EXPUNGE
            RECENT is said again when an expunge changed it (as Dovecot does; EXPUNGE does not tell it).
            S: * 2 RECENT
            S: r4 OK NOOP completed.
            C: r5 FETCH 1:* (UID FLAGS)
            S: * 1 FETCH (UID 2 FLAGS (\Recent))
            S: * 2 FETCH (UID 3 FLAGS (\Flagged \Recent))
            S: r5 OK Fetch completed.
            """);

        // The expunging session sees the same numbers; the reader's flag change may reach it before or
        // with the answer (it comes through the change feed), so only UIDs are compared.
        var answer = await ImapFixture.CommandAsync(expunger, "x3", "FETCH 1:* UID");
        Assert.That(answer.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\* \d+ FETCH \(UID \d+\)$")),
            Is.EqualTo(new[] { "* 1 FETCH (UID 2)", "* 2 FETCH (UID 3)" }));
        Assert.That(answer[^1], Is.EqualTo("x3 OK Fetch completed."));
    }

    [Test]
    public async Task A_FETCH_of_only_expunged_messages_is_OK_EXPUNGEISSUED_with_nothing_to_show()
    {
        await using var node = await ImapFixture.StartSecureNodeAsync();
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(node, login, ImapFixture.Message("going"));
        await using var reader = await ImapFixture.LogInAsync(node, login);
        await using var expunger = await ImapFixture.LogInAsync(node, login);
        await ImapFixture.CommandAsync(reader, "r0", "SELECT INBOX");
        await ImapFixture.CommandAsync(expunger, "x0", "SELECT INBOX");
        await ImapFixture.CommandAsync(expunger, "x1", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        await ImapFixture.CommandAsync(expunger, "x2", "EXPUNGE");
        await Transcript.PlayAsync(reader, """
            C: r1 FETCH 1 BODY.PEEK[]
            S: r1 OK [EXPUNGEISSUED] Fetch completed; some messages were expunged meanwhile.
            The UID form may announce it, and does so before answering.
            C: r2 UID FETCH 1 FLAGS
            S: * 1 EXPUNGE
            S: * 0 RECENT
            S: r2 OK Fetch completed.
            """);
    }
}
