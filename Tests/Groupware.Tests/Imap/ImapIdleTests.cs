namespace Groupware.Tests.Imap;

/// <summary>
/// IDLE (RFC 2177, RFC 9051 §6.3.13) across nodes: a delivery, a flag change or an expunge made on one
/// node reaches a session IDLE on another node sharing the database (PostgreSQL NOTIFY), within a
/// second; DONE ends it; a command sent instead of DONE ends it too and is answered; a node shutdown
/// ends it at once with BYE.
/// </summary>
public sealed class ImapIdleTests
{
    [Test]
    public async Task A_delivery_and_an_expunge_on_another_node_reach_an_IDLE_session()
    {
        await using var first = await ImapFixture.StartSecureNodeAsync();
        await using var second = await ImapFixture.StartSecureNodeAsync(n => n.Set("Node:Name", "test2"));
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(first, login, ImapFixture.Message("already there"));
        await using var idler = await ImapFixture.LogInAsync(second, login);
        await Transcript.PlayAsync(idler, """
            C: s1 SELECT INBOX
            S: * FLAGS (*)
            S: * 1 EXISTS
            S: * 1 RECENT
            S: * OK [PERMANENTFLAGS (*)] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT *] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: s1 OK [READ-WRITE] Select completed.
            C: i1 IDLE
            S: + idling
            """);

        await ImapFixture.DeliverAsync(first, login, ImapFixture.Message("delivered on the first node"));
        Assert.That(await idler.ReadLineAsync(), Is.EqualTo("* 2 EXISTS"));
        Assert.That(await idler.ReadLineAsync(), Is.EqualTo("* 2 RECENT"), "the first session to see it gets it as recent (IMAP4rev1)");

        await using var other = await ImapFixture.LogInAsync(first, login);
        await ImapFixture.CommandAsync(other, "o1", "SELECT INBOX");
        await ImapFixture.CommandAsync(other, "o2", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        await ImapFixture.CommandAsync(other, "o3", "EXPUNGE");
        // The \Deleted flag may be announced first, if its change is read before the expunge.
        var lines = await idler.ReadUntilAsync(l => l.EndsWith(" EXPUNGE", StringComparison.Ordinal));
        Assert.That(lines[^1], Is.EqualTo("* 1 EXPUNGE"));
        Assert.That(lines[..^1], Has.All.Match(@"^\* 1 FETCH \(UID \d+ FLAGS \(.*\\Deleted.*\)\)$"));
        await Transcript.PlayAsync(idler, """
            S: * 1 RECENT
            C: DONE
            S: i1 OK Idle completed.
            C: s2 UID SEARCH ALL
            S: * SEARCH *
            S: s2 OK Search completed.
            """);
    }

    [Test]
    public async Task A_command_sent_instead_of_DONE_ends_the_IDLE_and_is_answered()
    {
        await using var node = await ImapFixture.StartSecureNodeAsync();
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(node, login);
        await ImapFixture.CommandAsync(client, "s1", "SELECT INBOX");
        await Transcript.PlayAsync(client, """
            C: i1 IDLE
            S: + idling
            C: n1 NOOP
            S: i1 OK Idle ended by a command.
            S: n1 OK NOOP completed.
            """);
    }

    [Test]
    public async Task A_shutdown_ends_the_IDLE_at_once_with_BYE()
    {
        var node = await ImapFixture.StartSecureNodeAsync();
        try
        {
            var login = await ImapFixture.CreateAccountAsync();
            await using var client = await ImapFixture.LogInAsync(node, login);
            await ImapFixture.CommandAsync(client, "s1", "SELECT INBOX");
            await Transcript.PlayAsync(client, """
                C: i1 IDLE
                S: + idling
                """);
            var stopping = node.StopAsync();
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("* BYE [UNAVAILABLE] Server shutting down."));
            Assert.That(await client.IsClosedByServerAsync(), Is.True);
            await stopping;
        }
        finally
        {
            await node.DisposeAsync();
        }
    }
}
