using Groupware.Connections;
using Groupware.Server.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Server.Admin;

/// <summary>
/// The composition of the admin listener (<c>Admin:Endpoint</c>, loopback by default): its
/// services, its Kestrel endpoint (HTTP/1.1 only), and its place in the HTTP pipeline.
/// </summary>
internal static class AdminListener
{
    private static int _sequence;

    /// <summary>
    /// Registers the exporter, the health checks and the node's own gauges. Returns the name the
    /// node's data source must report its pool under: unique in the process, so that the exporter
    /// picks this node's pool out of Npgsql's process-wide meter.
    /// </summary>
    public static string AddAdmin(IServiceCollection services, GroupwareOptions options)
    {
        var poolName = $"groupware/{options.Node.Name}#{Interlocked.Increment(ref _sequence)}";
        services.AddSingleton(new DatabasePoolName(poolName));
        services.AddSingleton<MetricsExporter>();
        services.AddSingleton<HealthChecks>();
        services.AddSingleton<AdminEndpoints>();
        return poolName;
    }

    /// <summary>Binds the admin endpoint; <paramref name="bound"/> receives its listen options (for the real port).</summary>
    public static void Listen(KestrelServerOptions kestrel, GroupwareOptions options, Action<ListenOptions> bound)
    {
        void Configure(ListenOptions listen)
        {
            bound(listen);
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(AdminConnectionFeature.Mark);
        }

        if (options.Admin.Endpoint.UnixPath is { } path)
        {
            kestrel.ListenUnixSocket(path, Configure);
        }
        else
        {
            kestrel.Listen(options.Admin.Endpoint.IP!, Configure);
        }
    }

    /// <summary>
    /// Starts collecting (before any listener accepts, so no count is missed), adds the node's policy
    /// gauge, and puts the admin endpoints in front of the HTTP pipeline.
    /// </summary>
    public static void Use(WebApplication app)
    {
        var services = app.Services;
        _ = services.GetRequiredService<MetricsExporter>();
        var metrics = services.GetRequiredService<GroupwareMetrics>();
        var policy = services.GetRequiredService<NodePolicy>();
        // Exported as node_plaintext_allowed: the legacy node's loudness (DESIGN.md) in a form alerts can use.
        metrics.Meter.CreateObservableGauge("node.plaintext_allowed", () => policy.AllowPlaintextAuth ? 1 : 0, unit: null,
            description: "1 on a legacy node (Node:AllowPlaintextAuth=true) that accepts clear-text passwords, 0 on a secure node");
        var endpoints = services.GetRequiredService<AdminEndpoints>();
        app.Use(endpoints.InvokeAsync);
    }
}
