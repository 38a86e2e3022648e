using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>
/// The node's maildrop leases: the exclusive-access lock of RFC 1939 §4 (one POP3 session per
/// maildrop, RFC 2449 §8.1.2 [IN-USE] for the next), valid across every node sharing the database.
/// A lease is a row in <c>maildrop_leases</c> (Migrations/0004_maildrop_leases.sql) with an expiry
/// on the database's clock. One DI singleton per node.
/// </summary>
/// <remarks>
/// It replaces a session-level advisory lock on a connection of its own per session, which capped
/// logged-in sessions at PostgreSQL's max_connections across all nodes and vanished silently when
/// PostgreSQL restarted. A lease holds no connection: acquiring and releasing are one statement each
/// on a pooled connection, and one loop per node renews every lease the node holds in one statement
/// per <see cref="MaildropLeaseOptions.RenewInterval"/>, however many sessions there are.
/// </remarks>
public sealed partial class MaildropLeases : IAsyncDisposable
{
    // Takes the row, or takes over one that has expired; no row comes back while another lease lives.
    // The CTE's snapshot shows the expired holder's node, for the log.
    private const string AcquireLease = """
        WITH previous AS (SELECT node FROM maildrop_leases WHERE account_id = @accountId)
        INSERT INTO maildrop_leases AS l (account_id, holder, node, acquired_at, expires_at)
        VALUES (@accountId, @holder, @node, now(), now() + @lifetime)
        ON CONFLICT (account_id) DO UPDATE
            SET holder = excluded.holder, node = excluded.node, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
            WHERE l.expires_at < now()
        RETURNING (SELECT node FROM previous) AS previous_node
        """;

    // Every lease this node holds, in one statement; a lease missing from the answer is no longer ours.
    // Renewing one that expired but that no one took over is safe: nobody else got in meanwhile.
    private const string RenewLeases = """
        UPDATE maildrop_leases l SET expires_at = now() + @lifetime
        FROM unnest(@accountIds, @holders) AS h(account_id, holder)
        WHERE l.account_id = h.account_id AND l.holder = h.holder
        RETURNING l.holder
        """;

