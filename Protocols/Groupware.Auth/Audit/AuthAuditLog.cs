using System.Net;
using System.Threading.Channels;
using Groupware.Auth.Throttling;
using Groupware.Storage.Auth;
using Groupware.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Auth.Audit;

/// <summary>
/// Writes every authentication attempt to the audit log (<c>auth_attempts</c>) in the background,
/// in batches, so that a login never waits for the database; after each batch with failures it
/// asks the database which client networks crossed the block threshold on all nodes together and
/// blocks them. An orderly stop writes everything still queued before it returns (the host stops
/// its listeners first, so no attempt comes after). Once an hour it deletes records older than
/// <see cref="AuthOptions.AuditRetentionDays"/> and blocks that have ended.
/// </summary>
internal sealed partial class AuthAuditLog : IHostedService, IDisposable
{
    /// <summary>Most attempts written by one statement.</summary>
    private const int BatchSize = 500;

    /// <summary>Rows deleted by one retention statement, so that no statement holds its locks long.</summary>
    private const int RetentionBatchSize = 10_000;

    /// <summary>How often old records are deleted.</summary>
    private static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    private readonly Channel<Entry> _queue;
    private readonly AuthAttemptStore _attempts;
    private readonly AuthBlockStore _blocks;
    private readonly BlockList _blockList;
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AuthAuditLog> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _writer = Task.CompletedTask;
    private Task _retention = Task.CompletedTask;
    private long _dropped;
    private int _disposed;

    public AuthAuditLog(AuthAttemptStore attempts, AuthBlockStore blocks, BlockList blockList, AuthOptions options, TimeProvider time,
        ILogger<AuthAuditLog> logger)
    {
        _attempts = attempts;
        _blocks = blocks;
        _blockList = blockList;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(options.AuditQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }, OnDropped);
    }

    /// <summary>Attempts dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Queues an attempt. <paramref name="blockCandidate"/> is the client network when the attempt
    /// was a failure that counts toward a block (null for successes and exempt clients).
    /// </summary>
    public void Record(AuthAttempt attempt, IPNetwork? blockCandidate)
    {
        if (!_queue.Writer.TryWrite(new Entry(attempt, blockCandidate, null)))
        {
            LogNotRecorded(_logger, attempt.Login, attempt.Outcome);
        }
    }

    /// <summary>Returns once every attempt queued before the call is written (or given up on), for tests and tools.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Entry(null, null, done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _writer = WriteLoopAsync();
        _retention = RetentionLoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            // The writer drains the queue; the host's shutdown timeout bounds the wait.
            await _writer.WaitAsync(cancellationToken);
            await _retention.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogStopTimedOut(_logger);
        }
    }

    /// <summary>Idempotent: the container disposes this instance once as a singleton and once as a hosted service.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Entry>(BatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < BatchSize && reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            await WriteAsync(batch);
            batch.Clear();
        }
    }

    /// <summary>Writes one batch, retrying while the database is unreachable, unless the node is stopping.</summary>
    private async Task WriteAsync(List<Entry> batch)
    {
        var attempts = batch.Where(e => e.Attempt is not null).Select(e => e.Attempt!).ToList();
        var candidates = batch.Where(e => e.BlockCandidate is not null).Select(e => e.BlockCandidate!.Value).Distinct().ToList();
        var retry = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _attempts.InsertAsync(attempts, CancellationToken.None);
                await BlockOffendersAsync(candidates, attempts.Count > 0 ? attempts[0].Node : "");
                break;
            }
            catch (Exception e)
            {
                // The writer must outlive any failure: an error it does not expect loses this batch, not the log.
                if (!DatabaseFailure.IsUnavailable(e)
                    || _stopping.IsCancellationRequested)
                {
                    // A statement the database refuses will be refused again; at shutdown there is no time to wait.
                    LogBatchLost(_logger, e, attempts.Count);
                    break;
                }

                LogWriteRetry(_logger, attempts.Count, attempt, e.Message);
                try
                {
                    await Task.Delay(retry, _time, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one last try above.
                }

                retry = TimeSpan.FromMilliseconds(Math.Min(retry.TotalMilliseconds * 2, 30_000));
            }
        }

        foreach (var entry in batch)
        {
            entry.Flushed?.TrySetResult();
        }
    }

    private async Task BlockOffendersAsync(List<IPNetwork> candidates, string node)
    {
        if (candidates.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var blocked = await _blocks.BlockOffendersAsync(candidates, now.AddMinutes(-_options.BlockWindowMinutes), _options.BlockThreshold,
            now.AddMinutes(_options.BlockDurationMinutes), node, CancellationToken.None);
        foreach (var block in blocked)
        {
            _blockList.Apply(block);
            LogBlocked(_logger, block.Network.ToString(), _options.BlockThreshold, _options.BlockWindowMinutes, block.Until);
        }
    }

    private async Task RetentionLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RetentionInterval, _time);
        try
        {
            do
            {
                try
                {
                    var now = _time.GetUtcNow();
                    int deleted;
                    do
                    {
                        deleted = await _attempts.DeleteOlderThanAsync(now.AddDays(-_options.AuditRetentionDays), RetentionBatchSize,
                            cancellationToken);
                    }
                    while (deleted == RetentionBatchSize);

                    await _blocks.DeleteExpiredAsync(now, cancellationToken);
                }
                catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
                {
                    LogRetentionFailed(_logger, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void OnDropped(Entry entry)
    {
        entry.Flushed?.TrySetResult();
        var dropped = Interlocked.Increment(ref _dropped);
        if ((dropped & (dropped - 1)) == 0)
        {
            LogDropped(_logger, dropped, _options.AuditQueueCapacity);
        }
    }

    /// <summary>An attempt to write, or a flush marker completed when everything before it is written.</summary>
    private sealed record Entry(AuthAttempt? Attempt, IPNetwork? BlockCandidate, TaskCompletionSource? Flushed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blocked {Network} on every node until {Until:u}: more than {Threshold} failed logins within {Minutes} minutes")]
    private static partial void LogBlocked(ILogger logger, string network, int threshold, int minutes, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} audit record(s) (try {Try}): {Reason}; retrying")]
    private static partial void LogWriteRetry(ILogger logger, int count, int @try, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} audit record(s) could not be written and are lost")]
    private static partial void LogBatchLost(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit queue is full ({Capacity}): {Dropped} record(s) dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped, int capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit log is stopped: the attempt of {Login} ({Outcome}) is not recorded")]
    private static partial void LogNotRecorded(ILogger logger, string login, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit log did not finish writing before the shutdown timeout")]
    private static partial void LogStopTimedOut(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete old audit records: {Reason}")]
    private static partial void LogRetentionFailed(ILogger logger, string reason);
}
