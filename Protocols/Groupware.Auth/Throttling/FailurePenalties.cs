using System.Collections.Concurrent;
using System.Net;

namespace Groupware.Auth.Throttling;

/// <summary>
/// Dovecot's auth penalty, per client network and per account: each failure makes the next answer
/// to the same client, or on the same login, wait longer — <see cref="AuthOptions.FailureDelayMilliseconds"/>
/// after one failure, doubling with each further one up to <see cref="AuthOptions.MaxFailureDelayMilliseconds"/> —
/// until <see cref="AuthOptions.FailureMemorySeconds"/> pass without one. Kept in this node's memory:
/// it slows a guesser down where it is; the block list shared through the database stops it everywhere.
/// </summary>
internal sealed class FailurePenalties(AuthOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Penalty> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();

    /// <summary>Entries held now.</summary>
    public int Count => _entries.Count;

    /// <summary>How long to wait before answering this client on this login: the longest of the penalties.</summary>
    /// <param name="network">The client's network, or null when it is exempt from the per-address delay.</param>
    /// <param name="loginKeys">The keys of the login (<c>AccountStore.LoginKey</c>, <c>AccountStore.AddressKey</c>).</param>
    public TimeSpan DelayFor(IPNetwork? network, params IEnumerable<string> loginKeys)
    {
        var now = time.GetUtcNow();
        var delay = network is { } n ? DelayOf(NetworkEntry(n), now) : TimeSpan.Zero;
        foreach (var loginKey in loginKeys)
        {
            delay = Max(delay, DelayOf(LoginEntry(loginKey), now));
        }

        return delay;
    }

    /// <summary>Counts a failure against the client's network (unless exempt) and under each key of the login.</summary>
    public void RecordFailure(IPNetwork? network, params IEnumerable<string> loginKeys)
    {
        var now = time.GetUtcNow();
        if (_entries.Count >= options.MaxTrackedClients)
        {
            Evict(now);
        }

        foreach (var loginKey in loginKeys)
        {
            Add(LoginEntry(loginKey), now);
        }

        if (network is { } n)
        {
            Add(NetworkEntry(n), now);
        }
    }

    /// <summary>A successful login clears the penalty of the login (not of the network: one good account must not clear a guesser's).</summary>
    public void RecordSuccess(params IEnumerable<string> loginKeys)
    {
        foreach (var loginKey in loginKeys)
        {
            _entries.TryRemove(LoginEntry(loginKey), out _);
        }
    }

    private TimeSpan DelayOf(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var penalty) || now - penalty.LastFailure >= TimeSpan.FromSeconds(options.FailureMemorySeconds))
        {
            return TimeSpan.Zero;
        }

        // FailureDelay * 2^(failures - 1), capped; the exponent is capped first so the product cannot overflow.
        var doubled = options.FailureDelayMilliseconds * Math.Pow(2, Math.Min(penalty.Failures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(doubled, options.MaxFailureDelayMilliseconds));
    }

    private void Add(string key, DateTimeOffset now) =>
        _entries.AddOrUpdate(key, _ => new Penalty(1, now), (_, old) =>
            now - old.LastFailure >= TimeSpan.FromSeconds(options.FailureMemorySeconds)
                ? new Penalty(1, now)
                : new Penalty(Math.Min(old.Failures + 1, 64), now));

    /// <summary>Forgets expired entries and, if that is not enough, the tenth that failed longest ago.</summary>
    private void Evict(DateTimeOffset now)
    {
        lock (_evicting)
        {
            if (_entries.Count < options.MaxTrackedClients)
            {
                return;
            }

            var memory = TimeSpan.FromSeconds(options.FailureMemorySeconds);
            foreach (var (key, penalty) in _entries)
            {
                if (now - penalty.LastFailure >= memory)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= options.MaxTrackedClients)
            {
                foreach (var (key, _) in _entries.OrderBy(e => e.Value.LastFailure).Take(Math.Max(1, options.MaxTrackedClients / 10)).ToList())
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }
    }

    private static string LoginEntry(string loginKey) => "login:" + loginKey;

    private static string NetworkEntry(IPNetwork network) => "net:" + network;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private readonly record struct Penalty(int Failures, DateTimeOffset LastFailure);
}
