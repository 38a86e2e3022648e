using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// The end of DATA is CRLF.CRLF and nothing else (RFC 5321 §4.1.1.4): a "message" hidden behind a
/// bare-LF dot (SMTP smuggling) stays inside the first message, its commands are never run, and
/// the stored copy has CRLF line ends throughout.
/// </summary>
public sealed class DataEndTests : LmtpNodeTest
{
    [TestCase("\n.\n")]
    [TestCase("\n.\r\n")]
    [TestCase("\r.\r\n")]
    [TestCase("\r\n.\n")]
    public async Task A_smuggled_second_message_stays_content_of_the_first(string fakeEnd)
    {
        var victim = await MailAccounts.CreateAsync(Data, "victim");
        var target = await MailAccounts.CreateAsync(Data, "target");
        var subject = MailAccounts.UniqueSubject("smuggle");
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{victim.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            """);
        await client.SendAsync($"Subject: {subject}\r\n\r\nouter{fakeEnd}MAIL FROM:<forged@example.org>\r\nRCPT TO:<{target.PrimaryAddress}>\r\n" +
            "DATA\r\nSubject: smuggled\r\n\r\ninner\r\n.\r\n");
        await Transcript.PlayAsync(client, $"""
            S: 250 2.0.0 <{victim.PrimaryAddress}> Saved as UID 1
            C: NOOP
            S: 250 2.0.0 OK
            """);

        Assert.That(await MailAccounts.MessagesAsync(Data, target.Id), Is.Empty, "no second message was delivered");
        var stored = (await MailAccounts.MessagesAsync(Data, victim.Id)).Single();
        var content = await ReadMessageAsync(victim.Id, stored);
        Assert.That(content, Does.Contain($"RCPT TO:<{target.PrimaryAddress}>\r\n"));
        Assert.That(content, Does.Not.Match("[^\r]\n"), "stored with CRLF line ends only");
    }
}
