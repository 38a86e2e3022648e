using System.Net.Security;
using System.Text;
using Groupware.Connections;
using Groupware.Connections.Framing;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Groupware.Tests.Support;

/// <summary>
/// A minimal line protocol in POP3's syntax (+OK/-ERR, STLS) with IMAP's literals, that exercises
/// the session engine of Groupware.Connections over real sockets, so its limits, literals, transport
/// layers and waits are tested apart from any front-end. <c>openssl s_client -starttls pop3</c> can
/// talk to it. Commands:
/// <list type="bullet">
/// <item><c>ECHO text</c>: <c>+OK text</c>; <c>ECHO {n}</c> (or <c>{n+}</c>) and n octets: <c>+OK got n</c>.</item>
/// <item><c>TLS</c>, <c>STLS</c>, <c>LAYERS</c>: the connection's protection, STARTTLS, the transport layers.</item>
/// <item><c>COMPRESS</c>: <c>+OK deflate</c>, then COMPRESS=DEFLATE both ways.</item>
/// <item><c>WAIT ms</c>: waits for input, <see cref="WakeUp"/>, the timeout or shutdown, and says which.</item>
/// </list>
/// </summary>
public sealed class EchoProtocol(SessionLimits? limits = null, string name = "echo") : LineProtocol
{
    private long _literalBytesReceived;
    private TaskCompletionSource _wakeUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override string Name => name;

    public override SessionLimits DefaultLimits => limits ?? new SessionLimits { IdleTimeout = TimeSpan.FromMinutes(1) };

    public override IReadOnlyList<SslApplicationProtocol> ApplicationProtocols => [new("echo")];

    /// <summary>Octets of literals received whole, for assertions.</summary>
    public long LiteralBytesReceived => Interlocked.Read(ref _literalBytesReceived);

    /// <summary>Literals the engine spooled to a file rather than memory (the echo spools those over 64 KiB).</summary>
    public int SpooledLiterals { get; private set; }

    /// <summary>Ends every WAIT in progress with "wakeup", as a change in the store would.</summary>
    public void WakeUp() => Interlocked.Exchange(ref _wakeUp, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public override ReadOnlyMemory<byte> TooManyConnectionsReply(bool perAddress) => perAddress
        ? "-ERR [SYS/TEMP] too many connections from your address\r\n"u8.ToArray()
        : "-ERR [SYS/TEMP] too many connections\r\n"u8.ToArray();

    public override Task RunAsync(ConnectionContext connection, ListenerContext listener) =>
        new EchoSession(this, connection, listener, NullLogger.Instance).RunAsync();

    private sealed class EchoSession(EchoProtocol protocol, ConnectionContext connection, ListenerContext listener, ILogger logger)
        : LineSession(connection, listener, listener.Limits, logger, CommandFramer.LinesWithLiterals(listener.Limits))
    {
        protected override async ValueTask<SessionStep> GreetAsync(CancellationToken cancellationToken)
        {
            await WriteLineAsync("+OK echo ready", cancellationToken);
            return SessionStep.Continue;
        }

        protected override LiteralDecision DecideLiteral(in LiteralRequest request) =>
            request.Marker.Length > 64 * 1024 ? LiteralDecision.Spool : LiteralDecision.Buffer;

        protected override ReadOnlyMemory<byte> LiteralContinuation(in LiteralRequest request) => "+ go ahead\r\n"u8.ToArray();

        protected override async ValueTask<SessionStep> OnCommandAsync(FramedCommand command, CancellationToken cancellationToken)
        {
            var text = Encoding.UTF8.GetString(command.FirstLine);
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var verb = (space < 0 ? text : text[..space]).ToUpperInvariant();
            var argument = space < 0 ? "" : text[(space + 1)..];
            switch (verb)
            {
                case "ECHO" when command.Literals.Count > 0:
                    var received = command.Literals.Sum(l => l.Length);
                    protocol.SpooledLiterals += command.Literals.Count(l => l.IsSpooled);
                    Interlocked.Add(ref protocol._literalBytesReceived, received);
                    await WriteLineAsync($"+OK got {received}", cancellationToken);
                    return SessionStep.Continue;
                case "ECHO":
                    await WriteLineAsync("+OK " + argument, cancellationToken);
                    return SessionStep.Continue;
                case "TLS":
                    await WriteLineAsync(Security.IsTls ? $"+OK tls {Security.TlsProtocol}" : "+OK clear", cancellationToken);
                    return SessionStep.Continue;
                case "LAYERS":
                    await WriteLineAsync("+OK " + string.Join(' ', TransportLayers), cancellationToken);
                    return SessionStep.Continue;
                case "STLS" when Security.IsTls || Listener.Tls != TlsMode.StartTls:
                    await WriteLineAsync("-ERR STLS not available", cancellationToken);
                    return SessionStep.Continue;
                case "STLS":
                    return await StartTlsAsync("+OK Begin TLS negotiation\r\n"u8.ToArray(), cancellationToken) == StartTlsOutcome.Started
                        ? SessionStep.Continue
                        : SessionStep.Close;
                case "COMPRESS":
                    await StartCompressionAsync("+OK deflate\r\n"u8.ToArray(), cancellationToken);
                    return SessionStep.Continue;
                case "WAIT" when int.TryParse(argument, out var milliseconds):
                    var outcome = await WaitAsync(protocol._wakeUp.Task, TimeSpan.FromMilliseconds(milliseconds), cancellationToken);
                    if (outcome is WaitOutcome.Shutdown or WaitOutcome.Closed)
                    {
                        return SessionStep.Continue;
                    }

                    await WriteLineAsync("+OK " + outcome.ToString().ToLowerInvariant(), cancellationToken);
                    return SessionStep.Continue;
                case "QUIT":
                    await WriteLineAsync("+OK bye", cancellationToken);
                    return SessionStep.Close;
                default:
                    await WriteLineAsync("-ERR unknown command", cancellationToken);
                    return SessionStep.Continue;
            }
        }

        protected override async ValueTask<SessionStep> OnFramingErrorAsync(FramedCommand command, CancellationToken cancellationToken)
        {
            await WriteLineAsync(command.Error == FrameError.LineTooLong ? "-ERR line too long" : "-ERR literal too big", cancellationToken);
            return SessionStep.Continue;
        }

        protected override ValueTask OnIdleTimeoutAsync(CancellationToken cancellationToken) =>
            WriteLineAsync("-ERR idle timeout", cancellationToken);

        protected override ValueTask OnTooSlowAsync(CancellationToken cancellationToken) =>
            WriteLineAsync("-ERR too slow", cancellationToken);

        protected override ValueTask OnShutdownAsync(CancellationToken cancellationToken) =>
            WriteLineAsync("-ERR [SYS/TEMP] server shutting down", cancellationToken);
    }
}
