using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// RFC 2033 §4.2's example, replayed against a node: the LHLO reply lists the extensions, RCPT
/// answers per recipient, and after the final dot there is one reply per accepted recipient, in
/// RCPT order, the over-quota one refused and the other committed.
/// </summary>
public sealed class Rfc2033TranscriptTests : LmtpNodeTest
{
    [Test]
    public async Task The_example_of_section_4_2_gets_one_reply_per_accepted_recipient()
    {
        var pat = await MailAccounts.CreateAsync(Data, "pat");
        var green = await MailAccounts.CreateAsync(Data, "green", quotaBytes: 100);
        await using var client = await LineClient.ConnectAsync(Node.EndPoint("lmtp"));

        await Transcript.PlayAsync(client, $"""
            S: 220 * LMTP ready
            C: LHLO foo.edu
            S: 250-*
            S: 250-PIPELINING
            S: 250-ENHANCEDSTATUSCODES
            S: 250-8BITMIME
            S: 250-CHUNKING
            S: 250 SIZE 67108864
            C: MAIL FROM:<chris@bar.com>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{pat.PrimaryAddress}>
            S: 250 2.1.5 <{pat.PrimaryAddress}> Recipient OK
            C: RCPT TO:<jones@foo.edu>
            S: 550 5.1.1 <jones@foo.edu> No such user here
            C: RCPT TO:<{green.PrimaryAddress}>
            S: 250 2.1.5 <{green.PrimaryAddress}> Recipient OK
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: Blah blah blah...
            C: ...etc. etc. etc.
            C: .
            S: 250 2.0.0 <{pat.PrimaryAddress}> Saved as UID 1
            S: 552 5.2.2 <{green.PrimaryAddress}> Mailbox full: quota exceeded
            C: QUIT
            S: 221 2.0.0 * closing connection
            """);

        Assert.That(await client.IsClosedByServerAsync(), Is.True);
        var stored = await MailAccounts.MessagesAsync(Data, pat.Id);
        Assert.That(stored, Has.Count.EqualTo(1));
        var message = await ReadMessageAsync(pat.Id, stored[0]);
        Assert.Multiple(async () =>
        {
            Assert.That(message, Does.StartWith($"Return-Path: <chris@bar.com>\r\nDelivered-To: {pat.PrimaryAddress}\r\nReceived: from foo.edu (127.0.0.1)\r\n"));
            Assert.That(message, Does.Contain($" with LMTP id ").And.Contain($"for <{pat.PrimaryAddress}>; "));
            Assert.That(message, Does.EndWith("\r\nBlah blah blah...\r\n..etc. etc. etc.\r\n"), "the stuffed dot is removed");
            Assert.That(stored[0].Size, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(message)));
            Assert.That(await MailAccounts.MessagesAsync(Data, green.Id), Is.Empty);
            Assert.That(await MailAccounts.UsedBytesAsync(Data, pat.Id), Is.EqualTo(stored[0].Size));
        });
    }

    [Test]
    public async Task DATA_without_an_accepted_recipient_fails_with_503()
    {
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, """
            C: MAIL FROM:<chris@bar.com>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<nobody@foo.edu>
            S: 550 5.1.1 <nobody@foo.edu> No such user here
            C: DATA
            S: 503 5.5.1 No valid recipients
            C: RSET
            S: 250 2.0.0 OK
            """);
    }

    [Test]
    public async Task HELO_and_EHLO_get_500_so_an_SMTP_client_notices_its_mistake()
    {
        await using var client = await ConnectAsync();
        await Transcript.PlayAsync(client, """
            C: EHLO foo.edu
            S: 500 5.5.1 This is LMTP (RFC 2033): use LHLO
            C: HELO foo.edu
            S: 500 5.5.1 This is LMTP (RFC 2033): use LHLO
            C: LHLO foo.edu
            S: 250-*
            """);
    }

    [Test]
    public async Task Commands_out_of_sequence_get_503_and_harmless_ones_work_anywhere()
    {
        await using var client = await ConnectAsync();
        await Transcript.PlayAsync(client, """
            C: MAIL FROM:<a@bar.com>
            S: 503 5.5.1 Send LHLO first
            C: RCPT TO:<a@foo.edu>
            S: 503 5.5.1 Send MAIL first
            C: DATA
            S: 503 5.5.1 Send MAIL first
            C: NOOP
            S: 250 2.0.0 OK
            C: VRFY someone@foo.edu
            S: 252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery
            C: RSET
            S: 250 2.0.0 OK
            C: LHLO foo.edu
            S: 250-*
            S: 250-PIPELINING
            S: 250-ENHANCEDSTATUSCODES
            S: 250-8BITMIME
            S: 250-CHUNKING
            S: 250 SIZE *
            C: MAIL FROM:<a@bar.com>
            S: 250 2.1.0 Sender OK
            C: MAIL FROM:<a@bar.com>
            S: 503 5.5.1 Nested MAIL command
            C: STARTTLS
            S: 503 5.5.1 STARTTLS is not allowed inside a mail transaction
            C: RSET
            S: 250 2.0.0 OK
            C: STARTTLS
            S: 502 5.5.1 STARTTLS is not offered on this listener
            C: FROB
            S: 500 5.5.1 Command unrecognized
            C: QUIT
            S: 221 2.0.0 * closing connection
            """);
    }
}
