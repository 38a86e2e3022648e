using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using Npgsql;

namespace Groupware.Storage.Auth;

/// <summary>A client network blocked from authenticating on every node until <paramref name="Until"/>.</summary>
public sealed record AuthBlock(IPNetwork Network, DateTimeOffset Until);

/// <summary>
/// The block list shared by all nodes (<c>auth_blocks</c>). A trigger announces every new or
/// extended block with NOTIFY on <see cref="Channel"/>, so that each node's in-memory copy is
/// current without a query per login attempt.
/// </summary>
public sealed class AuthBlockStore(NpgsqlDataSource dataSource)
{
    /// <summary>The NOTIFY channel of 0002_auth.sql's trigger; the payload is <c>network microseconds-since-1970</c>.</summary>
    public const string Channel = "groupware_auth_blocks";

    // Counts the failures of every node from the audit log and blocks the networks above the
    // threshold; an existing block is only ever extended.
    private const string BlockOffenders = """
        INSERT INTO auth_blocks (network, blocked_until, failures, node)
        SELECT client_network, @until, count(*), @node
        FROM auth_attempts
        WHERE client_network = ANY (@candidates::cidr[])
          AND at >= @since
          AND outcome IN ('invalid-credentials', 'account-disabled')
        GROUP BY client_network
        HAVING count(*) > @threshold
        ON CONFLICT (network) DO UPDATE
            SET blocked_until = EXCLUDED.blocked_until, failures = EXCLUDED.failures, node = EXCLUDED.node
            WHERE auth_blocks.blocked_until < EXCLUDED.blocked_until
        RETURNING network::text AS network, blocked_until AS blockeduntil
        """;

    /// <summary>Every block still in force at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<AuthBlock>> ActiveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<BlockRow>(new CommandDefinition(
            "SELECT network::text AS network, blocked_until AS blockeduntil FROM auth_blocks WHERE blocked_until > @now",
            new { now = now.UtcDateTime }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToBlock()).ToList();
    }

    /// <summary>
    /// Blocks, until <paramref name="until"/>, each of <paramref name="candidates"/> (client networks
    /// as the audit log records them) that failed more than <paramref name="threshold"/> times on any
    /// node since <paramref name="since"/>. Returns the blocks set or extended.
    /// </summary>
    public async Task<IReadOnlyList<AuthBlock>> BlockOffendersAsync(IReadOnlyCollection<IPNetwork> candidates, DateTimeOffset since,
        int threshold, DateTimeOffset until, string node, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<BlockRow>(new CommandDefinition(BlockOffenders, new
        {
            candidates = candidates.Select(c => c.ToString()).ToArray(),
            since = since.UtcDateTime,
            threshold,
            until = until.UtcDateTime,
            node,
        }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToBlock()).ToList();
    }

    /// <summary>Removes blocks that ended before <paramref name="now"/>; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM auth_blocks WHERE blocked_until < @now", new { now = now.UtcDateTime }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Listens for new blocks on a connection of its own until cancelled or the connection fails
    /// (the exception propagates; the caller reconnects). <paramref name="onBlock"/> runs for each
    /// announced block; <paramref name="reload"/> runs right after LISTEN and then every
    /// <paramref name="reloadInterval"/>, however many notifications arrive, so that the caller can
    /// reload the whole list (to catch what a lost connection missed, and forget lifted blocks).
    /// </summary>
    public async Task ListenAsync(Action<AuthBlock> onBlock, Func<CancellationToken, Task> reload, TimeSpan reloadInterval,
        CancellationToken cancellationToken)
    {
        // A pooled connection, not a dedicated one: when the database ends it, Npgsql clears the pool's
        // idle connections at once, before a client's command finds one of them broken.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, e) =>
        {
            if (TryParseNotification(e.Payload, out var block))
            {
                onBlock(block);
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            // A reload right after LISTEN: nothing set between the caller's last load and now is missed.
            await reload(cancellationToken);
            var sinceReload = Stopwatch.StartNew();
            while (true)
            {
                var remaining = reloadInterval - sinceReload.Elapsed;
                if (remaining <= TimeSpan.Zero || !await connection.WaitAsync(remaining, cancellationToken))
                {
                    await reload(cancellationToken);
                    sinceReload.Restart();
                }
            }
        }
        finally
        {
            // Pooled connections are not reset when they go back (Database): this one must not go back listening.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                try
                {
                    await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
                    await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
                }
                catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
                {
                    // Broken: the pool drops it rather than lend it out.
                }
            }
        }
    }

    /// <summary>Parses the trigger's payload: <c>192.0.2.7/32 1767225600000000</c>.</summary>
    internal static bool TryParseNotification(string payload, out AuthBlock block)
    {
        block = null!;
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0
            || !IPNetwork.TryParse(payload.AsSpan(0, space), out var network)
            || !long.TryParse(payload.AsSpan(space + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var microseconds))
        {
            return false;
        }

        block = new AuthBlock(network, DateTimeOffset.UnixEpoch.AddTicks(microseconds * (TimeSpan.TicksPerMillisecond / 1000)));
        return true;
    }

    /// <summary>One row of <c>auth_blocks</c>; Dapper sets the properties by column name.</summary>
    private sealed class BlockRow
    {
        public string Network { get; set; } = "";

        public DateTime BlockedUntil { get; set; }

        public AuthBlock ToBlock() =>
            new(IPNetwork.Parse(Network), new DateTimeOffset(DateTime.SpecifyKind(BlockedUntil, DateTimeKind.Utc)));
    }
}
