using System.Buffers;
using System.Net;
using Groupware.Connections;
using Groupware.Connections.Framing;
using Groupware.Lmtp.Commands;
using Groupware.Lmtp.Syntax;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Groupware.Lmtp;

/// <summary>
/// One LMTP connection (RFC 2033): greets, reads command lines through the session base, looks
/// each up in the <see cref="CommandTable"/>, checks the state, runs it and sends its replies.
/// Replies to pipelined commands (RFC 2920) are written as they are ready and flushed when no
/// further complete command is waiting, so a pipelined group costs one round trip.
/// </summary>
internal sealed partial class LmtpSession(
    ConnectionContext connection,
    ListenerContext listener,
    LmtpOptions options,
    MailStore store,
    RecipientResolver resolver,
    DatabaseOutageLog outages,
    ILogger logger)
    : LineSession(connection, listener, listener.Limits, logger)
{
    private static readonly LmtpReply LineTooLong = new(500, "5.5.2", "Line too long");

    public LmtpOptions Options { get; } = options;

    public MailStore Store { get; } = store;

    public RecipientResolver Resolver { get; } = resolver;

    public DatabaseOutageLog Outages { get; } = outages;

    public LmtpState State { get; set; } = LmtpState.Connected;

    /// <summary>The name the client gave in LHLO.</summary>
    public string? ClientName { get; set; }

    /// <summary>The client's address for Received fields.</summary>
    public string ClientAddress => Security.RemoteAddress?.ToString() ?? (Security.IsUnixSocket ? "unix socket" : "unknown");

    /// <summary>The open mail transaction, from MAIL to its end.</summary>
    public MailTransaction? Transaction { get; private set; }

    /// <summary>Whether STARTTLS may be used now: the listener offers it and the connection is still clear.</summary>
    public bool StartTlsOffered => Listener.Tls == TlsMode.StartTls && !Security.IsTls && Listener.Certificates is not null;

    /// <summary>On a STARTTLS listener no mail is taken in clear (the listener may face the network).</summary>
    public bool TlsRequired => Listener.Tls == TlsMode.StartTls && !Security.IsTls;

    public async ValueTask BeginTransactionAsync(MailTransaction transaction)
    {
        await EndTransactionAsync();
        Transaction = transaction;
        State = LmtpState.Mail;
    }

    /// <summary>Ends the transaction, if any, deleting whatever it spooled.</summary>
    public async ValueTask EndTransactionAsync()
    {
        if (Transaction is { } transaction)
        {
            Transaction = null;
            await transaction.DisposeAsync();
        }

        if (State is LmtpState.Mail or LmtpState.Chunking)
        {
            State = LmtpState.Ready;
        }
    }

    /// <summary>Sends a reply at once (354 before the body).</summary>
    public async ValueTask SendNowAsync(LmtpReply reply, CancellationToken cancellationToken)
    {
        Write(reply.Render());
        await FlushAsync(cancellationToken);
    }

    /// <summary>Answers positively and runs the TLS handshake (see <see cref="LineSession.StartTlsAsync"/>).</summary>
    public async ValueTask<StartTlsOutcome> UpgradeToTlsAsync(LmtpReply positiveReply, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        return await StartTlsAsync(System.Text.Encoding.ASCII.GetBytes(positiveReply.Render()), cancellationToken);
    }

    /// <summary>
    /// Reads the DATA body up to CRLF.CRLF into <paramref name="message"/> as it arrives; the
    /// command that follows stays in the input.
    /// </summary>
    public async ValueTask ReadDataAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        var decoder = new DataDecoder();
        var transfer = StartTransfer();
        while (true)
        {
            var result = await ReadTransferAsync(transfer, cancellationToken);
            var buffer = result.Buffer;
            long consumed = 0;
            var ended = false;
            foreach (var segment in buffer)
            {
                var output = ArrayPool<byte>.Shared.Rent(segment.Length + DataDecoder.MaxExtraOutput + 1);
                try
                {
                    var status = decoder.Decode(segment.Span, output, out var used, out var written);
                    await message.WriteAsync(output.AsMemory(0, written), cancellationToken);
                    consumed += used;
                    if (status == DataStatus.End)
                    {
                        ended = true;
                        break;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(output);
                }
            }

            Input.AdvanceTo(buffer.GetPosition(consumed));
            transfer.Received += consumed;
            if (ended)
            {
                return;
            }

            if (result.IsCompleted)
            {
                throw new SessionClosedException("the client closed the connection inside DATA");
            }
        }
    }

    /// <summary>Reads a BDAT chunk of <paramref name="size"/> octets into <paramref name="message"/>, or discards it.</summary>
    public ValueTask ReadChunkAsync(long size, IncomingMessage? message, CancellationToken cancellationToken) =>
        message is null
            ? DiscardExactAsync(size, cancellationToken)
            : ReadExactAsync(size, (chunk, ct) => message.WriteAsync(chunk, ct), cancellationToken);

    public void CountDeliveries(string outcome, int count)
    {
        if (count > 0)
        {
            Listener.Metrics.Deliveries.Add(count, new KeyValuePair<string, object?>("protocol", "lmtp"),
                new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public void CountRefusal() => CountDeliveries("refused", 1);

    /// <summary>Logs that the store is unavailable: one line each time, the stack once a minute per distinct error.</summary>
    public void LogStoreUnavailable(Exception e) => Outages.Report(Logger, e, $"{ConnectionId} answered 451");

    /// <summary>Logs a statement the database refused while delivering: a bug, answered 451 so the MTA keeps the message.</summary>
    public void LogStoreRefused(Exception e) => LogStoreFailed(Logger, e, ConnectionId);

    public void LogSpoolFailed(Exception e) => LogSpoolFailed(Logger, ConnectionId, Options.SpoolDirectory, e.Message);

    public void LogDelivery(string transactionId, string recipient, string reply) =>
        LogDelivered(Logger, ConnectionId, transactionId, recipient, reply);

    protected override async ValueTask<SessionStep> GreetAsync(CancellationToken cancellationToken)
    {
        // Neutral on purpose (DESIGN.md): no product name for clients to switch quirks on.
        await SendNowAsync(new LmtpReply(220, null, $"{Options.HostName} LMTP ready"), cancellationToken);
        return SessionStep.Continue;
    }

    protected override async ValueTask<SessionStep> OnCommandAsync(FramedCommand command, CancellationToken cancellationToken)
    {
        var parsed = LmtpCommandParser.Parse(command.FirstLine);
        LmtpResponse response;
        if (parsed.Entry is { } entry && (entry.AllowedIn & State) == 0)
        {
            response = entry.OutOfSequence(State);
        }
        else if (parsed.Outcome.Command is { } lmtpCommand)
        {
            response = await lmtpCommand.ExecuteAsync(this, cancellationToken);
        }
        else
        {
            response = parsed.Outcome.Error!;
        }

        return await RespondAsync(response, cancellationToken);
    }

    protected override ValueTask<SessionStep> OnFramingErrorAsync(FramedCommand command, CancellationToken cancellationToken) =>
        RespondAsync(LineTooLong, cancellationToken);

    protected override ValueTask OnIdleTimeoutAsync(CancellationToken cancellationToken) =>
        SendNowAsync(new LmtpReply(421, "4.4.2", $"{Options.HostName} Idle for too long, closing connection"), cancellationToken);

    protected override ValueTask OnTooSlowAsync(CancellationToken cancellationToken) =>
        SendNowAsync(new LmtpReply(421, "4.4.2", $"{Options.HostName} Command or data sent too slowly, closing connection"), cancellationToken);

    protected override ValueTask OnShutdownAsync(CancellationToken cancellationToken) =>
        SendNowAsync(new LmtpReply(421, "4.3.2", $"{Options.HostName} Service shutting down, closing connection"), cancellationToken);

    protected override async ValueTask OnClosedAsync() => await EndTransactionAsync();

    protected override void OnTlsStarted()
    {
        // RFC 3207 §4.2: forget everything learnt before the handshake; the client starts with LHLO.
        Transaction = null;
        ClientName = null;
        State = LmtpState.Connected;
    }

    private async ValueTask<SessionStep> RespondAsync(LmtpResponse response, CancellationToken cancellationToken)
    {
        foreach (var reply in response.Replies)
        {
            Write(reply.Render());
        }

        if (response.Step == SessionStep.Close || !IsLineBuffered())
        {
            await FlushAsync(cancellationToken);
        }

        return response.Step;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId} the mail store refused a delivery; answered 451")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{ConnectionId} the spool in {SpoolDirectory} could not keep the message ({Reason}); answered 4xx for every recipient")]
    private static partial void LogSpoolFailed(ILogger logger, string connectionId, string spoolDirectory, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId} {TransactionId} to=<{Recipient}>: {Reply}")]
    private static partial void LogDelivered(ILogger logger, string connectionId, string transactionId, string recipient, string reply);
}
