namespace Groupware.Tests.Imap;

/// <summary>
/// UNAUTHENTICATE (RFC 8437 §3): from the Authenticated or Selected state back to Not Authenticated
/// on the same TLS connection, with nothing of the first user left (mailbox, ENABLE, change feed), and
/// a login as someone else that sees only that user's mail.
/// </summary>
public sealed class ImapUnauthenticateTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task UNAUTHENTICATE_returns_to_not_authenticated_and_another_user_logs_in()
    {
        var first = await ImapFixture.CreateAccountAsync();
        var second = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, first, ImapFixture.Message("for the first"));
        await using var client = await ImapFixture.LogInAsync(_node, first);
        Assert.That((await ImapFixture.CommandAsync(client, "c", "CAPABILITY"))[0], Does.Contain(" UNAUTHENTICATE"));
        await Transcript.PlayAsync(client, $"""
            C: e ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: e OK *
            C: s SELECT INBOX
            S: * *
            S: * 1 EXISTS
            S: * OK [PERMANENTFLAGS *
            S: * OK [UIDVALIDITY *
            S: * OK [UIDNEXT 2] *
            S: * OK [MAILBOXID (F*)] *
            S: * LIST *
            S: s OK [READ-WRITE] *
            C: f STORE 1 +FLAGS (\Deleted)
            S: * 1 FETCH (FLAGS (\Deleted))
            S: f OK *
            RFC 8437 §3: the selected mailbox is left without an expunge, and the state is Not Authenticated.
            C: u UNAUTHENTICATE
            S: u OK *
            C: n1 FETCH 1 FLAGS
            S: n1 BAD *
            C: n2 SELECT INBOX
            S: n2 BAD *
            C: n3 UNAUTHENTICATE
            S: n3 BAD *
            C: k CAPABILITY
            S: * CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE SASL-IR AUTH=PLAIN AUTH=LOGIN
            S: k OK *
            C: l LOGIN {second} "{ImapFixture.Password}"
            S: l OK [CAPABILITY *] *
            What the first user enabled is gone: a rev1 SELECT has RECENT and no LIST.
            C: s2 SELECT INBOX
            S: * FLAGS *
            S: * 0 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS *
            S: * OK [UIDVALIDITY *
            S: * OK [UIDNEXT 1] *
            S: * OK [MAILBOXID (F*)] *
            S: s2 OK [READ-WRITE] *
            C: x UNAUTHENTICATE extra
            S: x BAD *
            """);

        // The first user's message is still there and still \Deleted: nothing was expunged.
        await using var again = await ImapFixture.LogInAsync(_node, first);
        await ImapFixture.CommandAsync(again, "s", "EXAMINE INBOX");
        Assert.That((await ImapFixture.CommandAsync(again, "f", "FETCH 1 FLAGS"))[0], Does.StartWith("* 1 FETCH (FLAGS (").And.Contain(@"\Deleted"));
    }

    [Test]
    public async Task After_UNAUTHENTICATE_the_session_hears_only_the_new_users_deliveries()
    {
        var first = await ImapFixture.CreateAccountAsync();
        var second = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, first);
        Assert.That((await ImapFixture.CommandAsync(client, "u", "UNAUTHENTICATE"))[^1], Does.StartWith("u OK"));
        Assert.That((await ImapFixture.CommandAsync(client, "l", $"LOGIN {second} \"{ImapFixture.Password}\""))[^1], Does.StartWith("l OK"));
        await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        await ImapFixture.DeliverAsync(_node, first, ImapFixture.Message("not for this session"));
        await ImapFixture.DeliverAsync(_node, second, ImapFixture.Message("for the second"));
        await client.SendLineAsync("i IDLE");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+ "));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("* 1 EXISTS"), "the second user's INBOX, which had none");
        await client.SendLineAsync("DONE");
        Assert.That((await client.ReadUntilAsync(l => l.StartsWith("i ", StringComparison.Ordinal)))[^1], Does.StartWith("i OK"));
        Assert.That((await ImapFixture.CommandAsync(client, "f", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))[0], Does.Contain("FETCH"));
        var subject = await ImapFixture.CommandAsync(client, "g", "SEARCH SUBJECT \"for the second\"");
        Assert.That(subject[0], Is.EqualTo("* SEARCH 1"));
    }
}
