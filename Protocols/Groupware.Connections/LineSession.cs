using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Groupware.Connections.Framing;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Groupware.Connections;

/// <summary>What a session does after a command.</summary>
public enum SessionStep
{
    Continue,
    Close,
}

/// <summary>How <see cref="LineSession.StartTlsAsync"/> ended.</summary>
public enum StartTlsOutcome
{
    /// <summary>The handshake completed; the session now reads and writes through TLS.</summary>
    Started,

    /// <summary>The client sent bytes after the command before the handshake; the session must close.</summary>
    PipelinedInput,

    /// <summary>The handshake failed or timed out; the session must close.</summary>
    HandshakeFailed,
}

/// <summary>What <see cref="LineSession.ReadLineAsync(CancellationToken)"/> returned.</summary>
public enum LineStatus
{
    Line,
    TooLong,
    Closed,
}

/// <summary>How <see cref="LineSession.WaitAsync"/> ended.</summary>
public enum WaitOutcome
{
    /// <summary>The client sent something: a command (IMAP's DONE, or one sent instead of it) can be read.</summary>
    Input,

    /// <summary>The wake-up task completed (a change in the store, on this node or another).</summary>
    WakeUp,

    /// <summary>The wait's timeout passed without either.</summary>
    Timeout,

    /// <summary>The node is shutting down: say the protocol's goodbye.</summary>
    Shutdown,

    /// <summary>The client closed the connection.</summary>
    Closed,
}

/// <summary>What the protocol wants done with a literal the client announced.</summary>
public enum LiteralDecision
{
    /// <summary>Read it into memory; it counts against <see cref="SessionLimits.MaxCommandSize"/>.</summary>
    Buffer,

    /// <summary>Read it into a spool file (an APPEND body): it counts only against <see cref="SessionLimits.MaxLiteralSize"/>.</summary>
    Spool,

    /// <summary>Refuse it: the command fails with <see cref="FrameError.LiteralRefused"/>.</summary>
    Refuse,
}

/// <summary>A literal the client announced, for the protocol's <see cref="LineSession.DecideLiteral"/>.</summary>
public readonly ref struct LiteralRequest(LiteralMarker marker, int index, ReadOnlySpan<byte> firstLine)
{
    /// <summary>Its octet count and form.</summary>
    public LiteralMarker Marker { get; } = marker;

    /// <summary>Its position in the command (0 for the first literal).</summary>
    public int Index { get; } = index;

    /// <summary>The command's first line, e.g. <c>a1 APPEND INBOX {310}</c>.</summary>
    public ReadOnlySpan<byte> FirstLine { get; } = firstLine;
}

/// <summary>The client stopped sending for longer than <see cref="SessionLimits.IdleTimeout"/> (or the protocol's own deadline).</summary>
public sealed class SessionIdleException() : Exception("the client was idle for too long");

/// <summary>
/// The client sends too slowly: a command line took longer than <see cref="SessionLimits.CommandLineTimeout"/>,
/// or a literal or DATA arrived below <see cref="SessionLimits.MinDataRate"/>.
/// </summary>
public sealed class SessionTooSlowException(string message) : Exception(message);

/// <summary>The client stopped reading, or went away, while the session was writing.</summary>
public sealed class SessionClosedException(string message) : Exception(message);

/// <summary>
/// The session engine every line protocol (IMAP, POP3, LMTP) runs on, over System.IO.Pipelines.
/// The protocol supplies a sans-IO <see cref="CommandFramer"/> and answers whole commands
/// (<see cref="OnCommandAsync"/>); the engine does the I/O around the framer: it reads, sends the
/// protocol's continuation request for a synchronizing literal (RFC 9051 §7.5), reads literals into
/// memory or a spool, and enforces every named limit of <see cref="SessionLimits"/>: line length,
/// literal and command size, LITERAL- (RFC 7888 §5), the idle timeout between commands, a deadline
/// per command line and a minimum rate for literals and DATA. It keeps a stack of transport layers
/// (TLS after STARTTLS, done as RFC 2595 §3.1 / RFC 3207 §4 and DESIGN.md's lessons say, and later
/// COMPRESS=DEFLATE, RFC 4978) that closing unwinds; it offers a wait that ends on input, on a
/// wake-up from the store, on a timeout or on shutdown (IMAP IDLE); and it says the protocol's
/// goodbye when the node shuts down. Every timer runs on the listener's <see cref="TimeProvider"/>.
/// </summary>
public abstract partial class LineSession
{
    private readonly ConnectionContext _connection;
    private readonly Socket? _tcpSocket;
    private static readonly byte[] IntOne = BitConverter.GetBytes(1);
    private readonly CommandFramer _framer;
    private readonly ITimer _readTimer;
    private readonly ITimer _writeTimer;
    private readonly List<TransportLayer> _layers = [];
    private PipeReader _input;
    private PipeWriter _output;
    private long _readGeneration;
    private long _timerFiredGeneration = -1;
    private volatile bool _shutdownRequested;
    private volatile bool _writeTimedOut;

