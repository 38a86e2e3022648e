using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// STARTTLS on an LMTP listener (RFC 3207): offered in LHLO while the connection is clear; no
/// mail is taken before it (530 5.7.0), so a listener that faces the network never carries mail in
/// clear; after the handshake the client starts again with LHLO, and STARTTLS is no longer offered.
/// </summary>
public sealed class LmtpStartTlsTests : LmtpNodeTest
{
    protected override void Configure(TestNodeOptions node) => node.Listener("lmtps", "lmtp", "starttls");

    [Test]
    public async Task Mail_waits_for_TLS_and_is_delivered_after_the_handshake()
    {
        var account = await MailAccounts.CreateAsync(Data, "tls");
        await using var client = await ConnectAsync("lmtps");
        await Transcript.PlayAsync(client, """
            C: LHLO client.example
            S: 250-*
            S: 250-PIPELINING
            S: 250-ENHANCEDSTATUSCODES
            S: 250-8BITMIME
            S: 250-CHUNKING
            S: 250-STARTTLS
            S: 250 SIZE *
            C: MAIL FROM:<a@example.org>
            S: 530 5.7.0 Must issue a STARTTLS command first
            C: STARTTLS
            S: 220 2.0.0 Ready to start TLS
            """);
        await client.StartTlsAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 503 5.5.1 Send LHLO first
            C: LHLO client.example
            S: 250-*
            S: 250-PIPELINING
            S: 250-ENHANCEDSTATUSCODES
            S: 250-8BITMIME
            S: 250-CHUNKING
            S: 250 SIZE *
            C: STARTTLS
            S: 503 5.5.1 TLS is already active
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            C: Subject: over tls
            C:
            C: .
            S: 250 2.0.0 *
            """);
        var stored = await MailAccounts.MessagesAsync(Data, account.Id);
        Assert.That(stored[0].TraceFields, Does.Contain(" with LMTPS id "));
    }

    [Test]
    public async Task Commands_pipelined_after_STARTTLS_close_the_connection_without_a_handshake()
    {
        await using var client = await ConnectAsync("lmtps");
        await client.SendAsync("LHLO client.example\r\n");
        await client.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
        await client.SendAsync("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("220 2.0.0 Ready to start TLS"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }
}
