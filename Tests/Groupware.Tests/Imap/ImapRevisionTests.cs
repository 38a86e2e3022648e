namespace Groupware.Tests.Imap;

/// <summary>
/// IMAP4rev1 and IMAP4rev2 side by side (RFC 9051 Appendix E): a client that does not ENABLE
/// IMAP4rev2 gets RFC 3501's answers — RECENT and UNSEEN on SELECT, \Recent for the first session
/// to see a message (RFC 3501 §2.3.2), * SEARCH; after ENABLE IMAP4rev2 (RFC 9051 §6.3.1) SELECT
/// answers a LIST instead, \Recent is gone and SEARCH answers ESEARCH.
/// </summary>
public sealed class ImapRevisionTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task Recent_goes_to_the_first_rev1_session_to_see_a_message_and_no_other()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("one"));
        await using var first = await ImapFixture.LogInAsync(_node, login);
        await using var second = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(first, """
            C: a1 SELECT INBOX
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
            S: * 1 EXISTS
            S: * 1 RECENT
            S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.
            S: * OK [UIDVALIDITY *] UIDs valid.
            S: * OK [UIDNEXT 2] Predicted next UID.
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] First unseen.
            S: a1 OK [READ-WRITE] Select completed.
            C: a2 FETCH 1 FLAGS
            S: * 1 FETCH (FLAGS (\Recent))
            S: a2 OK Fetch completed.
            C: a3 SEARCH RECENT
            S: * SEARCH 1
            S: a3 OK Search completed.
            """);
        await Transcript.PlayAsync(second, """
            C: b1 SELECT INBOX
            S: * FLAGS *
            S: * 1 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 2] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: b1 OK [READ-WRITE] Select completed.
            C: b2 FETCH 1 FLAGS
            S: * 1 FETCH (FLAGS ())
            S: b2 OK Fetch completed.
            C: b3 SEARCH NEW
            S: * SEARCH
            S: b3 OK Search completed.
            C: b4 STATUS INBOX (RECENT)
            S: * STATUS "INBOX" (RECENT 0)
            S: b4 OK Status completed.
            """);

        // A new delivery is recent for whichever session hears of it first: here the one that asks. RECENT
        // is announced when its count changes (RFC 3501 §7.3.2).
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("two"));
        await Transcript.PlayAsync(second, """
            C: b5 NOOP
            S: * 2 EXISTS
            S: * 1 RECENT
            S: b5 OK NOOP completed.
            C: b6 SEARCH RECENT
            S: * SEARCH 2
            S: b6 OK Search completed.
            """);
        await Transcript.PlayAsync(first, """
            C: a4 NOOP
            S: * 2 EXISTS
            S: a4 OK NOOP completed.
            C: a5 SEARCH RECENT
            S: * SEARCH 1
            S: a5 OK Search completed.
            """);
    }

    [Test]
    public async Task After_ENABLE_IMAP4rev2_SELECT_answers_LIST_and_there_is_no_Recent()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("one"));
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, """
            RFC 9051 §6.3.1: ENABLE answers what it enabled; a name it does not know is left out.
            C: e1 ENABLE IMAP4rev2 X-NOT-A-THING
            S: * ENABLED IMAP4rev2
            S: e1 OK Enable completed.
            §6.3.2's example: no RECENT, no UNSEEN, and a LIST of the mailbox.
            C: A142 SELECT INBOX
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
            S: * 1 EXISTS
            S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.
            S: * OK [UIDVALIDITY *] UIDs valid.
            S: * OK [UIDNEXT 2] Predicted next UID.
            S: * OK [MAILBOXID (F*)] *
            S: * LIST () "/" "INBOX"
            S: A142 OK [READ-WRITE] Select completed.
            C: A143 FETCH 1 FLAGS
            S: * 1 FETCH (FLAGS ())
            S: A143 OK Fetch completed.
            §6.3.2's second example: selecting another mailbox closes the first.
            C: A144 SELECT Drafts
            S: * OK [CLOSED] Previous mailbox is now closed.
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
            S: * 0 EXISTS
            S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.
            S: * OK [UIDVALIDITY *] UIDs valid.
            S: * OK [UIDNEXT 1] Predicted next UID.
            S: * OK [MAILBOXID (F*)] *
            S: * LIST (\Drafts) "/" "Drafts"
            S: A144 OK [READ-WRITE] Select completed.
            C: A145 SEARCH ALL
            S: * ESEARCH (TAG "A145")
            S: A145 OK Search completed.
            RECENT is not a STATUS item of rev2 (§6.3.11, Appendix E): asked for anyway, it is left out.
            C: A146 STATUS INBOX (RECENT)
            S: * STATUS "INBOX" ()
            S: A146 OK Status completed.
            C: A147 ENABLE UTF8=ACCEPT
            S: * ENABLED UTF8=ACCEPT
            S: A147 OK Enable completed.
            """);
    }

    [Test]
    public async Task ENABLE_before_login_is_a_BAD_and_after_login_works()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("imaps"), implicitTls: true);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("* OK "));
        await Transcript.PlayAsync(client, $"""
            RFC 5161 §3.1: ENABLE is valid in the authenticated state.
            C: e0 ENABLE IMAP4rev2
            S: e0 BAD *
            C: l1 LOGIN {login} "{ImapFixture.Password}"
            S: l1 OK *
            C: e1 ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: e1 OK Enable completed.
            Enabling twice lists nothing (§3.1: only what was newly enabled), as Dovecot answers.
            C: e2 ENABLE IMAP4rev2
            S: * ENABLED
            S: e2 OK Enable completed.
            """);
    }
}
