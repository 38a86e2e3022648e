using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Groupware.Connections;

namespace Groupware.Server.Probe;

/// <summary>
/// The client side of one probe conversation: a TCP connection (from <c>--bind</c> if given) that
/// reads CRLF lines through the same sans-IO framing the server uses, writes lines, and can switch
/// to TLS after a STARTTLS/STLS answer. Every line goes to the transcript, passwords masked.
/// </summary>
internal sealed class ProbeConnection : IAsyncDisposable
{
    /// <summary>
    /// Longest server line accepted. RFC 9051 sets no limit on response lines, and capability lists
    /// grow; 64 KiB is far beyond any real greeting or CAPABILITY while bounding a garbage server.
    /// </summary>
    public const int MaxLineLength = 64 * 1024;

    /// <summary>Largest literal in a server response the probe reads (and discards).</summary>
    public const int MaxLiteralSize = 1024 * 1024;

    private readonly Socket _socket;
    private Stream _stream;
    private PipeReader _reader;

    private ProbeConnection(Socket socket, ProbeTranscript transcript)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        Transcript = transcript;
    }

    public ProbeTranscript Transcript { get; }

    /// <summary>The TLS stream once <see cref="StartTlsAsync"/> has run.</summary>
    public SslStream? Tls { get; private set; }

    /// <summary>
    /// Connects to <paramref name="port"/> on the endpoint's host, trying each address the name
    /// resolves to (of the bind address's family, when one is given).
    /// </summary>
    /// <exception cref="ProbeUnreachableException">No address accepted the connection.</exception>
    public static async Task<ProbeConnection> ConnectAsync(ProbeEndpoint endpoint, int port, ProbeTranscript transcript,
        CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(endpoint.Host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        }
        catch (SocketException e)
        {
            throw new ProbeUnreachableException($"{endpoint.Host} does not resolve: {e.Message}", e);
        }

        if (endpoint.Bind is { } bind)
        {
            addresses = addresses.Where(a => a.AddressFamily == bind.AddressFamily).ToArray();
            if (addresses.Length == 0)
            {
                throw new ProbeUnreachableException($"{endpoint.Host} has no address of the family of --bind {bind}");
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (endpoint.Bind is { } from)
                {
                    socket.Bind(new IPEndPoint(from, 0));
                }

                transcript.Note($"connecting to {new IPEndPoint(address, port)}{(endpoint.Bind is null ? "" : $" from {endpoint.Bind}")}");
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                transcript.Note($"connected from {socket.LocalEndPoint}");
                return new ProbeConnection(socket, transcript);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                transcript.Note($"{address}: {e.Message}");
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new ProbeUnreachableException($"connection to port {port} failed: {last?.Message ?? "no address"}", last);
    }

    /// <summary>Sends one line and CRLF; the transcript shows <paramref name="masked"/> instead when given.</summary>
    public async Task WriteLineAsync(string line, CancellationToken cancellationToken, string? masked = null)
    {
        Transcript.Client(masked ?? line);
        await WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken);
    }

    /// <summary>Sends bytes as they are (a literal's content); the transcript shows <paramref name="shown"/>.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, string shown, CancellationToken cancellationToken)
    {
        Transcript.Client(shown);
        await WriteAsync(bytes, cancellationToken);
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new ProbeMismatchException($"the server closed the connection: {e.GetBaseException().Message}");
        }
    }

    /// <summary>Reads one line without its CRLF.</summary>
    /// <exception cref="ProbeMismatchException">The server closed the connection, or sent a line longer than <see cref="MaxLineLength"/>.</exception>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            switch (LineFraming.TryReadLine(buffer, MaxLineLength, out var line, out var consumed, out _))
            {
                case LineFrame.Line:
                    var text = Encoding.UTF8.GetString(line);
                    _reader.AdvanceTo(consumed);
                    Transcript.Server(text);
                    return text;
                case LineFrame.TooLong:
                    _reader.AdvanceTo(consumed);
                    throw new ProbeMismatchException($"the server sent a line longer than {MaxLineLength} octets");
                default:
                    _reader.AdvanceTo(consumed, buffer.End);
                    break;
            }

            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    Transcript.Server(Encoding.UTF8.GetString(buffer));
                }

                throw new ProbeMismatchException(buffer.IsEmpty
                    ? "the server closed the connection"
                    : "the server closed the connection in the middle of a line");
            }
        }
    }

    /// <summary>Reads and discards <paramref name="count"/> octets: a literal inside a server response.</summary>
    public async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        if (count > MaxLiteralSize)
        {
            throw new ProbeMismatchException($"the server announced a literal of {count} octets");
        }

        Transcript.Server($"({count} octets of literal)");
        var remaining = count;
        while (remaining > 0)
        {
            var result = await ReadAsync(cancellationToken);
            var take = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, remaining));
            remaining -= take.Length;
            _reader.AdvanceTo(take.End);
            if (remaining > 0 && result.IsCompleted)
            {
                throw new ProbeMismatchException("the server closed the connection inside a literal");
            }
        }
    }

    /// <summary>
    /// Runs the TLS handshake on the connection, after the server's positive answer to STARTTLS/STLS
    /// (or at once for implicit TLS). A server that sent bytes after its answer and before the
    /// handshake is refused: a client must not carry them into TLS (RFC 2595 §3.1, the response side
    /// of CVE-2011-0411).
    /// </summary>
    public async Task<SslStream> StartTlsAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        if (_reader.TryRead(out var buffered))
        {
            var pending = buffered.Buffer.Length;
            _reader.AdvanceTo(buffered.Buffer.Start);
            if (pending > 0)
            {
                throw new ProbeMismatchException($"the server sent {pending} octets in clear after agreeing to start TLS");
            }
        }

        await _reader.CompleteAsync();
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        Transcript.Note($"TLS handshake{(string.IsNullOrEmpty(options.TargetHost) ? "" : $" (SNI {options.TargetHost})")}");
        await tls.AuthenticateAsClientAsync(options, cancellationToken);
        Transcript.Note($"TLS up: {Describe(tls)}");
        _stream = tls;
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        Tls = tls;
        return tls;
    }

    /// <summary>Protocol and cipher, e.g. <c>TLSv1.3 TLS_AES_256_GCM_SHA384</c>.</summary>
    public static string Describe(SslStream tls) => $"{TlsVersionName(tls.SslProtocol)} {tls.NegotiatedCipherSuite}";

    /// <summary>OpenSSL's names for the versions, which operators know from s_client.</summary>
    public static string TlsVersionName(System.Security.Authentication.SslProtocols protocol) => protocol switch
    {
#pragma warning disable SYSLIB0039, CA5397 // naming the old versions to report them, not offering them
        System.Security.Authentication.SslProtocols.Tls => "TLSv1",
        System.Security.Authentication.SslProtocols.Tls11 => "TLSv1.1",
#pragma warning restore SYSLIB0039, CA5397
        System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
        System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
        _ => protocol.ToString(),
    };

    private async Task<ReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _reader.ReadAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new ProbeMismatchException($"the server closed the connection: {e.GetBaseException().Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        try
        {
            if (Tls is not null)
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await Tls.ShutdownAsync().WaitAsync(limit.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The server went first; nothing to say goodbye to.
        }

        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
