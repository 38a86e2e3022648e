using System.Text.Json;

namespace Groupware.Tests.Admin;

/// <summary>One sample as the reference parser reads it.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>One metric family as the reference parser reads it.</summary>
public sealed record PrometheusFamily(string Name, string Type, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// The text exposition format read by Prometheus' own Python client
/// (<c>prometheus_client.parser.text_string_to_metric_families</c>, Debian's python3-prometheus-client),
/// which raises on anything that is not the format.
/// </summary>
public static class PrometheusParser
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        families = []
        for family in text_string_to_metric_families(sys.stdin.read()):
            families.append({"name": family.name, "type": family.type,
                             "samples": [[s.name, s.labels, s.value] for s in family.samples]})
        print(json.dumps(families))
        """;

    public static async Task<IReadOnlyList<PrometheusFamily>> ParseAsync(string text)
    {
        if (!File.Exists(Python))
        {
            throw new FileNotFoundException($"{Python} is missing; deploy/dev/test.sh installs python3 and python3-prometheus-client");
        }

        var result = await ExternalProcess.RunAsync(Python, ["-c", Script], standardInput: text, timeout: TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            throw new AssertionException($"prometheus_client refused the exposition:\n{result.Error}\n--- text ---\n{text}");
        }

        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.EnumerateArray().Select(f => new PrometheusFamily(
            f.GetProperty("name").GetString()!,
            f.GetProperty("type").GetString()!,
            f.GetProperty("samples").EnumerateArray().Select(s => new PrometheusSample(
                s[0].GetString()!,
                s[1].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                s[2].ValueKind == JsonValueKind.Number ? s[2].GetDouble() : double.NaN)).ToList())).ToList();
    }

    /// <summary>The value of the one sample named <paramref name="name"/> with exactly these labels, or null.</summary>
    public static double? Value(this IReadOnlyList<PrometheusFamily> families, string name, params (string Key, string Value)[] labels) =>
        families.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .Select(s => (double?)s.Value)
            .SingleOrDefault();
}
