using System.Collections.Concurrent;
using System.Net;
using Groupware.Storage.Auth;
using Groupware.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Auth.Throttling;

/// <summary>
/// This node's copy of the block list all nodes share through PostgreSQL (<c>auth_blocks</c>), as
/// Stalwart's auto-ban: a client network that failed too often on any node is refused everywhere
/// for a while. A login attempt only looks here, in memory; the copy is loaded at start, kept
/// current by LISTEN/NOTIFY, and reloaded whole every <see cref="AuthOptions.BlockRefreshSeconds"/>
/// to catch what a broken listening connection missed and to forget lifted blocks.
/// </summary>
internal sealed partial class BlockList(AuthBlockStore store, AuthOptions options, TimeProvider time, ILogger<BlockList> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<IPNetwork, DateTimeOffset> _blocks = new();

    /// <summary>Whether <paramref name="network"/> is blocked now.</summary>
    public bool IsBlocked(IPNetwork network) => _blocks.TryGetValue(network, out var until) && until > time.GetUtcNow();

    /// <summary>Networks blocked now, for tests and diagnostics.</summary>
    public IReadOnlyList<IPNetwork> Blocked => _blocks.Where(b => b.Value > time.GetUtcNow()).Select(b => b.Key).ToList();

    /// <summary>Takes a block announced by the database (or set by this node), keeping the later end.</summary>
    public void Apply(AuthBlock block) =>
        _blocks.AddOrUpdate(block.Network, block.Until, (_, until) => until > block.Until ? until : block.Until);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Known before the first connection is accepted: the host starts listening after its services.
        try
        {
            await ReloadAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            LogReloadFailed(logger, e.Message);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.ListenAsync(Apply, ReloadAsync, TimeSpan.FromSeconds(options.BlockRefreshSeconds), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
            {
                LogListenFailed(logger, e.Message, retry.TotalSeconds);
                try
                {
                    await Task.Delay(retry, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromSeconds(Math.Min(retry.TotalSeconds * 2, options.BlockRefreshSeconds));
                continue;
            }
        }
    }

    /// <summary>Replaces the copy with the blocks in force in the database now.</summary>
    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        // Only what was known before the query and is gone from the database is forgotten: a block
        // announced while the query ran stays.
        var before = _blocks.ToArray();
        var active = await store.ActiveAsync(time.GetUtcNow(), cancellationToken);
        var current = active.ToDictionary(b => b.Network, b => b.Until);
        foreach (var block in active)
        {
            Apply(block);
        }

        foreach (var entry in before)
        {
            if (!current.ContainsKey(entry.Key))
            {
                _blocks.TryRemove(entry);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the shared block list: {Reason}; using what this node knows")]
    private static partial void LogReloadFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the block list notifications ({Reason}); reconnecting in {Seconds} s")]
    private static partial void LogListenFailed(ILogger logger, string reason, double seconds);
}
