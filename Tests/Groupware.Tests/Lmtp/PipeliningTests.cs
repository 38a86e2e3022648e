using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// PIPELINING (RFC 2920): a client may send a whole transaction's commands in one write; the
/// replies come back in order, complete, with none lost or run together.
/// </summary>
public sealed class PipeliningTests : LmtpNodeTest
{
    [Test]
    public async Task A_whole_transaction_sent_in_one_write_gets_every_reply_in_order()
    {
        var first = await MailAccounts.CreateAsync(Data, "pipe");
        var second = await MailAccounts.CreateAsync(Data, "pipe");
        await using var client = await ConnectAsync();
        await client.SendAsync($"LHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<{first.PrimaryAddress}>\r\n" +
            $"RCPT TO:<nobody@example.test>\r\nRCPT TO:<{second.PrimaryAddress}>\r\nDATA\r\n");
        await Transcript.PlayAsync(client, $"""
            S: 250-*
            S: 250-PIPELINING
            S: 250-ENHANCEDSTATUSCODES
            S: 250-8BITMIME
            S: 250-CHUNKING
            S: 250 SIZE *
            S: 250 2.1.0 Sender OK
            S: 250 2.1.5 <{first.PrimaryAddress}> Recipient OK
            S: 550 5.1.1 <nobody@example.test> No such user here
            S: 250 2.1.5 <{second.PrimaryAddress}> Recipient OK
            S: 354 *
            """);
        await client.SendAsync("Subject: pipelined\r\n\r\nbody\r\n.\r\nRSET\r\nMAIL FROM:<b@example.org>\r\nRCPT TO:<" +
            first.PrimaryAddress + ">\r\nDATA\r\n");
        await Transcript.PlayAsync(client, $"""
            S: 250 2.0.0 <{first.PrimaryAddress}> Saved as UID 1
            S: 250 2.0.0 <{second.PrimaryAddress}> Saved as UID 1
            S: 250 2.0.0 OK
            S: 250 2.1.0 Sender OK
            S: 250 2.1.5 *
            S: 354 *
            C: Subject: second
            C:
            C: .
            C: QUIT
            S: 250 2.0.0 <{first.PrimaryAddress}> Saved as UID 2
            S: 221 2.0.0 * closing connection
            """);
        Assert.That((await MailAccounts.MessagesAsync(Data, first.Id)).Select(m => m.Subject), Is.EqualTo(new[] { "pipelined", "second" }));
    }
}