    /// <summary>True when a refused literal could be neither read nor discarded: the session closes after answering.</summary>
    private bool _outOfStep;

    /// <param name="connection">The accepted connection.</param>
    /// <param name="listener">The listener that accepted it.</param>
    /// <param name="limits">The session's limits.</param>
    /// <param name="logger">The protocol's logger.</param>
    /// <param name="framer">The protocol's framer; lines without literals when null.</param>
    protected LineSession(ConnectionContext connection, ListenerContext listener, SessionLimits limits, ILogger logger, CommandFramer? framer = null)
    {
        _connection = connection;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _framer = framer ?? CommandFramer.Lines(limits);
        Listener = listener;
        Limits = limits;
        Logger = logger;
        Time = listener.Time;
        Security = listener.SecurityOf(connection);
        _tcpSocket = connection.Features.Get<IConnectionSocketFeature>()?.Socket is { ProtocolType: ProtocolType.Tcp } socket ? socket : null;
        _readTimer = Time.CreateTimer(static s => ((LineSession)s!).OnReadTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _writeTimer = Time.CreateTimer(static s => ((LineSession)s!).OnWriteTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>What a pending read waits for, and what it means when its timer fires.</summary>
    private enum ReadDeadline
    {
        /// <summary>The first octet of the next command: firing is idleness (the protocol's autologout).</summary>
        NextCommand,

        /// <summary>The rest of a command line, or a literal at the minimum rate: firing is a client too slow.</summary>
        WithinCommand,
    }

    /// <summary>The protection of the connection now; replaced after STARTTLS.</summary>
    public ConnectionSecurity Security { get; private set; }

    protected ListenerContext Listener { get; }

    protected SessionLimits Limits { get; }

    protected ILogger Logger { get; }

    /// <summary>The clock every timer of this session runs on (the listener's).</summary>
    public TimeProvider Time { get; }

    /// <summary>The connection's id, for log lines.</summary>
    protected string ConnectionId => _connection.ConnectionId;

    /// <summary>Fires when the client goes away; commands pass it to storage so work stops with them.</summary>
    protected CancellationToken ConnectionAborted => _connection.ConnectionClosed;

    /// <summary>The current input: the top of the transport stack.</summary>
    protected PipeReader Input => _input;

    /// <summary>The current output: the top of the transport stack.</summary>
    protected PipeWriter Output => _output;

    /// <summary>The names of the transport layers above the connection, bottom first (<c>tls</c>, <c>deflate</c>).</summary>
    protected IReadOnlyList<string> TransportLayers => _layers.Select(l => l.Name).ToList();

    /// <summary>Serves the connection: greets, then answers commands until the protocol or the client ends it.</summary>
    public async Task RunAsync()
    {
        using var shutdown = _connection.Features.Get<IConnectionLifetimeNotificationFeature>()?
            .ConnectionClosedRequested.Register(static s => ((LineSession)s!).OnShutdownRequested(), this);
        var cancellationToken = ConnectionAborted;
        try
        {
            if (await GreetAsync(cancellationToken) == SessionStep.Close)
            {
                return;
            }

            while (true)
            {
                if (_shutdownRequested)
                {
                    await OnShutdownAsync(cancellationToken);
                    return;
                }

                using var command = await ReadCommandAsync(cancellationToken);
                if (command is null)
                {
                    return;
                }

                var step = command.Error == FrameError.None
                    ? await OnCommandAsync(command, cancellationToken)
                    : await OnFramingErrorAsync(command, cancellationToken);
                if (step == SessionStep.Close || _outOfStep)
                {
                    return;
                }
            }
        }
        catch (SessionIdleException)
        {
            await TryAsync(() => OnIdleTimeoutAsync(cancellationToken));
        }
        catch (SessionTooSlowException e)
        {
            LogTooSlow(Logger, ConnectionId, Security, e.Message);
            await TryAsync(() => OnTooSlowAsync(cancellationToken));
        }
        catch (ShutdownRequestedException)
        {
            await TryAsync(() => OnShutdownAsync(cancellationToken));
        }
        catch (Exception e) when (IsDisconnect(e))
        {
            LogDisconnected(Logger, ConnectionId, e.Message);
        }
        catch (Exception e)
        {
            Listener.Metrics.Errors.Add(1, new KeyValuePair<string, object?>("component", Listener.Protocol));
            LogSessionFailed(Logger, e, ConnectionId, Security);
        }
        finally
        {
            await TryAsync(OnClosedAsync);
            await CloseTransportAsync();
        }
    }

    /// <summary>Sends the greeting. Return <see cref="SessionStep.Close"/> to end at once.</summary>
    protected abstract ValueTask<SessionStep> GreetAsync(CancellationToken cancellationToken);

    /// <summary>Answers one whole command; the command is disposed afterwards.</summary>
    protected abstract ValueTask<SessionStep> OnCommandAsync(FramedCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Answers a command that broke a limit (<see cref="FramedCommand.Error"/>): its octets are already
    /// discarded and only its <see cref="FramedCommand.Head"/> is left, for the protocol's tag.
    /// </summary>
    protected abstract ValueTask<SessionStep> OnFramingErrorAsync(FramedCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Decides about a literal within the engine's limits: buffer it (the default), spool it, or refuse it.
    /// A synchronizing literal that is refused is never sent by the client; a non-synchronizing one is
    /// read and discarded when <see cref="DiscardsRefusedLiterals"/>, otherwise the connection closes.
    /// </summary>
    protected virtual LiteralDecision DecideLiteral(in LiteralRequest request) => LiteralDecision.Buffer;

    /// <summary>The continuation request sent before the octets of an accepted synchronizing literal (IMAP's <c>+ ...</c>).</summary>
    protected virtual ReadOnlyMemory<byte> LiteralContinuation(in LiteralRequest request) =>
        throw new InvalidOperationException($"{Listener.Protocol} has no synchronizing literals");

    /// <summary>
    /// Whether a refused non-synchronizing literal is read and thrown away, so the session stays in step
    /// (RFC 7888 §4 choice 1); otherwise the protocol answers the command and the connection closes (choice 2).
    /// </summary>
    protected virtual bool DiscardsRefusedLiterals => true;

    /// <summary>Says the protocol's autologout before the connection closes for idleness.</summary>
    protected virtual ValueTask OnIdleTimeoutAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Says why before the connection closes because the client sent too slowly.</summary>
    protected virtual ValueTask OnTooSlowAsync(CancellationToken cancellationToken) => OnIdleTimeoutAsync(cancellationToken);

    /// <summary>Says goodbye when the node shuts down (between commands or in a wait, never in the middle of a command).</summary>
    protected virtual ValueTask OnShutdownAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Releases what the session holds (locks, subscriptions). Runs once, whatever ended the session.</summary>
    protected virtual ValueTask OnClosedAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// How long the session waits for the next command: <see cref="SessionLimits.IdleTimeout"/>, or
    /// less where the protocol has a deadline of its own (a login that must happen in time).
    /// </summary>
    protected virtual TimeSpan ReadTimeout => Limits.IdleTimeout;

    /// <summary>
    /// Asks the kernel to acknowledge at once what arrived, and what arrives next, instead of delaying
    /// the ACK for a reply to carry it (TCP_QUICKACK, tcp(7)). Called while the rest of a command is
    /// awaited: a client with Nagle's algorithm on holds its next small segment (the literal of an
    /// APPEND after its command line, the CRLF after the literal, each often a TLS record of its own)
    /// until the previous one is acknowledged, and a server that only answers once the command is
    /// whole would otherwise leave both sides waiting for the 40 ms delayed-ACK timer, once per
    /// segment. (An interactive connection is in the kernel's "pingpong" mode, where ACKs wait for data.)
    /// </summary>
    private void AcknowledgePromptly()
    {
        // (The option's value is a C int in the machine's byte order.)
        if (_tcpSocket is null || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            // IPPROTO_TCP, TCP_QUICKACK (linux/tcp.h); the flag is not sticky, hence once per wait.
            _tcpSocket.SetRawSocketOption(6, 12, IntOne);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The connection is going away; the read that follows says so.
        }
    }

    /// <summary>Runs after a STARTTLS handshake: the protocol forgets every state and capability from before it.</summary>
    protected virtual void OnTlsStarted()
    {
    }

    /// <summary>Reads one whole command through the framer, its literals included; null when the client closed the connection.</summary>
    private async ValueTask<FramedCommand?> ReadCommandAsync(CancellationToken cancellationToken)
    {
        _framer.Reset();
        long? lineStarted = null;
        while (true)
        {
            var result = lineStarted is { } started
                ? await ReadInputAsync(ReadDeadline.WithinCommand, Remaining(started, Limits.CommandLineTimeout), cancellationToken)
                : await ReadInputAsync(ReadDeadline.NextCommand, ReadTimeout, cancellationToken);
            var buffer = result.Buffer;
            if (lineStarted is null && !buffer.IsEmpty)
            {
                lineStarted = Time.GetTimestamp();
            }

            var step = _framer.Frame(buffer, out var consumed, out var examined);
            _input.AdvanceTo(consumed, examined);
            switch (step.Kind)
            {
                case FrameKind.Command:
                    return _framer.TakeCommand();
                case FrameKind.Literal:
                    if (!await ReadLiteralAsync(step.Literal, cancellationToken))
                    {
                        return _framer.TakeCommand();
                    }

                    // The line that follows the literal gets a deadline of its own.
                    lineStarted = Time.GetTimestamp();
                    continue;
                default:
                    if (result.IsCompleted)
                    {
                        return null;
                    }

                    continue;
            }
        }
    }

    /// <summary>
    /// Reads (or refuses) the literal the framer announced. Returns false when the command ends here:
    /// a refused synchronizing literal, which the client does not send, or a refused non-synchronizing one
    /// on a protocol that closes instead of discarding.
    /// </summary>
    private async ValueTask<bool> ReadLiteralAsync(LiteralMarker marker, CancellationToken cancellationToken)
    {
        var error = _framer.Failure;
        var decision = LiteralDecision.Refuse;
        if (error == FrameError.None)
        {
            if (marker.Length > Limits.MaxLiteralSize)
            {
                error = FrameError.LiteralTooLarge;
            }
            else if (!marker.Synchronizing && marker.Length > Limits.MaxNonSynchronizingLiteralSize)
            {
                error = FrameError.NonSynchronizingLiteralTooLarge;
            }
            else
            {
                decision = DecideLiteral(new LiteralRequest(marker, _framer.LiteralCount, _framer.FirstLine));
                error = decision switch
                {
                    LiteralDecision.Refuse => FrameError.LiteralRefused,
                    LiteralDecision.Buffer when _framer.Size + marker.Length > Limits.MaxCommandSize => FrameError.CommandTooLong,
                    _ => FrameError.None,
                };
            }
        }

        if (error != FrameError.None)
        {
            if (marker.Synchronizing)
            {
                _framer.EndCommand(error);
                return false;
            }

            if (!DiscardsRefusedLiterals || marker.Length == long.MaxValue)
            {
                _framer.EndCommand(error);
                _outOfStep = true;
                return false;
            }

            await DiscardExactAsync(marker.Length, cancellationToken);
            _framer.SkipLiteral(error);
            return true;
        }

        if (marker.Synchronizing)
        {
            Write(LiteralContinuation(new LiteralRequest(marker, _framer.LiteralCount, _framer.FirstLine)).Span);
            await FlushAsync(cancellationToken);
        }

        var literal = decision == LiteralDecision.Spool
            ? CommandLiteral.Spooled(marker.Length, marker.Binary, Limits.SpoolDirectory)
            : CommandLiteral.InMemory(marker.Length, marker.Binary);
        try
        {
            await ReadExactAsync(marker.Length, literal.WriteAsync, cancellationToken);
        }
        catch
        {
            literal.Dispose();
            throw;
        }

        _framer.AddLiteral(literal);
        return true;
    }

    /// <summary>
    /// Reads one line inside a command (a SASL response, RFC 4422 §5), within the command-line deadline.
    /// Lines longer than the limit are consumed and discarded as they arrive.
    /// </summary>
    protected async ValueTask<(LineStatus Status, byte[] Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        var discarding = false;
        while (true)
        {
            var result = await ReadInputAsync(ReadDeadline.WithinCommand, Remaining(started, Limits.CommandLineTimeout), cancellationToken);
            var buffer = result.Buffer;
            if (discarding)
            {
                var ended = LineFraming.SkipToLineEnd(buffer, out var skipped);
                _input.AdvanceTo(skipped);
                if (ended)
                {
                    return (LineStatus.TooLong, []);
                }
            }
            else
            {
                var frame = LineFraming.TryReadLine(buffer, Limits.MaxLineLength, out var line, out var consumed, out var terminated);
                switch (frame)
                {
                    case LineFrame.Line:
                        var copy = line.ToArray();
                        _input.AdvanceTo(consumed);
                        return (LineStatus.Line, copy);
                    case LineFrame.TooLong when terminated:
                        _input.AdvanceTo(consumed);
                        return (LineStatus.TooLong, []);
                    case LineFrame.TooLong:
                        _input.AdvanceTo(consumed);
                        discarding = true;
                        break;
                    default:
                        _input.AdvanceTo(consumed, buffer.End);
                        break;
                }
            }

            if (result.IsCompleted)
            {
                return (LineStatus.Closed, []);
            }
        }
    }

    /// <summary>
    /// Waits (within the command-line deadline) until a whole line is buffered and returns it without
    /// consuming it, CRLF removed; null when the client closed first or the line is over the limit.
    /// IMAP IDLE uses it to tell DONE from a command sent instead.
    /// </summary>
    protected async ValueTask<byte[]?> PeekLineAsync(CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        while (true)
        {
            var result = await ReadInputAsync(ReadDeadline.WithinCommand, Remaining(started, Limits.CommandLineTimeout), cancellationToken);
            var buffer = result.Buffer;
            var frame = LineFraming.TryReadLine(buffer, Limits.MaxLineLength, out var line, out _, out _);
            var copy = frame == LineFrame.Line ? line.ToArray() : null;
            _input.AdvanceTo(buffer.Start, frame == LineFrame.NeedMore ? buffer.End : buffer.Start);
            if (frame != LineFrame.NeedMore || result.IsCompleted)
            {
                return copy;
            }
        }
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> octets (a literal, a BDAT chunk) and hands them to
    /// <paramref name="sink"/> as they arrive, at no less than <see cref="SessionLimits.MinDataRate"/>;
    /// nothing larger than one transport segment is held.
    /// </summary>
    protected async ValueTask ReadExactAsync(long count, Func<ReadOnlySequence<byte>, CancellationToken, ValueTask> sink,
        CancellationToken cancellationToken)
    {
        var transfer = StartTransfer();
        var remaining = count;
        while (remaining > 0)
        {
            var result = await ReadTransferAsync(transfer, cancellationToken);
            var buffer = result.Buffer;
            var take = buffer.Slice(0, Math.Min(buffer.Length, remaining));
            if (!take.IsEmpty)
            {
                await sink(take, cancellationToken);
            }

            remaining -= take.Length;
            transfer.Received += take.Length;
            _input.AdvanceTo(take.End);
            if (remaining > 0 && result.IsCompleted)
            {
                throw new SessionClosedException("the client closed the connection inside a literal");
            }
        }
    }

    /// <summary>Reads and throws away <paramref name="count"/> octets: an over-limit literal or chunk.</summary>
    protected ValueTask DiscardExactAsync(long count, CancellationToken cancellationToken) =>
        ReadExactAsync(count, static (_, _) => ValueTask.CompletedTask, cancellationToken);

    /// <summary>Starts measuring a transfer (DATA, a literal) against <see cref="SessionLimits.MinDataRate"/>.</summary>
    protected DataTransfer StartTransfer() => new(Time.GetTimestamp());

    /// <summary>
    /// One read within a transfer: it must bring the average rate since the transfer began up to
    /// <see cref="SessionLimits.MinDataRate"/> after the grace period, and no read waits longer than the
    /// idle timeout. The caller adds what it consumed to <see cref="DataTransfer.Received"/>.
    /// </summary>
    protected ValueTask<ReadResult> ReadTransferAsync(DataTransfer transfer, CancellationToken cancellationToken)
    {
        var timeout = Limits.IdleTimeout;
        if (Limits.MinDataRate > 0)
        {
            // The time by which the next octet must be here for the average to hold.
            var due = Limits.MinDataRateGracePeriod + TimeSpan.FromSeconds((transfer.Received + 1) / Limits.MinDataRate);
            var left = due - Time.GetElapsedTime(transfer.StartedAt);
            timeout = left < timeout ? left : timeout;
        }

        return ReadInputAsync(ReadDeadline.WithinCommand, timeout, cancellationToken);
    }

    /// <summary>
    /// Waits for the first of: input from the client, <paramref name="wakeUp"/> completing, <paramref name="timeout"/>
    /// passing, the node shutting down, or the client closing. Consumes no input. Nothing is held from
    /// the buffer pool while it waits.
    /// </summary>
    protected async ValueTask<WaitOutcome> WaitAsync(Task wakeUp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_shutdownRequested)
            {
                return WaitOutcome.Shutdown;
            }

            var generation = Interlocked.Increment(ref _readGeneration);
            _readTimer.Change(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout, Timeout.InfiniteTimeSpan);
            ReadResult result;
            var woken = false;
            try
            {
                var read = _input.ReadAsync(cancellationToken);
                if (!read.IsCompleted)
                {
                    var pending = read.AsTask();
                    if (await Task.WhenAny(pending, wakeUp) != pending)
                    {
                        woken = true;
                        _input.CancelPendingRead();
                    }

                    result = await pending;
                }
                else
                {
                    result = await read;
                }
            }
            finally
            {
                _readTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                Interlocked.Increment(ref _readGeneration);
            }

            _input.AdvanceTo(result.Buffer.Start);
            if (!result.Buffer.IsEmpty)
            {
                return WaitOutcome.Input;
            }

            if (result.IsCompleted)
            {
                return WaitOutcome.Closed;
            }

            if (woken || wakeUp.IsCompleted)
            {
                return WaitOutcome.WakeUp;
            }

            if (Interlocked.Read(ref _timerFiredGeneration) == generation)
            {
                return WaitOutcome.Timeout;
            }

            // A shutdown request (checked at the top), or a cancellation meant for an earlier read.
        }
    }

    /// <summary>Whether a whole line is already buffered: a pipelined command is waiting (RFC 2920), so a reply need not be flushed yet.</summary>
    protected bool IsLineBuffered()
    {
        if (!_input.TryRead(out var result))
        {
            return false;
        }

        var waiting = !result.IsCanceled && result.Buffer.PositionOf((byte)'\n') is not null;
        _input.AdvanceTo(result.Buffer.Start);
        return waiting;
    }

    /// <summary>
    /// One read of the current input with its deadline armed. Waiting for the next command a shutdown
    /// request ends the read; inside a command it is remembered and honoured after the command.
    /// </summary>
    private async ValueTask<ReadResult> ReadInputAsync(ReadDeadline deadline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (deadline == ReadDeadline.NextCommand && _shutdownRequested)
            {
                throw new ShutdownRequestedException();
            }

            if (timeout <= TimeSpan.Zero)
            {
                ThrowTimedOut(deadline);
            }

            if (deadline == ReadDeadline.WithinCommand)
            {
                AcknowledgePromptly();
            }

            var generation = Interlocked.Increment(ref _readGeneration);
            _readTimer.Change(timeout, Timeout.InfiniteTimeSpan);
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cancellationToken);
            }
            finally
            {
                _readTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                Interlocked.Increment(ref _readGeneration);
            }

            if (!result.IsCanceled)
            {
                return result;
            }

            _input.AdvanceTo(result.Buffer.Start);
            if (Interlocked.Read(ref _timerFiredGeneration) == generation)
            {
                ThrowTimedOut(deadline);
            }

            // Otherwise a shutdown request (handled at the top) or a timer that fired for an earlier
            // read after it had completed: read again.
        }
    }

    private static void ThrowTimedOut(ReadDeadline deadline) => throw (deadline == ReadDeadline.NextCommand
        ? new SessionIdleException()
        : new SessionTooSlowException("a command line or a transfer took too long"));

    private TimeSpan Remaining(long startedAt, TimeSpan allowed) => allowed - Time.GetElapsedTime(startedAt);

    /// <summary>Appends bytes to the output without flushing.</summary>
    protected void Write(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

    /// <summary>Appends text (UTF-8) to the output without flushing.</summary>
    protected void Write(string text)
    {
        var span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>Appends one line and CRLF, and flushes.</summary>
    protected ValueTask WriteLineAsync(string line, CancellationToken cancellationToken)
    {
        Write(line);
        Write("\r\n"u8);
        return FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Flushes the output through every transport layer and checks the result: a client that went away,
    /// or stopped reading for longer than <see cref="SessionLimits.WriteTimeout"/>, ends the session.
    /// </summary>
    protected async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var flush = _output.FlushAsync(cancellationToken);
        var armed = !flush.IsCompleted;
        if (armed)
        {
            _writeTimer.Change(Limits.WriteTimeout, Timeout.InfiniteTimeSpan);
        }

        FlushResult result;
        try
        {
            result = await flush;
        }
        finally
        {
            if (armed)
            {
                _writeTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        if (result.IsCanceled && _writeTimedOut)
        {
            throw new SessionClosedException("the client stopped reading");
        }

        if (result.IsCompleted)
        {
            throw new SessionClosedException("the client closed the connection");
        }
    }

    /// <summary>
    /// Upgrades the connection to TLS after the protocol's positive answer to STARTTLS/STLS.
    /// <paramref name="positiveReply"/> is sent first. Bytes the client pipelined after the command
    /// are never carried into the TLS session (CVE-2011-0411): if any are buffered, the answer is
    /// still sent but the connection is then closed without a handshake.
    /// </summary>
    protected async ValueTask<StartTlsOutcome> StartTlsAsync(ReadOnlyMemory<byte> positiveReply, CancellationToken cancellationToken)
    {
        if (Security.IsTls || Listener.Certificates is null)
        {
            throw new InvalidOperationException("STARTTLS offered where it cannot run");
        }

        var pipelined = false;
        if (_input.TryRead(out var buffered))
        {
            pipelined = buffered.Buffer.Length > 0;
            _input.AdvanceTo(buffered.Buffer.Start);
        }

        Write(positiveReply.Span);
        await FlushAsync(cancellationToken);
        if (pipelined)
        {
            LogPipelinedStartTls(Logger, ConnectionId, Security);
            return StartTlsOutcome.PipelinedInput;
        }

        var tls = new SslStream(TransportStream(), leaveInnerStreamOpen: true);
        using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshakeTimeout.CancelAfter(Limits.TlsHandshakeTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(Listener.ServerTlsOptions(), handshakeTimeout.Token);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
            LogHandshakeFailed(Logger, ConnectionId, Security, e.Message);
            await tls.DisposeAsync();
            return StartTlsOutcome.HandshakeFailed;
        }

        OpenSslBuffers.ReleaseWhenIdle(tls);
        PushTransport("tls", tls, static stream => ((SslStream)stream).ShutdownAsync());
        Security = Security.AfterHandshake(tls);
        Listener.Metrics.StartTlsUpgrades.Add(1, new KeyValuePair<string, object?>("listener", Listener.Name));
        _framer.Reset();
        OnTlsStarted();
        return StartTlsOutcome.Started;
    }

    /// <summary>
    /// A stream over the top of the transport stack, for a new layer to wrap: reads take what the
    /// current input holds (bytes already buffered included), writes go to the current output.
    /// </summary>
    protected Stream TransportStream() => new DuplexPipeStream(_input, _output);

    /// <summary>
    /// Puts <paramref name="layer"/> (made over <see cref="TransportStream"/>) on top of the transport
    /// stack: from now on the session reads and writes through it (TLS, COMPRESS=DEFLATE). Closing the
    /// session unwinds the stack top first, running <paramref name="close"/> (TLS close_notify, the
    /// last deflate block) before the layer is disposed.
    /// </summary>
    protected void PushTransport(string name, Stream layer, Func<Stream, Task>? close = null)
    {
        // Zero-byte reads: while the client is silent, no buffer is rented for the read that waits.
        var input = PipeReader.Create(layer, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true));
        var output = PipeWriter.Create(layer, new StreamPipeWriterOptions(leaveOpen: true));
        _layers.Add(new TransportLayer(name, layer, input, output, close));
        _input = input;
        _output = output;
    }

    /// <summary>
    /// Puts COMPRESS=DEFLATE (RFC 4978) on top of the transport stack, after the protocol's positive
    /// answer has been sent uncompressed: what the client sends next is compressed, bytes it already
    /// sent included, and so is everything written from now on.
    /// </summary>
    protected async ValueTask StartCompressionAsync(ReadOnlyMemory<byte> positiveReply, CancellationToken cancellationToken)
    {
        Write(positiveReply.Span);
        await FlushAsync(cancellationToken);
        PushTransport("deflate", new DeflateTransport(TransportStream()), static stream => ((DeflateTransport)stream).FinishAsync());
    }

    private void OnReadTimer()
    {
        Interlocked.Exchange(ref _timerFiredGeneration, Interlocked.Read(ref _readGeneration));
        _input.CancelPendingRead();
    }

    private void OnWriteTimer()
    {
        _writeTimedOut = true;
        _output.CancelPendingFlush();
    }

    private void OnShutdownRequested()
    {
        _shutdownRequested = true;
        _input.CancelPendingRead();
    }

    /// <summary>
    /// An ending caused by the client: it closed or reset the connection, or stopped reading. A
    /// cancellation counts only when it is the connection's own (the client went away); any other is
    /// a fault of the session and is logged as one.
    /// </summary>
    private bool IsDisconnect(Exception e) =>
        e is SessionClosedException or IOException or ConnectionResetException or ConnectionAbortedException or ObjectDisposedException
            || (e is OperationCanceledException && ConnectionAborted.IsCancellationRequested);

    private async ValueTask TryAsync(Func<ValueTask> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (IsDisconnect(e) || e is SessionIdleException or SessionTooSlowException or OperationCanceledException)
        {
            LogDisconnected(Logger, ConnectionId, e.Message);
        }
    }

    /// <summary>Unwinds the transport stack, top first, then completes the connection's own pipes.</summary>
    private async ValueTask CloseTransportAsync()
    {
        _readTimer.Dispose();
        _writeTimer.Dispose();
        _framer.Reset();
        for (var i = _layers.Count - 1; i >= 0; i--)
        {
            var layer = _layers[i];
            try
            {
                await layer.Input.CompleteAsync();
                await layer.Output.CompleteAsync();
                if (layer.Close is { } close)
                {
                    using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await close(layer.Stream).WaitAsync(closeTimeout.Token);
                }
            }
            catch (Exception e) when (IsDisconnect(e) || e is TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                LogDisconnected(Logger, ConnectionId, e.Message);
            }
            finally
            {
                await layer.Stream.DisposeAsync();
            }
        }

        await _connection.Transport.Input.CompleteAsync();
        await _connection.Transport.Output.CompleteAsync();
    }

    /// <summary>One layer of the transport stack: its stream and the pipes the session reads and writes through it.</summary>
    private sealed record TransportLayer(string Name, Stream Stream, PipeReader Input, PipeWriter Output, Func<Stream, Task>? Close);

    private sealed class ShutdownRequestedException() : Exception("the node is shutting down");

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ConnectionId} disconnected: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId} closed: the client sends too slowly ({Security}): {Reason}")]
    private static partial void LogTooSlow(ILogger logger, string connectionId, ConnectionSecurity security, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId} session failed ({Security})")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string connectionId, ConnectionSecurity security);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{ConnectionId} sent bytes after STARTTLS before the handshake ({Security}); closed without TLS (CVE-2011-0411 pattern)")]
    private static partial void LogPipelinedStartTls(ILogger logger, string connectionId, ConnectionSecurity security);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId} STARTTLS handshake failed ({Security}): {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string connectionId, ConnectionSecurity security, string reason);
}

/// <summary>A transfer measured against <see cref="SessionLimits.MinDataRate"/>: when it began and how much has arrived.</summary>
public sealed class DataTransfer(long startedAt)
{
    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> at the start.</summary>
    public long StartedAt { get; } = startedAt;

    /// <summary>Octets received so far.</summary>
    public long Received { get; set; }
}
