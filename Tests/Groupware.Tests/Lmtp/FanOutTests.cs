using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// One DATA to 50 recipients (RFC 2033 §4.2): 50 replies, 50 INBOX messages, and the body stored
/// ONCE (content-addressed blob); each copy has its own trace fields and counts against its own quota.
/// </summary>
public sealed class FanOutTests : LmtpNodeTest
{
    [Test]
    public async Task Fifty_recipients_get_fifty_messages_sharing_one_stored_body()
    {
        var accounts = new List<Groupware.Storage.Accounts.Account>();
        for (var i = 0; i < 50; i++)
        {
            accounts.Add(await MailAccounts.CreateAsync(Data, "fan"));
        }

        var subject = MailAccounts.UniqueSubject("fan-out");
        await using var client = await ConnectAndGreetAsync();
        await client.SendAsync("MAIL FROM:<list@example.org>\r\n" + string.Concat(accounts.Select(a => $"RCPT TO:<{a.PrimaryAddress}>\r\n")) + "DATA\r\n");
        var replies = await client.ReadUntilAsync(l => l.StartsWith("354 ", StringComparison.Ordinal));
        Assert.That(replies, Has.Count.EqualTo(52));
        await client.SendAsync($"Subject: {subject}\r\n\r\n" + string.Concat(Enumerable.Repeat("the same body for everyone\r\n", 200)) + ".\r\n");

        var final = new List<string>();
        for (var i = 0; i < accounts.Count; i++)
        {
            final.Add((await client.ReadLineAsync())!);
        }

        Assert.That(final, Is.EqualTo(accounts.Select(a => $"250 2.0.0 <{a.PrimaryAddress}> Saved as UID 1")));
        var copies = new List<StoredMessage>();
        foreach (var account in accounts)
        {
            var stored = await MailAccounts.MessagesAsync(Data, account.Id);
            Assert.That(stored, Has.Count.EqualTo(1), account.PrimaryAddress);
            Assert.That(stored[0].TraceFields, Does.Contain($"Delivered-To: {account.PrimaryAddress}\r\n"));
            Assert.That(await MailAccounts.UsedBytesAsync(Data, account.Id), Is.EqualTo(stored[0].Size));
            copies.Add(stored[0]);
        }

        Assert.That(copies.Select(c => c.BlobId).Distinct().Count(), Is.EqualTo(1), "one blob shared by all copies");
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(Data, subject), Is.EqualTo(1), "the body is stored once");
    }
}
