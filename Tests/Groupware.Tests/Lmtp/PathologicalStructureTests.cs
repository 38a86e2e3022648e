using Groupware.Tests.Storage;
using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// A message whose MIME structure is absurd but small (600 nested multiparts in 40 KB) is still
/// delivered: the summary stored with it stops at the nesting limit instead of failing, so the
/// session neither dies without a reply after DATA nor makes the MTA retry it until it bounces.
/// </summary>
public sealed class PathologicalStructureTests : LmtpNodeTest
{
    [Test]
    public async Task Six_hundred_nested_multiparts_are_delivered_with_250()
    {
        var account = await MailAccounts.CreateAsync(Data, "nested");
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            """);
        await client.SendAsync(MessageSummaryLimitsTests.Nested(600) + ".\r\n");
        await Transcript.PlayAsync(client, $"""
            S: 250 2.0.0 <{account.PrimaryAddress}> Saved as UID 1
            C: NOOP
            S: 250 2.0.0 OK
            """);
        Assert.That((await MailAccounts.MessagesAsync(Data, account.Id)).Single().Subject, Is.EqualTo("deep"));
    }
}
