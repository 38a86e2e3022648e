using System.IO.Compression;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Imap;

namespace Groupware.Tests.Imap;

/// <summary>
/// COMPRESS=DEFLATE (RFC 4978): offered after login only, refused before it and for another
/// mechanism, raw DEFLATE both ways after its tagged OK (with the next command compressed), a second
/// COMPRESS BAD [COMPRESSIONACTIVE] and UNAUTHENTICATE refused; and IDLE over it with MailKit, hearing a delivery.
/// </summary>
public sealed class ImapCompressTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task COMPRESS_is_refused_before_login_and_for_an_unknown_mechanism()
    {
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("imaps"), implicitTls: true);
        var greeting = await client.ReadLineAsync();
        Assert.That(greeting, Does.Not.Contain("COMPRESS"), "compression before login would mix the credentials with other data");
        await Transcript.PlayAsync(client, $"""
            C: c1 COMPRESS DEFLATE
            S: c1 BAD *
            C: L LOGIN {await ImapFixture.CreateAccountAsync()} "{ImapFixture.Password}"
            S: L OK [CAPABILITY * COMPRESS=DEFLATE*] *
            C: c2 COMPRESS LZ4
            S: c2 BAD *
            C: c3 COMPRESS
            S: c3 BAD *
            C: c4 NOOP
            S: c4 OK *
            """);
    }

    [Test]
    public async Task After_the_tagged_OK_both_directions_are_raw_DEFLATE_and_a_second_COMPRESS_is_BAD()
    {
        var login = await ImapFixture.CreateAccountAsync();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(_node.EndPoint("imaps"), timeout.Token);
        await using var network = new NetworkStream(socket);
        await using var tls = new SslStream(network, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, timeout.Token);
        Assert.That(await ReadLineAsync(tls, timeout.Token), Does.StartWith("* OK "));
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"L LOGIN {login} \"{ImapFixture.Password}\"\r\n"), timeout.Token);
        Assert.That(await ReadLineAsync(tls, timeout.Token), Does.StartWith("L OK "));
        await tls.WriteAsync("c COMPRESS DEFLATE\r\n"u8.ToArray(), timeout.Token);
        Assert.That(await ReadLineAsync(tls, timeout.Token), Is.EqualTo("c OK DEFLATE active."), "sent before compression starts");

        await using var compressor = new DeflateStream(tls, CompressionLevel.Optimal, leaveOpen: true);
        await using var decompressor = new DeflateStream(tls, CompressionMode.Decompress, leaveOpen: true);
        async Task<List<string>> CommandAsync(string tag, string command)
        {
            await compressor.WriteAsync(Encoding.ASCII.GetBytes($"{tag} {command}\r\n"), timeout.Token);
            await compressor.FlushAsync(timeout.Token);
            var lines = new List<string>();
            for (var i = 0; i < 100; i++)
            {
                var line = await ReadLineAsync(decompressor, timeout.Token) ?? throw new InvalidOperationException("the server closed");
                lines.Add(line);
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    return lines;
                }
            }

            throw new InvalidOperationException("no tagged answer in 100 lines");
        }

        Assert.That(await CommandAsync("s", "SELECT INBOX"), Has.Some.EqualTo("* 0 EXISTS").And.Some.StartWith("s OK [READ-WRITE]"));
        Assert.That((await CommandAsync("c2", "COMPRESS DEFLATE"))[^1], Does.StartWith("c2 BAD [COMPRESSIONACTIVE] "));
        Assert.That((await CommandAsync("n", "NOOP"))[^1], Does.StartWith("n OK "), "still compressed after the refusal");
        Assert.That((await CommandAsync("k", "CAPABILITY"))[0], Does.Not.Contain("UNAUTHENTICATE"));
        Assert.That((await CommandAsync("u", "UNAUTHENTICATE"))[^1], Does.StartWith("u NO [CANNOT] "),
            "a next login would share the compression context with this user's mail");
        Assert.That(await CommandAsync("o", "LOGOUT"), Has.Some.StartWith("* BYE").And.Some.StartWith("o OK"));
        Assert.That(await decompressor.ReadAsync(new byte[16], timeout.Token), Is.Zero, "the deflate stream's final block");
    }

    [Test]
    public async Task MailKit_compresses_and_hears_a_delivery_in_IDLE()
    {
        var login = await ImapFixture.CreateAccountAsync();
        using var client = await ImapFixture.MailKitAsync(_node, login);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Compress), Is.True);
        await client.CompressAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.That(client.Inbox.Count, Is.Zero);

        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Inbox.CountChanged += (_, _) => arrived.TrySetResult();
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var idle = client.IdleAsync(done.Token);
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("over deflate"));
        var first = await Task.WhenAny(arrived.Task, Task.Delay(TimeSpan.FromSeconds(15)));
        await done.CancelAsync();
        await idle;
        Assert.That(first, Is.SameAs(arrived.Task), "the delivery was announced during IDLE");
        Assert.That(client.Inbox.Count, Is.EqualTo(1));

        var summary = (await client.Inbox.FetchAsync(0, 0, MessageSummaryItems.Envelope))[0];
        Assert.That(summary.Envelope?.Subject, Is.EqualTo("over deflate"));
        await client.DisconnectAsync(true);
    }

    /// <summary>Reads one line byte by byte (so nothing of the next layer's bytes is taken), without its CRLF.</summary>
    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) == 1)
        {
            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
            }

            line.Add(one[0]);
        }

        return line.Count == 0 ? null : Encoding.ASCII.GetString(line.ToArray());
    }
}
