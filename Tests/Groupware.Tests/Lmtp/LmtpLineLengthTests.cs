using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// Command lines are bounded (SessionLimits.MaxLineLength, 8192): a longer one is answered 500 5.5.2
/// and discarded as it arrives; DATA lines are not command lines and may be longer (nothing holds
/// a line of the body).
/// </summary>
public sealed class LmtpLineLengthTests : LmtpNodeTest
{
    [Test]
    public async Task An_over_long_command_line_is_refused_and_the_session_goes_on()
    {
        await using var client = await ConnectAndGreetAsync();
        await client.SendLineAsync("RCPT TO:<" + new string('a', 100_000) + "@example.test>");
        await Transcript.PlayAsync(client, """
            S: 500 5.5.2 Line too long
            C: NOOP
            S: 250 2.0.0 OK
            """);
    }

    [Test]
    public async Task A_body_line_longer_than_any_command_line_is_stored_whole()
    {
        var account = await MailAccounts.CreateAsync(Data, "long");
        var line = new string('z', 200_000);
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            C: Subject: long line
            C:
            C: {line}
            C: .
            S: 250 2.0.0 *
            """);
        var stored = await MailAccounts.MessagesAsync(Data, account.Id);
        Assert.That(await ReadMessageAsync(account.Id, stored[0]), Does.EndWith($"\r\n\r\n{line}\r\n"));
    }
}
