using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Groupware.Connections;

namespace Groupware.Server.Admin;

/// <summary>The name this node's Npgsql data source reports its pool under, so that only its own pool is exported.</summary>
internal sealed record DatabasePoolName(string Value);

/// <summary>
/// Collects this node's instruments with a <see cref="MeterListener"/> and writes them in the
/// Prometheus text format on each scrape. Only meters created by this host's
/// <see cref="IMeterFactory"/> are exported (two nodes in one process keep their counts apart),
/// plus Npgsql's pool instruments for this node's own data source.
/// </summary>
internal sealed class MetricsExporter : IDisposable
{
    /// <summary>Npgsql's meter (OpenTelemetry database semantic conventions) and the pool instruments taken from it.</summary>
    private const string NpgsqlMeter = "Npgsql";

    private const string PoolNameTag = "db.client.connection.pool.name";

    private static readonly HashSet<string> PoolInstruments = new(StringComparer.Ordinal)
    {
        "db.client.connection.count",
        "db.client.connection.max",
        "db.client.connection.npgsql.pending_requests",
        "db.client.connection.npgsql.timeouts",
    };

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly Lock _scrape = new();
    private readonly IMeterFactory _meterFactory;
    private readonly string _poolName;

    public MetricsExporter(IMeterFactory meterFactory, DatabasePoolName poolName)
    {
        _meterFactory = meterFactory;
        _poolName = poolName.Value;
        _listener.InstrumentPublished = OnPublished;
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out Family? _);
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Everything exported now, in the text format.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            // Observable instruments report their current value: start from nothing, then ask them.
            foreach (var family in _families.Values.Where(f => f.Instrument.IsObservable))
            {
                family.Clear();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.WriteTo(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnPublished(Instrument instrument, MeterListener listener)
    {
        string? poolName;
        if (instrument.Meter.Scope == _meterFactory && instrument.Meter.Name == GroupwareMetrics.MeterName)
        {
            poolName = null;
        }
        else if (instrument.Meter.Name == NpgsqlMeter && PoolInstruments.Contains(instrument.Name))
        {
            poolName = _poolName;
        }
        else
        {
            return;
        }

        var family = new Family(instrument, poolName);
        _families[instrument] = family;
        listener.EnableMeasurementEvents(instrument, family);
    }

    /// <summary>One instrument's series, keyed by their labels.</summary>
    private sealed class Family
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly string? _poolName;
        private readonly Kind _kind;
        private readonly bool _replace;

        public Family(Instrument instrument, string? poolName)
        {
            Instrument = instrument;
            _poolName = poolName;
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            _kind = generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>) ? Kind.Counter
                : generic == typeof(Histogram<>) ? Kind.Summary
                : Kind.Gauge;
            // Observable instruments and gauges report a current value; the others report increments.
            _replace = _kind != Kind.Summary && (instrument.IsObservable || generic == typeof(Gauge<>));
            Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, _kind == Kind.Counter);
        }

        public Instrument Instrument { get; }

        public string Name { get; }

        public void Clear() => _series.Clear();

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new List<KeyValuePair<string, string>>(tags.Length);
            foreach (var tag in tags)
            {
                if (_poolName is not null && tag.Key == PoolNameTag)
                {
                    if (!string.Equals(tag.Value as string, _poolName, StringComparison.Ordinal))
                    {
                        return;  // another data source's pool in this process
                    }

                    continue;
                }

                labels.Add(new(PrometheusText.LabelName(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
            }

            labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            var key = string.Join('\u0001', labels.Select(l => $"{l.Key}\u0002{l.Value}"));
            var series = _series.GetOrAdd(key, _ => new Series(labels));
            series.Add(value, _replace);
        }

        public void WriteTo(StringBuilder text)
        {
            PrometheusText.Help(text, Name, Instrument.Description);
            PrometheusText.Type(text, Name, _kind switch
            {
                Kind.Counter => "counter",
                Kind.Summary => "summary",
                _ => "gauge",
            });
            foreach (var series in _series.Values.OrderBy(s => string.Join(',', s.Labels), StringComparer.Ordinal))
            {
                var (sum, count) = series.Read();
                if (_kind == Kind.Summary)
                {
                    PrometheusText.Sample(text, Name + "_sum", series.Labels, sum);
                    PrometheusText.Sample(text, Name + "_count", series.Labels, count);
                }
                else
                {
                    PrometheusText.Sample(text, Name, series.Labels, sum);
                }
            }
        }

        private enum Kind
        {
            Counter,
            Gauge,
            Summary,
        }
    }

    /// <summary>A running sum (counters, up-down counters, histogram sums) with its count of measurements.</summary>
    private sealed class Series(List<KeyValuePair<string, string>> labels)
    {
        private readonly Lock _lock = new();
        private double _sum;
        private long _count;

        public IReadOnlyList<KeyValuePair<string, string>> Labels { get; } = labels;

        public void Add(double value, bool replace)
        {
            lock (_lock)
            {
                _sum = replace ? value : _sum + value;
                _count++;
            }
        }

        public (double Sum, long Count) Read()
        {
            lock (_lock)
            {
                return (_sum, _count);
            }
        }
    }
}
