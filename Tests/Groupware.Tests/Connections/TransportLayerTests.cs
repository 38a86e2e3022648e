using System.IO.Compression;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// The engine's transport stack: COMPRESS=DEFLATE (RFC 4978) on top of TLS after STARTTLS, both
/// ways, each response sent whole by a sync flush; and closing unwinds every layer, top first: the
/// client sees the deflate stream's end, then TLS's close_notify, then the end of the connection.
/// </summary>
public sealed class TransportLayerTests
{
    [Test]
    public async Task Deflate_over_TLS_carries_commands_both_ways_and_closes_layer_by_layer()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(node.EndPoint("echo"), timeout.Token);
        await using var network = new NetworkStream(socket);
        Assert.That(await ReadLineAsync(network, timeout.Token), Is.EqualTo("+OK echo ready"));
        await network.WriteAsync("STLS\r\n"u8.ToArray(), timeout.Token);
        Assert.That(await ReadLineAsync(network, timeout.Token), Is.EqualTo("+OK Begin TLS negotiation"));
        await using var tls = new SslStream(network, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, timeout.Token);
        await tls.WriteAsync("COMPRESS\r\n"u8.ToArray(), timeout.Token);
        Assert.That(await ReadLineAsync(tls, timeout.Token), Is.EqualTo("+OK deflate"));

        await using var compressor = new DeflateStream(tls, CompressionLevel.Optimal, leaveOpen: true);
        await using var decompressor = new DeflateStream(tls, CompressionMode.Decompress, leaveOpen: true);
        foreach (var (command, answer) in new[] { ("LAYERS", "+OK tls deflate"), ("ECHO compressed", "+OK compressed"), ("TLS", "+OK tls Tls13") })
        {
            await compressor.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), timeout.Token);
            await compressor.FlushAsync(timeout.Token);
            Assert.That(await ReadLineAsync(decompressor, timeout.Token), Is.EqualTo(answer), command);
        }

        await compressor.WriteAsync("QUIT\r\n"u8.ToArray(), timeout.Token);
        await compressor.FlushAsync(timeout.Token);
        Assert.That(await ReadLineAsync(decompressor, timeout.Token), Is.EqualTo("+OK bye"));
        Assert.That(await decompressor.ReadAsync(new byte[16], timeout.Token), Is.Zero, "the deflate stream's final block");
        Assert.That(await tls.ReadAsync(new byte[16], timeout.Token), Is.Zero, "TLS close_notify, not a reset");
        Assert.That(await network.ReadAsync(new byte[16], timeout.Token), Is.Zero, "the end of the connection");
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
