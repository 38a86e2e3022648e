using System.Text;
using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// BDAT (RFC 3030, CHUNKING) under LMTP (RFC 2033 §4.3): chunks are binary-counted (a dot or CRLF
/// inside means nothing), LAST answers per recipient, a refused BDAT still consumes its chunk, and
/// DATA cannot join a BDAT transaction.
/// </summary>
public sealed class BdatTests : LmtpNodeTest
{
    [Test]
    public async Task Chunks_are_joined_and_LAST_answers_once_per_recipient()
    {
        var first = await MailAccounts.CreateAsync(Data, "bdat");
        var second = await MailAccounts.CreateAsync(Data, "bdat");
        var subject = MailAccounts.UniqueSubject("chunked");
        var part1 = $"Subject: {subject}\r\n\r\nfirst line\r\n.\r\n";
        const string part2 = "..second line, not unstuffed\r\n";
        await using var client = await ConnectAndGreetAsync();
        await client.SendAsync($"MAIL FROM:<a@example.org>\r\nRCPT TO:<{first.PrimaryAddress}>\r\nRCPT TO:<{second.PrimaryAddress}>\r\n");
        await client.SendAsync($"BDAT {Encoding.UTF8.GetByteCount(part1)}\r\n{part1}");
        await client.SendAsync($"BDAT {part2.Length} LAST\r\n{part2}");
        await Transcript.PlayAsync(client, $"""
            S: 250 2.1.0 Sender OK
            S: 250 2.1.5 *
            S: 250 2.1.5 *
            S: 250 2.0.0 {Encoding.UTF8.GetByteCount(part1)} octets received
            S: 250 2.0.0 <{first.PrimaryAddress}> Saved as UID 1
            S: 250 2.0.0 <{second.PrimaryAddress}> Saved as UID 1
            """);

        var stored = await MailAccounts.MessagesAsync(Data, first.Id);
        Assert.That(await ReadMessageAsync(first.Id, stored[0]), Does.EndWith($"Subject: {subject}\r\n\r\nfirst line\r\n.\r\n..second line, not unstuffed\r\n"));
        Assert.That(stored[0].BlobId, Is.EqualTo((await MailAccounts.MessagesAsync(Data, second.Id))[0].BlobId));
    }

    [Test]
    public async Task BDAT_0_LAST_ends_a_message_sent_in_earlier_chunks()
    {
        var account = await MailAccounts.CreateAsync(Data, "zero");
        const string body = "Subject: zero\r\n\r\nx\r\n";
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            """);
        await client.SendAsync($"BDAT {body.Length}\r\n{body}BDAT 0 LAST\r\n");
        await Transcript.PlayAsync(client, $"""
            S: 250 2.0.0 {body.Length} octets received
            S: 250 2.0.0 <{account.PrimaryAddress}> Saved as UID 1
            """);
        var stored = await MailAccounts.MessagesAsync(Data, account.Id);
        Assert.That(stored[0].TraceFields, Does.StartWith("Return-Path: <>\r\n"), "a bounce keeps its null sender");
    }

    [Test]
    public async Task A_refused_BDAT_still_consumes_its_chunk_and_LAST_without_recipients_answers_nothing()
    {
        await using var client = await ConnectAndGreetAsync();
        // The chunks hold what looks like commands; they must not be run.
        await client.SendAsync("BDAT 6\r\nNOOP\r\n");
        await Transcript.PlayAsync(client, "S: 503 5.5.1 Send MAIL first");
        await client.SendAsync("MAIL FROM:<a@example.org>\r\nRCPT TO:<nobody@example.test>\r\nBDAT 6\r\nRSET\r\nBDAT 6 LAST\r\nQUIT\r\nNOOP\r\n");
        await Transcript.PlayAsync(client, """
            S: 250 2.1.0 Sender OK
            S: 550 5.1.1 <nobody@example.test> No such user here
            S: 503 5.5.1 No valid recipients
            S: 250 2.0.0 OK
            """);
    }

    [Test]
    public async Task DATA_after_BDAT_is_503_and_RSET_abandons_the_chunks()
    {
        var account = await MailAccounts.CreateAsync(Data, "mixed");
        await using var client = await ConnectAndGreetAsync();
        await client.SendAsync($"MAIL FROM:<a@example.org>\r\nRCPT TO:<{account.PrimaryAddress}>\r\nBDAT 3\r\nabc");
        await Transcript.PlayAsync(client, """
            S: 250 2.1.0 Sender OK
            S: 250 2.1.5 *
            S: 250 2.0.0 3 octets received
            C: DATA
            S: 503 5.5.1 DATA is not allowed after BDAT; send RSET
            C: RCPT TO:<other@example.test>
            S: 503 5.5.1 RCPT is not allowed after BDAT
            C: RSET
            S: 250 2.0.0 OK
            C: DATA
            S: 503 5.5.1 Send MAIL first
            """);
        Assert.That(await MailAccounts.MessagesAsync(Data, account.Id), Is.Empty);
    }

    [Test]
    public async Task A_BDAT_whose_size_cannot_be_read_is_answered_and_the_connection_closed()
    {
        await using var client = await ConnectAndGreetAsync();
        await client.SendLineAsync("BDAT lots");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("501 5.5.4 "));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }
}
