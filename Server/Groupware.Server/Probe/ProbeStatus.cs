namespace Groupware.Server.Probe;

/// <summary>
/// The four states of the monitoring-plugins convention (Monitoring Plugins Development Guidelines,
/// "Plugin Return Codes"), which Nagios, Icinga, Naemon and Shinken read from the exit code.
/// </summary>
internal enum ProbeStatus
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

internal static class ProbeStatuses
{
    /// <summary>
    /// The status that wins when several ports report: CRITICAL over WARNING over UNKNOWN over OK,
    /// the order of monitoring-plugins' <c>max_state_alt</c>: a port that could not be checked is
    /// never hidden behind one that was fine.
    /// </summary>
    public static ProbeStatus Worst(IEnumerable<ProbeStatus> statuses)
    {
        var worst = ProbeStatus.Ok;
        foreach (var status in statuses)
        {
            if (Rank(status) > Rank(worst))
            {
                worst = status;
            }
        }

        return worst;
    }

    /// <summary>The word the status line shows: OK, WARNING, CRITICAL, UNKNOWN.</summary>
    public static string Word(this ProbeStatus status) => status switch
    {
        ProbeStatus.Ok => "OK",
        ProbeStatus.Warning => "WARNING",
        ProbeStatus.Critical => "CRITICAL",
        _ => "UNKNOWN",
    };

    /// <summary>Parses the value of <c>--refuse-state</c>/<c>--mismatch-state</c>: ok, warning, critical or unknown.</summary>
    public static ProbeStatus Parse(string text) => text.ToLowerInvariant() switch
    {
        "ok" => ProbeStatus.Ok,
        "warning" or "warn" => ProbeStatus.Warning,
        "critical" or "crit" => ProbeStatus.Critical,
        _ => ProbeStatus.Unknown,
    };

    private static int Rank(ProbeStatus status) => status switch
    {
        ProbeStatus.Ok => 0,
        ProbeStatus.Unknown => 1,
        ProbeStatus.Warning => 2,
        _ => 3,
    };
}