    // Matching the holder: a row taken over by a successor is the successor's.
    private const string ReleaseLeases = """
        DELETE FROM maildrop_leases l
        USING unnest(@accountIds, @holders) AS h(account_id, holder)
        WHERE l.account_id = h.account_id AND l.holder = h.holder
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _nodeName;
    private readonly MaildropLeaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MaildropLeases> _logger;
    private readonly long _renewTicks;
    private readonly long _trustedTicks;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, MaildropLease> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _round = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private bool _disposed;

    /// <param name="dataSource">The node's pooled data source.</param>
    /// <param name="nodeName">The node's <c>Node:Name</c>, recorded with each lease it holds.</param>
    /// <param name="options">Lifetime, renewal interval and margin.</param>
    /// <param name="time">The clock of the renewal loop (local and monotonic; expiry itself is on the database's clock).</param>
    /// <param name="logger">Where takeovers, losses and failed renewals are reported.</param>
    public MaildropLeases(NpgsqlDataSource dataSource, string nodeName, MaildropLeaseOptions options, TimeProvider time,
        ILogger<MaildropLeases> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RenewInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ExpiryMargin, TimeSpan.Zero, nameof(options));
        if (options.RenewInterval + options.ExpiryMargin >= options.Lifetime)
        {
            throw new ArgumentException("a lease must be renewed, with the margin to spare, before it expires: " +
                "RenewInterval + ExpiryMargin must be less than Lifetime", nameof(options));
        }

        _dataSource = dataSource;
        _nodeName = nodeName;
        _options = options;
        _time = time;
        _logger = logger;
        _renewTicks = TicksOf(options.RenewInterval);
        _trustedTicks = TicksOf(options.Lifetime - options.ExpiryMargin);
    }

    /// <summary>How many leases this node holds now.</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>
    /// Takes the maildrop of <paramref name="accountId"/>, or takes it over if its lease expired (its
    /// node died, or lost the database for longer than the lifetime). Null when another live lease,
    /// from this node or any other, holds it. One statement on a pooled connection; nothing is held
    /// once it returns.
    /// </summary>
    public async Task<MaildropLease?> TryAcquireAsync(long accountId, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        var holder = Guid.NewGuid();
        // Taken before the statement is sent: the database's now() comes later, so the row's expiry
        // is at least this plus the lifetime, whatever the two clocks read.
        var sent = _time.GetTimestamp();
        var statementSent = false;
        string? previousNode;
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(AcquireLease, connection);
            command.Parameters.Add(new NpgsqlParameter<long>("accountId", accountId));
            command.Parameters.Add(new NpgsqlParameter<Guid>("holder", holder));
            command.Parameters.Add(new NpgsqlParameter<string>("node", _nodeName));
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lifetime", _options.Lifetime));
            statementSent = true;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            previousNode = await reader.IsDBNullAsync(0, cancellationToken) ? null : reader.GetString(0);
        }
        catch (Exception e) when (statementSent && e is not PostgresException)
        {
            // Cancelled or cut off once the row may have been written (an error the server answered
            // with means it was not): delete it rather than leave the maildrop locked for a lifetime
            // by a lease nobody holds.
            await ReleaseQuietlyAsync([(accountId, holder)]);
            throw;
        }

        if (previousNode is not null)
        {
            LogTookOver(_logger, accountId, previousNode);
        }

        var lease = new MaildropLease(this, accountId, holder, sent + _trustedTicks);
        bool disposed;
        lock (_gate)
        {
            disposed = _disposed;
            if (!disposed)
            {
                _held.Add(holder, lease);
                // Started here rather than in the constructor: a node that serves no POP3 session
                // never runs it. The first renewal is due one interval from now, whenever the loop
                // gets to run.
                _loop ??= RenewLoopAsync(_time.GetTimestamp() + _renewTicks, _stop.Token);
            }
        }

        if (disposed)
        {
            await ReleaseQuietlyAsync([(accountId, holder)]);
            throw new ObjectDisposedException(nameof(MaildropLeases));
        }

        return lease;
    }

    /// <summary>
    /// Stops the renewal loop and releases the leases still held (their sessions should have
    /// released them already); those leases are marked <see cref="LeaseLoss.Stopped"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        MaildropLease[] left;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
            left = [.. _held.Values];
            _held.Clear();
        }

        await _stop.CancelAsync();
        if (loop is not null)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
        foreach (var lease in left)
        {
            lease.MarkLost(LeaseLoss.Stopped);
        }

        if (left.Length > 0)
        {
            await ReleaseQuietlyAsync([.. left.Select(l => (l.AccountId, l.Holder))]);
        }
    }

    /// <summary>Completes after the renewal loop's next wake-up has done its work (for tests on a fake clock).</summary>
    internal Task NextRoundAsync()
    {
        lock (_gate)
        {
            return _round.Task;
        }
    }

    /// <summary>The lease's <see cref="MaildropLease.DisposeAsync"/>: forget it here, then delete its row if it may still be ours.</summary>
    internal async Task ReleaseAsync(MaildropLease lease)
    {
        lock (_gate)
        {
            _held.Remove(lease.Holder);
        }

        // A lease taken over is a successor's row now, and one the node stopped with is deleted already.
        if (lease.Loss is null or LeaseLoss.Unconfirmed)
        {
            await ReleaseQuietlyAsync([(lease.AccountId, lease.Holder)]);
        }
    }

    /// <summary>
    /// Sleeps until the next renewal or the earliest moment a lease stops being confirmed, whichever
    /// comes first; gives up every lease past its confirmed time; renews the rest when due. The
    /// schedule is kept on absolute timestamps, so a slow round does not push every later one back.
    /// </summary>
    private async Task RenewLoopAsync(long due, CancellationToken stop)
    {
        await Task.Yield();
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var now = _time.GetTimestamp();
            var wake = Math.Min(due, EarliestConfirmedUntil());
            if (wake > now)
            {
                // Resumed on the thread pool, never inline on whatever thread fired the timer.
                await Task.Delay(_time.GetElapsedTime(now, wake), _time, stop).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }

            // First, so that a lease already given up does not cut short the others' renewal.
            ExpireUnconfirmed(_time.GetTimestamp());
            if (_time.GetTimestamp() >= due)
            {
                await RenewAsync(due + _renewTicks, stop);
                due = Math.Max(due + _renewTicks, _time.GetTimestamp());
                ExpireUnconfirmed(_time.GetTimestamp());
            }

            TaskCompletionSource round;
            lock (_gate)
            {
                round = _round;
                _round = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            round.TrySetResult();
        }
    }

    /// <summary>
    /// One renewal round: every lease held when it starts, in one statement, given until the next
    /// renewal is due (or a lease's confirmed time runs out, if sooner) to answer. A failed round is
    /// tried again at the next tick; the leases' confirmed times decide when they are given up.
    /// </summary>
    private async Task RenewAsync(long nextDue, CancellationToken stop)
    {
        MaildropLease[] leases;
        lock (_gate)
        {
            leases = [.. _held.Values];
        }

        if (leases.Length == 0)
        {
            return;
        }

        var sent = _time.GetTimestamp();
        var budget = _time.GetElapsedTime(sent, Math.Max(sent, Math.Min(nextDue, EarliestConfirmedUntil())));
        var renewed = new HashSet<Guid>();
        using (var deadline = new CancellationTokenSource(budget, _time))
        using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token))
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(attempt.Token);
                await using var command = new NpgsqlCommand(RenewLeases, connection);
                command.Parameters.Add(new NpgsqlParameter<long[]>("accountIds", [.. leases.Select(l => l.AccountId)]));
                command.Parameters.Add(new NpgsqlParameter<Guid[]>("holders", [.. leases.Select(l => l.Holder)]));
                command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lifetime", _options.Lifetime));
                await using var reader = await command.ExecuteReaderAsync(attempt.Token);
                while (await reader.ReadAsync(attempt.Token))
                {
                    renewed.Add(reader.GetGuid(0));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                // Whatever went wrong (the database is down, the round ran out of time, or a bug), no
                // lease was confirmed; each keeps its confirmed time and is given up when that passes.
                LogRenewFailed(_logger, e, leases.Length, _options.RenewInterval.TotalSeconds);
                return;
            }
        }

        var confirmedUntil = sent + _trustedTicks;
        var takenOver = new List<MaildropLease>();
        lock (_gate)
        {
            foreach (var lease in leases)
            {
                if (!_held.ContainsKey(lease.Holder))
                {
                    continue;  // released meanwhile
                }

                if (renewed.Contains(lease.Holder))
                {
                    lease.ConfirmedUntil = Math.Max(lease.ConfirmedUntil, confirmedUntil);
                }
                else
                {
                    _held.Remove(lease.Holder);
                    takenOver.Add(lease);
                }
            }
        }

        foreach (var lease in takenOver)
        {
            LogTakenOver(_logger, lease.AccountId);
            lease.MarkLost(LeaseLoss.TakenOver);
        }
    }

    private void ExpireUnconfirmed(long now)
    {
        var expired = new List<MaildropLease>();
        lock (_gate)
        {
            foreach (var lease in _held.Values)
            {
                if (lease.ConfirmedUntil <= now)
                {
                    expired.Add(lease);
                }
            }

            foreach (var lease in expired)
            {
                _held.Remove(lease.Holder);
            }
        }

        foreach (var lease in expired)
        {
            LogUnconfirmed(_logger, lease.AccountId);
            lease.MarkLost(LeaseLoss.Unconfirmed);
        }
    }

    private long EarliestConfirmedUntil()
    {
        lock (_gate)
        {
            var earliest = long.MaxValue;
            foreach (var lease in _held.Values)
            {
                earliest = Math.Min(earliest, lease.ConfirmedUntil);
            }

            return earliest;
        }
    }

    /// <summary>Deletes the rows if they are still these leases'; a failure is logged, and the rows expire by themselves.</summary>
    private async Task ReleaseQuietlyAsync(IReadOnlyList<(long AccountId, Guid Holder)> leases)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(ReleaseLeases, connection);
            command.Parameters.Add(new NpgsqlParameter<long[]>("accountIds", [.. leases.Select(l => l.AccountId)]));
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("holders", [.. leases.Select(l => l.Holder)]));
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or ObjectDisposedException)
        {
            LogReleaseFailed(_logger, e, leases.Count, leases[0].AccountId, _options.Lifetime.TotalSeconds);
        }
    }

    private long TicksOf(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over the expired maildrop lease of account {AccountId} from node {Node}")]
    private static partial void LogTookOver(ILogger logger, long accountId, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The maildrop lease of account {AccountId} was taken over by another session or removed; its session must stop")]
    private static partial void LogTakenOver(ILogger logger, long accountId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The maildrop lease of account {AccountId} could not be renewed before it expired; its session must stop")]
    private static partial void LogUnconfirmed(ILogger logger, long accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew {Count} maildrop leases; trying again in {Seconds} s")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not release {Count} maildrop lease(s), the first of account {AccountId}; they expire by themselves within {Seconds} s")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, int count, long accountId, double seconds);
}

/// <summary>
/// The limits of <see cref="MaildropLeases"/>. The ratio of <see cref="Lifetime"/> to
/// <see cref="RenewInterval"/> is 3, as in Patroni's leader key (ttl 30 s, renewed every
/// loop_wait 10 s): two renewals in a row may fail before a lease is given up.
/// </summary>
public sealed record MaildropLeaseOptions
{
    /// <summary>
    /// How long a lease lasts past its last renewal, on the database's clock. It bounds how long a
    /// maildrop stays locked after its node dies: the advisory lock this replaces was freed at once
    /// when the node's process died, but only after PostgreSQL's TCP keepalive (over two hours with
    /// Linux's defaults) when the node's host vanished, and silently whenever PostgreSQL restarted.
    /// 90 s is far shorter than a mail client's polling interval (Thunderbird checks every 10
    /// minutes by default), so a user of a dead node misses at most one check. With the defaults a
    /// session keeps its lease through a database outage of 30 s wherever it falls (Lifetime less
    /// <see cref="ExpiryMargin"/> less two intervals), and of up to 60 s if it begins just after a
    /// renewal: enough for a restart, not always for a failover (Patroni's takes up to its 30 s ttl
    /// and a promotion).
    /// </summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// How often the node renews all its leases, in one statement: a third of <see cref="Lifetime"/>
    /// (see the ratio above). A failed renewal is tried again at the next interval.
    /// </summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long before a lease's last confirmed expiry the node gives it up when renewals fail, so
    /// that <see cref="MaildropLease.Lost"/> fires while no other session can take the maildrop yet:
    /// the time its session has to stop using it. The confirmed expiry is counted on this node's
    /// monotonic clock from the moment the renewal was sent, before the database read its own
    /// clock, so the offset between the two clocks does not matter and their rate difference is
    /// negligible (NTP bounds it to 500 ppm, 45 ms over a lifetime). 10 s leaves room for a late
    /// wake-up of the renewal loop and for the session to abandon the command it is in.
    /// </summary>
    public TimeSpan ExpiryMargin { get; init; } = TimeSpan.FromSeconds(10);
}
