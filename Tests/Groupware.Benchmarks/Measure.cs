using System.Diagnostics;
using System.Globalization;

namespace Groupware.Benchmarks;

/// <summary>Repeats a measurement and reports its median, so one noisy run does not decide a figure.</summary>
internal static class Measure
{
    /// <summary>Runs <paramref name="run"/> <paramref name="runs"/> times (after one warm-up) and returns the median of what it returns.</summary>
    public static async Task<double> MedianAsync(int runs, Func<Task<double>> run, bool warmUp = true)
    {
        if (warmUp)
        {
            await run();
        }

        var results = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            results.Add(await run());
        }

        return Median(results);
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The nearest-rank percentile of ascending <paramref name="sorted"/> (0.5 the median, 0.99 the p99); NaN for none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(fraction * sorted.Count) - 1)];

    /// <summary>Operations per second of <paramref name="operations"/> done by <paramref name="work"/>.</summary>
    public static async Task<double> RateAsync(int operations, Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        return operations / clock.Elapsed.TotalSeconds;
    }

    public static string Format(double value) => value.ToString("N1", CultureInfo.InvariantCulture);
}
