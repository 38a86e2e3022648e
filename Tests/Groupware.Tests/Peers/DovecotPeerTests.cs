using System.Net;

namespace Groupware.Tests.Peers;

/// <summary>
/// The Dovecot peer the probe tests and benchmarks compare against behaves as Dovecot does: with
/// <c>disable_plaintext_auth = yes</c> it refuses a clear-text LOGIN from another address
/// (PRIVACYREQUIRED) and accepts it after STARTTLS; it delivers over LMTP.
/// </summary>
public sealed class DovecotPeerTests
{
    private static readonly IPAddress OtherLoopback = IPAddress.Parse("127.0.0.2");

    [Test]
    public async Task A_secure_Dovecot_refuses_clear_text_IMAP_login_and_accepts_it_after_STARTTLS()
    {
        using var certificates = new TestCertificates();
        await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = certificates });

        // Dovecot treats a client whose address equals the server's as secure; connect from another one.
        await using (var clear = await LineClient.ConnectAsync(dovecot.Imap, bindTo: OtherLoopback))
        {
            Assert.That(await clear.ReadLineAsync(), Does.Contain("LOGINDISABLED"));
            await clear.SendLineAsync("a LOGIN probe secret");
            var answer = await clear.ReadUntilAsync(l => l.StartsWith("a ", StringComparison.Ordinal));
            Assert.That(answer[^1], Does.StartWith("a NO [PRIVACYREQUIRED]"), dovecot.Log);
        }

        await using var tls = await LineClient.ConnectAsync(dovecot.Imap, bindTo: OtherLoopback);
        await tls.ReadLineAsync();
        await tls.SendLineAsync("a STARTTLS");
        Assert.That(await tls.ReadLineAsync(), Does.StartWith("a OK"));
        await tls.StartTlsAsync();
        await tls.SendLineAsync("b LOGIN probe secret");
        var login = await tls.ReadUntilAsync(l => l.StartsWith("b ", StringComparison.Ordinal));
        Assert.That(login[^1], Does.StartWith("b OK"), dovecot.Log);
    }

    [Test]
    public async Task A_legacy_Dovecot_accepts_clear_text_POP3_and_delivers_over_LMTP()
    {
        await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions { DisablePlaintextAuth = false });

        await using (var lmtp = await LineClient.ConnectAsync(dovecot.Lmtp))
        {
            Assert.That(await lmtp.ReadLineAsync(), Does.StartWith("220"));
            await lmtp.SendAsync("LHLO test\r\n");
            await lmtp.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
            await lmtp.SendAsync("MAIL FROM:<a@example.test>\r\nRCPT TO:<probe>\r\nDATA\r\n");
            Assert.That(await lmtp.ReadLineAsync(), Does.StartWith("250"));
            Assert.That(await lmtp.ReadLineAsync(), Does.StartWith("250"));
            Assert.That(await lmtp.ReadLineAsync(), Does.StartWith("354"));
            await lmtp.SendAsync("Subject: hello\r\n\r\nbody\r\n.\r\n");
            Assert.That(await lmtp.ReadLineAsync(), Does.StartWith("250"), dovecot.Log);
        }

        await using var pop3 = await LineClient.ConnectAsync(dovecot.Pop3, bindTo: OtherLoopback);
        Assert.That(await pop3.ReadLineAsync(), Does.StartWith("+OK"));
        await pop3.SendLineAsync("USER probe");
        Assert.That(await pop3.ReadLineAsync(), Does.StartWith("+OK"));
        await pop3.SendLineAsync("PASS secret");
        Assert.That(await pop3.ReadLineAsync(), Does.StartWith("+OK"), dovecot.Log);
        await pop3.SendLineAsync("STAT");
        Assert.That(await pop3.ReadLineAsync(), Does.StartWith("+OK 1 "));
    }
}
