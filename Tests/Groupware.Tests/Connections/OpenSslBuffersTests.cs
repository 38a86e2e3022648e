using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Groupware.Connections;
using Groupware.Testing;

namespace Groupware.Tests.Connections;

/// <summary>
/// SSL_MODE_RELEASE_BUFFERS is set on this runtime (Debian 12's OpenSSL 3 under .NET 10): the check
/// fails when a runtime upgrade moves what <see cref="OpenSslBuffers"/> reaches for, instead of idle
/// connections silently costing their buffers again. And a connection whose buffers come and go
/// still carries records of every size, both ways, intact.
/// </summary>
public sealed class OpenSslBuffersTests
{
    [Test]
    public async Task Buffers_are_released_and_records_of_every_size_still_cross_intact()
    {
        Assert.That(OpenSslBuffers.Available, Is.True, "Linux with libssl.so.3 loaded and SslStream's OpenSSL context found");

        using var certificates = new TestCertificates();
        using var certificate = X509CertificateLoader.LoadPkcs12(
            X509Certificate2.CreateFromPemFile(certificates.CertificateFile, certificates.KeyFile).Export(X509ContentType.Pkcs12), null);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var clientSocket = new TcpClient();
        await clientSocket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var serverSocket = await listener.AcceptTcpClientAsync();
        await using var server = new SslStream(serverSocket.GetStream());
        await using var client = new SslStream(clientSocket.GetStream());
        await Task.WhenAll(
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }),
            client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = (_, _, _, _) => true }));

        Assert.That(OpenSslBuffers.ReleaseWhenIdle(server), Is.True);
        foreach (var size in new[] { 1, 100, 16_384, 16_385, 200_000 })
        {
            var sent = RandomNumberGenerator.GetBytes(size);
            await client.WriteAsync(sent);
            Assert.That(await ReadExactlyAsync(server, size), Is.EqualTo(sent), $"{size} octets to the server");
            await server.WriteAsync(sent);
            Assert.That(await ReadExactlyAsync(client, size), Is.EqualTo(sent), $"{size} octets from the server");
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int size)
    {
        var buffer = new byte[size];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        return buffer;
    }
}
