using System.Net.Sockets;
using Groupware.Storage;
using Groupware.Storage.Migrations;
using Npgsql;

namespace Groupware.Server.Admin;

/// <summary>The answer of a health endpoint: ready or not, and why, for a human reading curl's output.</summary>
internal sealed record HealthAnswer(bool Healthy, string Text);

/// <summary>
/// <c>/health/live</c>: the process answers HTTP. <c>/health/ready</c>: the node can serve, meaning
/// the database answers and every migration this build ships is applied; a load balancer or
/// orchestrator takes a node that is not ready out of rotation.
/// </summary>
internal sealed class HealthChecks(NpgsqlDataSource dataSource, Migrator migrator)
{
    /// <summary>
    /// How long the readiness check may wait for the database: well under Prometheus' default
    /// scrape_timeout of 10 s and the 10 s default timeout of check_http, so the caller hears "not ready"
    /// rather than a timeout of its own.
    /// </summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(5);

    public static HealthAnswer Live() => new(true, "live");

    public async Task<HealthAnswer> ReadyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            await Database.CheckReachableAsync(dataSource, timeout.Token);
            var pending = await migrator.PendingAsync(timeout.Token);
            return pending.Count == 0
                ? new HealthAnswer(true, "ready")
                : new HealthAnswer(false, $"not ready: {pending.Count} migration(s) pending ({string.Join(", ", pending.Select(v => v.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)))}); run groupware db migrate or restart a node");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthAnswer(false, $"not ready: the database did not answer within {ReadyTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            return new HealthAnswer(false, $"not ready: the database is unreachable: {e.Message}");
        }
    }
}
