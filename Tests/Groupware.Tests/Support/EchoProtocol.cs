using System.Net.Security;
using System.Text;
using Groupware.Connections;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Groupware.Tests.Support;

/// <summary>
/// A minimal line protocol in POP3's syntax (+OK/-ERR, STLS) that exercises the session base of
/// Groupware.Connections over real sockets, so its limits are tested apart from any front-end.
/// <c>openssl s_client -starttls pop3</c> can talk to it.
/// </summary>
public sealed class EchoProtocol(SessionLimits? limits = null, string name = "echo") : LineProtocol
{
    public override string Name => name;

    public override SessionLimits DefaultLimits => limits ?? new SessionLimits { IdleTimeout = TimeSpan.FromMinutes(1) };

    public override IReadOnlyList<SslApplicationProtocol> ApplicationProtocols => [new("echo")];

    private long _literalBytesReceived;

    /// <summary>Octets of literals received whole, for assertions.</summary>
    public long LiteralBytesReceived => Interlocked.Read(ref _literalBytesReceived);

    public override ReadOnlyMemory<byte> TooManyConnectionsReply(bool perAddress) => perAddress
        ? "-ERR [SYS/TEMP] too many connections from your address\r\n"u8.ToArray()
        : "-ERR [SYS/TEMP] too many connections\r\n"u8.ToArray();

    public override Task RunAsync(ConnectionContext connection, ListenerContext listener) =>
        new EchoSession(this, connection, listener, NullLogger.Instance).RunAsync();

    private sealed class EchoSession(EchoProtocol protocol, ConnectionContext connection, ListenerContext listener, ILogger logger)
        : LineSession(connection, listener, listener.Limits, logger)
    {
        protected override async ValueTask<SessionStep> GreetAsync(CancellationToken cancellationToken)
        {
            await WriteLineAsync("+OK echo ready", cancellationToken);
            return SessionStep.Continue;
        }

        protected override async ValueTask<SessionStep> OnLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
        {
            var text = Encoding.UTF8.GetString(line.Span);
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var verb = (space < 0 ? text : text[..space]).ToUpperInvariant();
            var argument = space < 0 ? "" : text[(space + 1)..];
            switch (verb)
            {
                case "ECHO":
                    await WriteLineAsync("+OK " + argument, cancellationToken);
                    return SessionStep.Continue;
                case "TLS":
                    await WriteLineAsync(Security.IsTls ? $"+OK tls {Security.TlsProtocol}" : "+OK clear", cancellationToken);
                    return SessionStep.Continue;
                case "STLS" when Security.IsTls || Listener.Tls != TlsMode.StartTls:
                    await WriteLineAsync("-ERR STLS not available", cancellationToken);
                    return SessionStep.Continue;
                case "STLS":
                    return await StartTlsAsync("+OK Begin TLS negotiation\r\n"u8.ToArray(), cancellationToken) == StartTlsOutcome.Started
                        ? SessionStep.Continue
                        : SessionStep.Close;
                case "LITERAL" when long.TryParse(argument, out var size) && size >= 0:
                    if (size > Limits.MaxLiteralSize)
                    {
                        await DiscardExactAsync(size, cancellationToken);
                        await WriteLineAsync("-ERR literal too big", cancellationToken);
                        return SessionStep.Continue;
                    }

                    long received = 0;
                    await ReadExactAsync(size, (chunk, _) =>
                    {
                        received += chunk.Length;
                        return ValueTask.CompletedTask;
                    }, cancellationToken);
                    Interlocked.Add(ref protocol._literalBytesReceived, received);
                    await WriteLineAsync($"+OK got {received}", cancellationToken);
                    return SessionStep.Continue;
                case "QUIT":
                    await WriteLineAsync("+OK bye", cancellationToken);
                    return SessionStep.Close;
                default:
                    await WriteLineAsync("-ERR unknown command", cancellationToken);
                    return SessionStep.Continue;
            }
        }

        protected override async ValueTask<SessionStep> OnLineTooLongAsync(CancellationToken cancellationToken)
        {
            await WriteLineAsync("-ERR line too long", cancellationToken);
            return SessionStep.Continue;
        }

        protected override ValueTask OnIdleTimeoutAsync(CancellationToken cancellationToken) =>
            WriteLineAsync("-ERR idle timeout", cancellationToken);

        protected override ValueTask OnShutdownAsync(CancellationToken cancellationToken) =>
            WriteLineAsync("-ERR [SYS/TEMP] server shutting down", cancellationToken);
    }
}
