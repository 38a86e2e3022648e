using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Groupware.Testing;

/// <summary>
/// A raw client for transcript tests: writes exactly the bytes a test gives and reads the server's
/// lines one by one, in clear or over TLS (implicit, or after the test's own STARTTLS command).
/// Every read is bounded by <see cref="Timeout"/>.
/// </summary>
public sealed class LineClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private LineClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The server's certificate once TLS is up.</summary>
    public X509Certificate2? RemoteCertificate { get; private set; }

    public SslProtocols TlsProtocol { get; private set; }

    public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint, bool implicitTls = false, IPAddress? bindTo = null,
        string[]? alpn = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (bindTo is not null)
        {
            socket.Bind(new IPEndPoint(bindTo, 0));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(endPoint, timeout.Token);
        var client = new LineClient(socket, new NetworkStream(socket, ownsSocket: false));
        if (implicitTls)
        {
            await client.StartTlsAsync(alpn);
        }

        return client;
    }

    /// <summary>Runs the TLS handshake on the connection now (after the test's STARTTLS/STLS).</summary>
    public async Task StartTlsAsync(string[]? alpn = null, SslProtocols protocols = SslProtocols.None)
    {
        if (_start != _end)
        {
            throw new InvalidOperationException("bytes are buffered before the handshake");
        }

        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(Timeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            EnabledSslProtocols = protocols,
            ApplicationProtocols = alpn?.Select(a => new SslApplicationProtocol(a)).ToList(),
        }, timeout.Token);
        _stream = tls;
        TlsProtocol = tls.SslProtocol;
        RemoteCertificate = tls.RemoteCertificate is null ? null : new X509Certificate2(tls.RemoteCertificate);
    }

    /// <summary>Sends text exactly as given (the test writes its own CRLFs).</summary>
    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await _stream.WriteAsync(bytes, timeout.Token);
        await _stream.FlushAsync(timeout.Token);
    }

    /// <summary>Sends one line followed by CRLF.</summary>
    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    /// <summary>Reads one line without its CRLF, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var line = new MemoryStream();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, timeout.Token);
                if (_end == 0)
                {
                    return line.Length == 0 ? null : Encoding.UTF8.GetString(line.ToArray());
                }
            }

            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf < 0)
            {
                line.Write(_buffer, _start, _end - _start);
                _start = _end;
                continue;
            }

            line.Write(_buffer, _start, lf - _start);
            _start = lf + 1;
            var bytes = line.ToArray();
            var length = bytes.Length > 0 && bytes[^1] == '\r' ? bytes.Length - 1 : bytes.Length;
            return Encoding.UTF8.GetString(bytes, 0, length);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> octets (a literal's data, which may hold any octet); fewer when the server closed the connection.</summary>
    public async Task<byte[]> ReadOctetsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var octets = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, timeout.Token);
                if (_end == 0)
                {
                    return octets[..filled];
                }
            }

            var take = Math.Min(count - filled, _end - _start);
            Array.Copy(_buffer, _start, octets, filled, take);
            _start += take;
            filled += take;
        }

        return octets;
    }

    /// <summary>Reads lines until one satisfies <paramref name="last"/>; returns them all.</summary>
    public async Task<List<string>> ReadUntilAsync(Func<string, bool> last)
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (last(line))
            {
                break;
            }
        }

        return lines;
    }

    /// <summary>True when the server closed the connection (a read returns end of stream or a reset).</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        try
        {
            return await ReadLineAsync() is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
