namespace Groupware.Tests.Imap;

/// <summary>
/// A legacy node (Node:AllowPlaintextAuth) lets only accounts flagged legacy-device log in in clear,
/// as POP3 does; every other account is told to use TLS, which the node still offers.
/// </summary>
public sealed class ImapLegacyNodeTests
{
    [Test]
    public async Task A_device_logs_in_in_clear_and_a_normal_account_is_refused()
    {
        await using var node = await ImapFixture.StartLegacyNodeAsync();
        var device = await ImapFixture.CreateAccountAsync(legacyDevice: true);
        var person = await ImapFixture.CreateAccountAsync();
        await using var client = await LineClient.ConnectAsync(node.EndPoint("imap"));
        var greeting = await client.ReadLineAsync();
        Assert.That(greeting, Does.Contain("AUTH=PLAIN").And.Contain("STARTTLS").And.Not.Contain("LOGINDISABLED"));
        await Transcript.PlayAsync(client, $"""
            C: a1 LOGIN {person} "{ImapFixture.Password}"
            S: * BAD [ALERT] *
            S: a1 NO [PRIVACYREQUIRED] This account may not log in without TLS on this server; use STARTTLS or port 993.
            C: a2 LOGIN {device} "{ImapFixture.Password}"
            S: a2 OK [CAPABILITY *] Logged in.
            C: a3 SELECT INBOX
            S: * FLAGS (*)
            S: * 0 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS (*)] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT *] *
            S: * OK [MAILBOXID (F*)] *
            S: a3 OK [READ-WRITE] Select completed.
            """);
    }
}
