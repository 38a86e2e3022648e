using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Text;
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

/// <summary>The client stopped sending for longer than <see cref="SessionLimits.IdleTimeout"/>.</summary>
public sealed class SessionIdleException() : Exception("the client was idle for too long");

/// <summary>The client stopped reading, or went away, while the session was writing.</summary>
public sealed class SessionClosedException(string message) : Exception(message);

/// <summary>
/// The base of every line-oriented session (IMAP, POP3, LMTP) over System.IO.Pipelines: bounded
/// CRLF lines, bounded literals, checked writes, idle and write timeouts, a goodbye at shutdown,
/// and the STARTTLS upgrade of RFC 2595 §3.1 / RFC 3207 §4 done as DESIGN.md's lessons say.
/// A protocol derives from it, greets, and answers one line at a time.
/// </summary>
public abstract partial class LineSession
{
    private readonly ConnectionContext _connection;
    private readonly ITimer _idleTimer;
    private readonly ITimer _writeTimer;
    private PipeReader _input;
    private PipeWriter _output;
    private SslStream? _tls;
    private byte[] _lineBuffer = new byte[256];
    private long _readGeneration;
    private long _idleFiredGeneration = -1;
    private volatile bool _shutdownRequested;
    private volatile bool _writeTimedOut;

    protected LineSession(ConnectionContext connection, ListenerContext listener, SessionLimits limits, ILogger logger)
    {
        _connection = connection;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        Listener = listener;
        Limits = limits;
        Logger = logger;
        Security = listener.SecurityOf(connection);
        _idleTimer = TimeProvider.System.CreateTimer(static s => ((LineSession)s!).OnIdleTimer(), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _writeTimer = TimeProvider.System.CreateTimer(static s => ((LineSession)s!).OnWriteTimer(), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The protection of the connection now; replaced after STARTTLS.</summary>
    public ConnectionSecurity Security { get; private set; }

    protected ListenerContext Listener { get; }

    protected SessionLimits Limits { get; }

    protected ILogger Logger { get; }

    /// <summary>The connection's id, for log lines.</summary>
    protected string ConnectionId => _connection.ConnectionId;

    /// <summary>Fires when the client goes away; commands pass it to storage so work stops with them.</summary>
    protected CancellationToken ConnectionAborted => _connection.ConnectionClosed;

    /// <summary>The current input: the transport, or the TLS stream after STARTTLS.</summary>
    protected PipeReader Input => _input;

    /// <summary>The current output: the transport, or the TLS stream after STARTTLS.</summary>
    protected PipeWriter Output => _output;

    /// <summary>Serves the connection: greets, then answers lines until the protocol or the client ends it.</summary>
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

                var (status, line) = await ReadLineAsync(atCommandBoundary: true, cancellationToken);
                var step = status switch
                {
                    LineStatus.Line => await OnLineAsync(line, cancellationToken),
                    LineStatus.TooLong => await OnLineTooLongAsync(cancellationToken),
                    _ => SessionStep.Close,
                };
                if (step == SessionStep.Close)
                {
                    return;
                }
            }
        }
        catch (SessionIdleException)
        {
            await TryAsync(() => OnIdleTimeoutAsync(cancellationToken));
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

    /// <summary>Answers one command line (CRLF removed). Valid only until the next read.</summary>
    protected abstract ValueTask<SessionStep> OnLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken);

    /// <summary>Answers a line longer than <see cref="SessionLimits.MaxLineLength"/>; its bytes are already discarded.</summary>
    protected abstract ValueTask<SessionStep> OnLineTooLongAsync(CancellationToken cancellationToken);

    /// <summary>Says the protocol's autologout before the connection closes for idleness.</summary>
    protected virtual ValueTask OnIdleTimeoutAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Says goodbye when the node shuts down (between commands, never in the middle of one).</summary>
    protected virtual ValueTask OnShutdownAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Releases what the session holds (locks, subscriptions). Runs once, whatever ended the session.</summary>
    protected virtual ValueTask OnClosedAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// How long the next read may wait for the client: <see cref="SessionLimits.IdleTimeout"/>, or
    /// less where the protocol has a deadline of its own (a login that must happen in time).
    /// </summary>
    protected virtual TimeSpan ReadTimeout => Limits.IdleTimeout;

    /// <summary>Runs after a STARTTLS handshake: the protocol forgets every state and capability from before it.</summary>
    protected virtual void OnTlsStarted()
    {
    }

    /// <summary>
    /// Reads one line. Lines longer than the limit are consumed and discarded as they arrive, so the
    /// memory held never exceeds the limit plus one transport segment.
    /// </summary>
    protected ValueTask<(LineStatus Status, ReadOnlyMemory<byte> Line)> ReadLineAsync(CancellationToken cancellationToken) =>
        ReadLineAsync(atCommandBoundary: false, cancellationToken);

    private async ValueTask<(LineStatus Status, ReadOnlyMemory<byte> Line)> ReadLineAsync(
        bool atCommandBoundary, CancellationToken cancellationToken)
    {
        var discarding = false;
        while (true)
        {
            var result = await ReadInputAsync(atCommandBoundary, cancellationToken);
            var buffer = result.Buffer;
            if (discarding)
            {
                var ended = LineFraming.SkipToLineEnd(buffer, out var skipped);
                _input.AdvanceTo(skipped);
                if (ended)
                {
                    return (LineStatus.TooLong, default);
                }
            }
            else
            {
                var frame = LineFraming.TryReadLine(buffer, Limits.MaxLineLength, out var line, out var consumed, out var terminated);
                switch (frame)
                {
                    case LineFrame.Line:
                        var copy = CopyLine(line);
                        _input.AdvanceTo(consumed);
                        return (LineStatus.Line, copy);
                    case LineFrame.TooLong when terminated:
                        _input.AdvanceTo(consumed);
                        return (LineStatus.TooLong, default);
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
                return (LineStatus.Closed, default);
            }
        }
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> octets (a literal, a BDAT chunk) and hands them to
    /// <paramref name="sink"/> as they arrive; nothing larger than one transport segment is held.
    /// </summary>
    protected async ValueTask ReadExactAsync(long count, Func<ReadOnlySequence<byte>, CancellationToken, ValueTask> sink,
        CancellationToken cancellationToken)
    {
        var remaining = count;
        while (remaining > 0)
        {
            var result = await ReadInputAsync(atCommandBoundary: false, cancellationToken);
            var buffer = result.Buffer;
            var take = buffer.Slice(0, Math.Min(buffer.Length, remaining));
            if (!take.IsEmpty)
            {
                await sink(take, cancellationToken);
            }

            remaining -= take.Length;
            _input.AdvanceTo(take.End);
            if (remaining > 0 && result.IsCompleted)
            {
                throw new SessionClosedException("the client closed the connection inside a literal");
            }
        }
    }

    /// <summary>Reads and throws away <paramref name="count"/> octets: an over-limit literal.</summary>
    protected ValueTask DiscardExactAsync(long count, CancellationToken cancellationToken) =>
        ReadExactAsync(count, static (_, _) => ValueTask.CompletedTask, cancellationToken);

    /// <summary>
    /// One read of the current input with the idle timer armed. At a command boundary a shutdown
    /// request ends the read; inside a command it is remembered and honoured after the command.
    /// </summary>
    protected async ValueTask<ReadResult> ReadInputAsync(bool atCommandBoundary, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (atCommandBoundary && _shutdownRequested)
            {
                throw new ShutdownRequestedException();
            }

            var generation = Interlocked.Increment(ref _readGeneration);
            _idleTimer.Change(ReadTimeout, Timeout.InfiniteTimeSpan);
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cancellationToken);
            }
            finally
            {
                _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                Interlocked.Increment(ref _readGeneration);
            }

            if (!result.IsCanceled)
            {
                return result;
            }

            _input.AdvanceTo(result.Buffer.Start);
            if (Interlocked.Read(ref _idleFiredGeneration) == generation)
            {
                throw new SessionIdleException();
            }

            // Otherwise a shutdown request (handled at the top) or a timer that fired for an earlier
            // read after it had completed: read again.
        }
    }

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
    /// Flushes the output and checks the result: a client that went away, or stopped reading for
    /// longer than <see cref="SessionLimits.WriteTimeout"/>, ends the session.
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
        if (_tls is not null || Listener.Certificates is null)
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

