using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Groupware.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Testing;

/// <summary>
/// Records what one node's <see cref="GroupwareMetrics"/> instruments measure from now on, so a test
/// can assert that something was counted (for instance a password refused in clear).
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, string?> Tags)> _measurements = new();

    public MetricRecorder(TestNode node)
    {
        var factory = node.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GroupwareMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagMap = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                tagMap[tag.Key] = tag.Value?.ToString();
            }

            _measurements.Enqueue((instrument.Name, value, tagMap));
        });
        _listener.Start();
    }

    /// <summary>The sum of an instrument's measurements whose tags include every one given.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
            .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
