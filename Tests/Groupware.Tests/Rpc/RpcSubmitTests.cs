using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Groupware.Rpc;
using Groupware.Rpc.V1;
using Groupware.Server.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>Items.Submit: relayed with MailKit's SmtpClient over STARTTLS only, and a copy kept in Sent.</summary>
public sealed class RpcSubmitTests
{
    [Test]
    public async Task A_submitted_message_goes_to_the_relay_after_STARTTLS_without_Bcc_and_is_kept_in_Sent()
    {
        using var certificates = new TestCertificates();
        using var relayCertificate = X509Certificate2.CreateFromPemFile(certificates.CertificateFile, certificates.KeyFile);
        await using var relay = SmtpRelayPeer.Start(relayCertificate, offerStartTls: true);
        await using var node = await StartRelayingNodeAsync(certificates, relay.Port, relayCertificate);
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var mime = Encoding.ASCII.GetBytes($"From: <{login}@example.test>\r\nTo: <to@example.org>\r\nBcc: <hidden@example.org>\r\nSubject: out\r\n\r\nbody\r\n");

        var reply = await new Items.ItemsClient(channel).SubmitAsync(new SubmitRequest { Mime = ByteString.CopyFrom(mime) }, session);
        Assert.That(reply.AcceptedRecipients, Is.EqualTo(new[] { "to@example.org", "hidden@example.org" }));
        var transcript = relay.Transcript;
        Assert.That(transcript, Does.Contain("STARTTLS"));
        Assert.That(transcript.IndexOf("STARTTLS", StringComparison.Ordinal), Is.LessThan(transcript.IndexOf("MAIL FROM", StringComparison.Ordinal)));
        Assert.That(transcript, Does.Contain($"MAIL FROM:<{login}@example.test>"));
        Assert.That(transcript, Does.Contain("RCPT TO:<hidden@example.org>"));
        Assert.That(relay.Data, Does.Contain("Subject: out").And.Not.Contain("hidden@example.org"));
        var sent = await FolderAsync(channel, session, FolderRole.Sent);
        Assert.That(sent.TotalCount, Is.EqualTo(1));
        Assert.That(reply.SentItemId, Does.StartWith(sent.FolderId + "."));
    }

    [Test]
    public async Task A_relay_that_does_not_offer_STARTTLS_is_not_used()
    {
        using var certificates = new TestCertificates();
        using var relayCertificate = X509Certificate2.CreateFromPemFile(certificates.CertificateFile, certificates.KeyFile);
        await using var relay = SmtpRelayPeer.Start(relayCertificate, offerStartTls: false);
        await using var node = await StartRelayingNodeAsync(certificates, relay.Port, relayCertificate);
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var (code, detail) = await RefusedAsync(() => new Items.ItemsClient(channel).SubmitAsync(
            new SubmitRequest { Mime = ByteString.CopyFrom(Mime(login, "out")) }, session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.Unavailable, "relay-unavailable")));
        Assert.That(relay.Transcript, Does.Not.Contain("MAIL FROM"));
        Assert.That((await FolderAsync(channel, session, FolderRole.Sent)).TotalCount, Is.Zero);
    }

    [Test]
    public async Task A_From_that_is_not_the_accounts_is_refused()
    {
        using var certificates = new TestCertificates();
        using var relayCertificate = X509Certificate2.CreateFromPemFile(certificates.CertificateFile, certificates.KeyFile);
        await using var relay = SmtpRelayPeer.Start(relayCertificate, offerStartTls: true);
        await using var node = await StartRelayingNodeAsync(certificates, relay.Port, relayCertificate);
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var mime = Encoding.ASCII.GetBytes("From: <ceo@example.test>\r\nTo: <to@example.org>\r\nSubject: wire money\r\n\r\nnow\r\n");
        var (code, detail) = await RefusedAsync(() => new Items.ItemsClient(channel).SubmitAsync(new SubmitRequest { Mime = ByteString.CopyFrom(mime) }, session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.PermissionDenied, "not-your-address")));
        Assert.That(relay.Transcript, Is.Empty);
    }

    /// <summary>A node whose relay is the peer, trusting the peer's self-signed certificate (the node's own).</summary>
    private static Task<TestNode> StartRelayingNodeAsync(TestCertificates certificates, int port, X509Certificate2 relayCertificate) =>
        StartSecureNodeAsync(n =>
        {
            n.Certificates = certificates;
            n.Set("Rpc:RelayHost", "127.0.0.1").Set("Rpc:RelayPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            n.ConfigureServices(services => services.AddSingleton(provider =>
            {
                var options = provider.GetRequiredService<GroupwareOptions>();
                return options.Rpc with { SpoolDirectory = options.Mail.SpoolDirectory, TrustedRelayCertificate = relayCertificate };
            }));
        });

    /// <summary>
    /// A relay for one test: an SMTP server (RFC 5321) that offers STARTTLS (RFC 3207) or not, accepts
    /// every message and keeps the transcript of commands and the last message's data.
    /// </summary>
    private sealed class SmtpRelayPeer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _certificate;
        private readonly bool _offerStartTls;
        private readonly StringBuilder _transcript = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;

        private SmtpRelayPeer(X509Certificate2 certificate, bool offerStartTls)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _certificate = certificate;
            _offerStartTls = offerStartTls;
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public string Transcript
        {
            get
            {
                lock (_transcript)
                {
                    return _transcript.ToString();
                }
            }
        }

        public string Data { get; private set; } = "";

        public static SmtpRelayPeer Start(X509Certificate2 certificate, bool offerStartTls)
        {
            var peer = new SmtpRelayPeer(certificate, offerStartTls);
            peer._listener.Start();
            peer._serving = peer.ServeAsync();
            return peer;
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                using (client)
                {
                    try
                    {
                        await SessionAsync(client.GetStream());
                    }
                    catch (IOException)
                    {
                        // The client gave up (a relay without STARTTLS).
                    }
                }
            }
        }

        private async Task SessionAsync(Stream stream)
        {
            var reader = new StreamReader(stream, Encoding.ASCII);
            var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 relay.test ESMTP");
            var tls = false;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                lock (_transcript)
                {
                    _transcript.Append(line).Append('\n');
                }

                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync(_offerStartTls && !tls ? "250-relay.test\r\n250-8BITMIME\r\n250 STARTTLS" : "250-relay.test\r\n250 8BITMIME");
                        break;
                    case "STARTTLS":
                        await writer.WriteLineAsync("220 go ahead");
                        var secure = new SslStream(stream, false);
                        await secure.AuthenticateAsServerAsync(_certificate);
                        (stream, tls) = (secure, true);
                        reader = new StreamReader(stream, Encoding.ASCII);
                        writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go ahead");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine).Append("\r\n");
                        }

                        Data = data.ToString();
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok");
                        break;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }
    }
}
