using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>What a <see cref="MailboxChange"/> is about.</summary>
public enum MailboxChangeKind
{
    /// <summary>Messages were added, changed or expunged (or anything else; re-read the mailbox).</summary>
    Messages,

    /// <summary>The mailbox was created, or a placeholder of that name became selectable.</summary>
    Created,

    /// <summary>The mailbox was deleted, or became a <c>\Noselect</c> placeholder.</summary>
    Deleted,

    /// <summary>The mailbox (same id) has a new name; so may its inferiors, each with a change of its own.</summary>
    Renamed,
}

/// <summary>
/// A committed change to a mailbox, as announced by NOTIFY on <see cref="MailStore.ChangeChannel"/>.
/// It is a wake-up, not a record: a subscriber re-reads what it shows (e.g. IDLE's EXISTS and
/// EXPUNGE, RFC 2177), so a missed or merged change loses nothing. <see cref="MailboxId"/> 0 means
/// "anything of this account may have changed" (sent after the feed reconnected).
/// </summary>
/// <remarks>
/// The NOTIFY comes from a trigger on mailboxes (Migrations/0006_imap.sql), so every writer sends
/// it. Its payload is four decimal numbers separated by spaces (account, mailbox, HIGHESTMODSEQ,
/// UIDNEXT) for <see cref="MailboxChangeKind.Messages"/>, the form nodes of earlier versions
/// parse too, and the same with <c>created</c>, <c>deleted</c> or <c>renamed</c> appended for the
/// other kinds. An unknown word is read as <see cref="MailboxChangeKind.Messages"/>: a reason to re-read.
/// </remarks>
public sealed record MailboxChange(long AccountId, long MailboxId, long HighestModSeq, long UidNext,
    MailboxChangeKind Kind = MailboxChangeKind.Messages)
{
    /// <summary>
    /// When this node heard of the change (a <see cref="Stopwatch"/> timestamp), so after its transaction
    /// committed: a read of the store begun later sees it. Not part of what changed, nor of equality.
    /// </summary>
    public long ReceivedAt { get; init; } = Stopwatch.GetTimestamp();

    public bool Equals(MailboxChange? other) =>
        other is not null && AccountId == other.AccountId && MailboxId == other.MailboxId && HighestModSeq == other.HighestModSeq
        && UidNext == other.UidNext && Kind == other.Kind;

    public override int GetHashCode() => HashCode.Combine(AccountId, MailboxId, HighestModSeq, UidNext, Kind);

    /// <summary>The NOTIFY payload, as the trigger writes it.</summary>
    internal static string Payload(long accountId, long mailboxId, long highestModSeq, long uidNext,
        MailboxChangeKind kind = MailboxChangeKind.Messages) => kind switch
    {
        MailboxChangeKind.Messages => string.Create(CultureInfo.InvariantCulture, $"{accountId} {mailboxId} {highestModSeq} {uidNext}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{accountId} {mailboxId} {highestModSeq} {uidNext} {kind.ToString().ToLowerInvariant()}"),
    };

    internal static MailboxChange? Parse(string payload)
    {
        var parts = payload.Split(' ');
        return parts.Length is 4 or 5
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var account)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var mailbox)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var modseq)
            && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var uidNext)
            ? new MailboxChange(account, mailbox, modseq, uidNext, parts.Length == 5 ? KindOf(parts[4]) : MailboxChangeKind.Messages)
            : null;
    }

    private static MailboxChangeKind KindOf(string word) => word switch
    {
        "created" => MailboxChangeKind.Created,
        "deleted" => MailboxChangeKind.Deleted,
        "renamed" => MailboxChangeKind.Renamed,
        _ => MailboxChangeKind.Messages,
    };
}

/// <summary>One subscriber's view of an account's changes; dispose it to stop receiving.</summary>
public sealed class MailChangeSubscription : IDisposable
{
    /// <summary>
    /// Most changes kept for a subscriber that is not reading; older ones are dropped (a change is a
    /// wake-up, and the newest says as much as all before it).
    /// </summary>
    internal const int Capacity = 64;

    private readonly MailChangeFeed _feed;
    private readonly Channel<MailboxChange> _channel = Channel.CreateBounded<MailboxChange>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    internal MailChangeSubscription(MailChangeFeed feed, long accountId)
    {
        _feed = feed;
        AccountId = accountId;
    }

    public long AccountId { get; }

    /// <summary>The changes, in the order their transactions committed.</summary>
    public ChannelReader<MailboxChange> Changes => _channel.Reader;

    internal void Publish(MailboxChange change) => _channel.Writer.TryWrite(change);

    public void Dispose()
    {
        _feed.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}

/// <summary>
/// The node's one LISTEN on <see cref="MailStore.ChangeChannel"/> (a dedicated connection, opened
/// when the first session subscribes), fanned out to sessions by account. PostgreSQL delivers a
/// NOTIFY only when its transaction commits, so every change seen here is durable, whichever node
/// made it. If the connection drops, the feed reconnects and tells every subscriber to re-read.
/// </summary>
public sealed partial class MailChangeFeed(NpgsqlDataSource dataSource, TimeProvider time, ILogger<MailChangeFeed> logger) : IAsyncDisposable
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    private readonly Dictionary<long, List<MailChangeSubscription>> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    /// <summary>Starts receiving the changes of one account's mailboxes.</summary>
    public MailChangeSubscription Subscribe(long accountId)
    {
        var subscription = new MailChangeSubscription(this, accountId);
        lock (_subscribers)
        {
            if (!_subscribers.TryGetValue(accountId, out var list))
            {
                _subscribers[accountId] = list = [];
            }

            list.Add(subscription);
            _loop ??= Task.Run(() => ListenAsync(_stop.Token));
        }

        return subscription;
    }

    /// <summary>Completes once the feed's LISTEN is in place (for callers that must not miss a change made right after subscribing).</summary>
    public Task WaitUntilListeningAsync(CancellationToken cancellationToken) => _listening.Task.WaitAsync(cancellationToken);

    internal void Unsubscribe(MailChangeSubscription subscription)
    {
        lock (_subscribers)
        {
            if (_subscribers.TryGetValue(subscription.AccountId, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                _subscribers.Remove(subscription.AccountId);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        var reconnect = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await DedicatedConnection.OpenAsync(dataSource, cancellationToken);
                connection.Notification += (_, e) =>
                {
                    if (MailboxChange.Parse(e.Payload) is { } change)
                    {
                        Publish(change);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {MailStore.ChangeChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                _listening.TrySetResult();
                if (reconnect)
                {
                    LogReconnected(logger);
                    PublishToAll(accountId => new MailboxChange(accountId, 0, 0, 0));
                }

                delay = TimeSpan.FromSeconds(1);
                while (true)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
            {
                LogListenFailed(logger, delay.TotalSeconds, e.Message);
                reconnect = true;
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
        }
    }

    private void Publish(MailboxChange change)
    {
        lock (_subscribers)
        {
            if (_subscribers.TryGetValue(change.AccountId, out var list))
            {
                foreach (var subscription in list)
                {
                    subscription.Publish(change);
                }
            }
        }
    }

    private void PublishToAll(Func<long, MailboxChange> change)
    {
        lock (_subscribers)
        {
            foreach (var (accountId, list) in _subscribers)
            {
                foreach (var subscription in list)
                {
                    subscription.Publish(change(accountId));
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail change feed lost its database connection ({Reason}); reconnecting in {Seconds} s")]
    private static partial void LogListenFailed(ILogger logger, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail change feed reconnected; subscribers told to re-read their mailboxes")]
    private static partial void LogReconnected(ILogger logger);
}
