using System.Diagnostics.Metrics;

namespace Groupware.Connections;

/// <summary>
/// The node's own instruments (System.Diagnostics.Metrics), created from the host's
/// <see cref="IMeterFactory"/> so that two nodes in one process (tests) keep separate counts.
/// The admin listener exports them in the Prometheus text format.
/// </summary>
public sealed class GroupwareMetrics
{
    public const string MeterName = "Groupware";

    public GroupwareMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        ConnectionsOpened = Meter.CreateCounter<long>("groupware.connections.opened", "{connection}",
            "Connections accepted, by listener and TLS state at accept (tls or clear)");
        ConnectionsOpen = Meter.CreateUpDownCounter<long>("groupware.connections.open", "{connection}",
            "Connections open now, by listener");
        ConnectionsRefused = Meter.CreateCounter<long>("groupware.connections.refused", "{connection}",
            "Connections refused by a connection limit, by listener and limit (listener or address)");
        StartTlsUpgrades = Meter.CreateCounter<long>("groupware.starttls.upgrades", "{connection}",
            "Connections upgraded with STARTTLS/STLS, by listener");
        Logins = Meter.CreateCounter<long>("groupware.logins", "{attempt}",
            "Authentication attempts, by protocol and outcome");
        PlaintextCredentialsRefused = Meter.CreateCounter<long>("groupware.plaintext.credentials.refused", "{credential}",
            "Passwords that arrived without TLS and were refused unchecked (exposed credentials), by protocol and listener");
        Deliveries = Meter.CreateCounter<long>("groupware.deliveries", "{recipient}",
            "Messages delivered (or refused) per recipient, by protocol and outcome");
        Errors = Meter.CreateCounter<long>("groupware.errors", "{error}",
            "Unexpected errors caught at a session or request boundary, by component");
    }

    /// <summary>The meter, for observable instruments other components add (pool use, node policy).</summary>
    public Meter Meter { get; }

    public Counter<long> ConnectionsOpened { get; }

    public UpDownCounter<long> ConnectionsOpen { get; }

    public Counter<long> ConnectionsRefused { get; }

    public Counter<long> StartTlsUpgrades { get; }

    public Counter<long> Logins { get; }

    public Counter<long> PlaintextCredentialsRefused { get; }

    public Counter<long> Deliveries { get; }

    public Counter<long> Errors { get; }
}
