using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// RCPT with an address that is no RFC 5321 §4.1.2 mailbox (two @, 8-bit octets without SMTPUTF8,
/// blanks) is a syntax error, 501 5.1.3 (RFC 3463: bad destination mailbox address syntax), not an
/// unknown user; and no reply echoes what the client sent outside printable ASCII.
/// </summary>
public sealed class RecipientSyntaxTests : LmtpNodeTest
{
    [TestCase("<a@@example.test>")]
    [TestCase("<a@b@example.test>")]
    [TestCase("<.a@example.test>")]
    [TestCase("<a..b@example.test>")]
    [TestCase("<a@-example.test>")]
    [TestCase("<a@example..test>")]
    [TestCase("<\"unterminated@example.test>")]
    [TestCase("<a b@example.test>")]
    public async Task A_malformed_address_is_501_5_1_3(string path)
    {
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:{path}
            S: 501 5.1.3 Bad recipient address syntax
            """);
    }

    [Test]
    public async Task Non_ASCII_octets_without_SMTPUTF8_are_501_5_1_3_and_never_echoed()
    {
        await using var client = await ConnectAndGreetAsync();
        await client.SendLineAsync("MAIL FROM:<a@example.org>");
        await client.ReadLineAsync();
        await client.SendAsync((byte[])[.. "RCPT TO:<"u8, 0xC3, 0xBC, .. "ser@example.test>\r\n"u8]);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("501 5.1.3 Bad recipient address syntax"));
        await client.SendAsync((byte[])[.. "RCPT TO:<user@example.test> X"u8, 0xFF, .. "=1\r\n"u8]);
        var reply = await client.ReadLineAsync();
        Assert.That(reply, Does.StartWith("555 5.5.4"));
        Assert.That(reply!.All(c => c is >= ' ' and <= '~'), Is.True, reply);
    }

    [TestCase("<user@example.test>")]
    [TestCase("<\"quoted user\"@example.test>")]
    [TestCase("<user+tag@[192.0.2.1]>")]
    [TestCase("<o'brien.x_y-z@sub.example.test>")]
    public async Task Well_formed_addresses_are_looked_up(string path)
    {
        await using var client = await ConnectAndGreetAsync();
        await client.SendLineAsync("MAIL FROM:<a@example.org>");
        await client.ReadLineAsync();
        await client.SendLineAsync($"RCPT TO:{path}");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("550 5.1.1"), path);
    }
}