        var tls = new SslStream(new DuplexPipeStream(_connection.Transport.Input, _connection.Transport.Output), leaveInnerStreamOpen: true);
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

        _tls = tls;
        _input = PipeReader.Create(tls, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true));
        Security = Security.AfterHandshake(tls);
        Listener.Metrics.StartTlsUpgrades.Add(1, new KeyValuePair<string, object?>("listener", Listener.Name));
        OnTlsStarted();
        return StartTlsOutcome.Started;
    }

    private ReadOnlyMemory<byte> CopyLine(in ReadOnlySequence<byte> line)
    {
        if (_lineBuffer.Length < line.Length)
        {
            _lineBuffer = new byte[Math.Max(line.Length, _lineBuffer.Length * 2)];
        }

        line.CopyTo(_lineBuffer);
        return _lineBuffer.AsMemory(0, (int)line.Length);
    }

    private void OnIdleTimer()
    {
        Interlocked.Exchange(ref _idleFiredGeneration, Interlocked.Read(ref _readGeneration));
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

    private static bool IsDisconnect(Exception e) =>
        e is SessionClosedException or IOException or ConnectionResetException or ConnectionAbortedException
            or OperationCanceledException or ObjectDisposedException;

    private async ValueTask TryAsync(Func<ValueTask> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (IsDisconnect(e) || e is SessionIdleException)
        {
            LogDisconnected(Logger, ConnectionId, e.Message);
        }
    }

    private async ValueTask CloseTransportAsync()
    {
        _idleTimer.Dispose();
        _writeTimer.Dispose();
        try
        {
            if (_tls is not null)
            {
                await _input.CompleteAsync();
                await _output.CompleteAsync();
                using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _tls.ShutdownAsync().WaitAsync(closeTimeout.Token);
                await _tls.DisposeAsync();
            }
        }
        catch (Exception e) when (IsDisconnect(e) || e is TimeoutException)
        {
            LogDisconnected(Logger, ConnectionId, e.Message);
        }

        await _connection.Transport.Input.CompleteAsync();
        await _connection.Transport.Output.CompleteAsync();
    }

    private sealed class ShutdownRequestedException() : Exception("the node is shutting down");

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ConnectionId} disconnected: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId} session failed ({Security})")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string connectionId, ConnectionSecurity security);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{ConnectionId} sent bytes after STARTTLS before the handshake ({Security}); closed without TLS (CVE-2011-0411 pattern)")]
    private static partial void LogPipelinedStartTls(ILogger logger, string connectionId, ConnectionSecurity security);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId} STARTTLS handshake failed ({Security}): {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string connectionId, ConnectionSecurity security, string reason);
}
