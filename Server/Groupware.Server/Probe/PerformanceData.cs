using System.Globalization;

namespace Groupware.Server.Probe;

/// <summary>
/// One performance-data item as the monitoring-plugins guidelines define it:
/// <c>'label'=value[UOM];[warn];[crit];[min];[max]</c>, e.g. <c>imap_time=0.012s;;;0</c>.
/// Thresholds are ranges in the guidelines' syntax (<c>21:</c> alerts below 21).
/// </summary>
internal sealed record PerformanceData(string Label, double Value, string Unit = "", string Warning = "", string Critical = "",
    string Minimum = "", string Maximum = "")
{
    /// <summary>A response time in seconds with minimum 0: <c>label=0.012s;;;0</c>.</summary>
    public static PerformanceData Seconds(string label, TimeSpan elapsed) =>
        new(label, Math.Round(elapsed.TotalSeconds, 6), "s", Minimum: "0");

    public override string ToString()
    {
        // Labels with spaces or '=' must be quoted; ours are plain words.
        var label = Label.Any(c => c is ' ' or '=' or '\'') ? $"'{Label.Replace("'", "''", StringComparison.Ordinal)}'" : Label;
        var text = $"{label}={Value.ToString("0.######", CultureInfo.InvariantCulture)}{Unit};{Warning};{Critical};{Minimum};{Maximum}";
        return text.TrimEnd(';');
    }
}
