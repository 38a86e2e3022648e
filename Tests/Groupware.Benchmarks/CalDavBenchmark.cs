using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Groupware.Testing;

namespace Groupware.Benchmarks;

/// <summary>
/// CalDAV beside Debian's Radicale, both in their own processes and both over HTTPS with the same
/// self-signed certificate, driven by one HttpClient each (HTTP/1.1 with keep-alive, one request at
/// a time, so each figure is one request's latency): PUT of 10,000 events (<see cref="BenchmarkEvents"/>),
/// then, in rounds that alternate between the servers, calendar-query of a 7-day time range with
/// getetag and calendar-data, sync-collection after 10 changed events, and calendar-multiget of 20
/// events. Medians and p99 over every request of every round after one warm-up round; the speed-up
/// is Radicale's median over ours. The RFC 4791 issue's goal: calendar-query at least 50 times
/// Radicale's throughput, p99 under 50 ms.
/// </summary>
internal sealed class CalDavBenchmark : IBenchmark
{
    private const string Password = "benchmark password";
    private const int Rounds = 5;
    private const int QueriesPerRound = 10;
    private const int SyncsPerRound = 4;
    private const int MultigetsPerRound = 10;
    private const int Changes = 10;
    private const int MultigetSize = 20;

    /// <summary>How many times the queries and multigets of a round ours gets.</summary>
    private const int OursRepeat = 4;

    /// <summary>Events Radicale gets by PUT; the rest go straight into its store (see RunAsync).</summary>
    private const int RadicalePuts = 1000;

    /// <summary>PUTs of new events measured once both calendars hold every event.</summary>
    private const int FullPuts = 200;

    /// <summary>A week in the middle of the five years the events span.</summary>
    private static readonly (string Start, string End) Week = ("20240603T000000Z", "20240610T000000Z");

    public string Name => "caldav";

    public string Description => "CalDAV PUT, calendar-query, sync-collection, multiget over HTTPS (10,000 events), beside Radicale; [--events N]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var events = 10_000;
        if (arguments.Count == 2 && arguments[0] == "--events" && int.TryParse(arguments[1], CultureInfo.InvariantCulture, out var n) && n >= 100)
        {
            events = n;
        }
        else if (arguments.Count != 0)
        {
            Console.Error.WriteLine("usage: caldav [--events N]   (N >= 100)");
            return 64;
        }

        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            using var certificates = new TestCertificates();
            var port = LoopbackPorts.Free();
            await using var node = await ServerProcess.StartAsync("bench1", adjust: config =>
            {
                ((Dictionary<string, object>)config["Listeners"])["caldav"] =
                    new Dictionary<string, object> { ["Protocol"] = "caldav", ["Endpoint"] = $"127.0.0.1:{port}", ["Tls"] = "implicit" };
                ((Dictionary<string, object>)config["Tls"])["CertificateFile"] = certificates.CertificateFile;
                ((Dictionary<string, object>)config["Tls"])["KeyFile"] = certificates.KeyFile;
            });
            var login = await TestAccounts.CreateAsync(Password);
            await using var radicale = await RadicalePeer.StartAsync(new RadicalePeerOptions
            {
                Certificates = certificates,
                Users = new Dictionary<string, string> { ["bench"] = Password },
            });

            using var ours = new Target("groupware", new Uri($"https://127.0.0.1:{port}/"), login, $"/calendars/{login}/default/");
            using var theirs = new Target("radicale", radicale.BaseAddress, "bench", "/bench/calendar/", closesConnections: true);
            await theirs.ExpectAsync(201, "MKCALENDAR", theirs.Calendar, null, cancellationToken);

            var sizes = Enumerable.Range(0, events).Select(i => Encoding.UTF8.GetByteCount(BenchmarkEvents.Event(i, events))).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"caldav: {events:N0} events of {sizes.Min():N0}-{sizes.Max():N0} octets (mean {sizes.Average():N0}), every tenth weekly x26, over five years; " +
                $"one request at a time over HTTPS (one certificate); HTTP/1.1 keep-alive to groupware, radicale answers HTTP/1.0 and closes each connection"));

            // Radicale's PUT slows as its calendar grows, so that 10,000 of them one by one would take most of an
            // hour: it gets the first RadicalePuts by PUT like us, the rest written into its filesystem store as
            // the files it makes itself (one per href), before both get the same further PUTs at full size.
            var radicalePuts = Math.Min(events, RadicalePuts);
            var rows = new List<Row>();
            foreach (var target in new[] { ours, theirs })
            {
                var clock = Stopwatch.StartNew();
                var individually = target == ours ? events : radicalePuts;
                var latencies = await target.PutAllAsync(0, individually, events, cancellationToken);
                target.Samples["put-all"] = latencies;
                target.Samples["put-first"] = latencies[..radicalePuts];
                target.PutTotal = clock.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {target.Name}: {individually:N0} PUTs in {clock.Elapsed.TotalSeconds:N1} s"));
            }

            for (var i = radicalePuts; i < events; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(radicale.CollectionDirectory("bench", "calendar"), BenchmarkEvents.Name(i)),
                    BenchmarkEvents.Event(i, events), cancellationToken);
            }

            foreach (var target in new[] { ours, theirs })
            {
                target.Samples["put-full"] = await target.PutAllAsync(events, events + FullPuts, events, cancellationToken);
            }

            rows.Add(new Row($"PUT, each of the first {radicalePuts:N0}", "put-first"));
            rows.Add(new Row($"PUT into a calendar of {events:N0} ({FullPuts})", "put-full"));
            try
            {
                await MeasureRoundsAsync(ours, theirs, events, cancellationToken);
            }
            catch (InvalidOperationException) when (radicale.Output.Length > 0)
            {
                Console.Error.WriteLine("radicale's log:\n" + radicale.Output);
                throw;
            }

            rows.Add(new Row($"calendar-query, 7 days ({ours.QueryMatches}/{theirs.QueryMatches} hits)", "query"));
            rows.Add(new Row($"sync-collection after {Changes} changes ({ours.SyncMatches}/{theirs.SyncMatches})", "sync"));
            rows.Add(new Row($"calendar-multiget of {MultigetSize}", "multiget"));
            Report(rows, ours, theirs);
            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }

    /// <summary>The query, sync and multiget rounds, alternating between the servers; the first round is a warm-up.</summary>
    private static async Task MeasureRoundsAsync(Target ours, Target theirs, int events, CancellationToken cancellationToken)
    {
        var revision = 0;
        for (var round = 0; round <= Rounds; round++)
        {
            var warmUp = round == 0;
            foreach (var target in new[] { ours, theirs })
            {
                // The same changes and hrefs for both servers.
                var random = new Random(round);
                // Ours answers fast enough for four times the samples, so that its p99 is not simply its slowest request.
                var repeat = target == ours ? OursRepeat : 1;
                for (var q = 0; q < QueriesPerRound * repeat; q++)
                {
                    var (elapsed, body) = await target.TimeAsync("REPORT", target.Calendar, QueryBody, "1", cancellationToken);
                    target.QueryMatches = CountResponses(body, 207);
                    target.Record("query", elapsed, warmUp);
                }

                for (var s = 0; s < SyncsPerRound; s++)
                {
                    target.SyncToken ??= await target.SyncTokenAsync(cancellationToken);
                    revision++;
                    for (var c = 0; c < Changes; c++)
                    {
                        var i = random.Next(events);
                        await target.ExpectAsync(204, "PUT", target.Calendar + BenchmarkEvents.Name(i), BenchmarkEvents.Event(i, events, revision),
                            cancellationToken, "text/calendar; charset=utf-8");
                    }

                    var (elapsed, body) = await target.TimeAsync("REPORT", target.Calendar, SyncBody(target.SyncToken), "1", cancellationToken);
                    var answer = XElement.Parse(body);
                    target.SyncToken = answer.Element(Dav + "sync-token")?.Value ?? throw new InvalidOperationException($"{target.Name}: no sync-token in {body}");
                    target.SyncMatches = answer.Elements(Dav + "response").Count();
                    target.Record("sync", elapsed, warmUp);
                }

                for (var m = 0; m < MultigetsPerRound * repeat; m++)
                {
                    var hrefs = Enumerable.Range(0, MultigetSize).Select(_ => target.Calendar + BenchmarkEvents.Name(random.Next(events))).Distinct().ToList();
                    var (elapsed, body) = await target.TimeAsync("REPORT", target.Calendar, MultigetBody(hrefs), "1", cancellationToken);
                    if (CountResponses(body, 207) != hrefs.Count)
                    {
                        throw new InvalidOperationException($"{target.Name}: multiget of {hrefs.Count} answered {CountResponses(body, 207)}");
                    }

                    target.Record("multiget", elapsed, warmUp);
                }
            }
        }

    }

    private static readonly XNamespace Dav = "DAV:";

    private static readonly string QueryBody = $"""
        <?xml version="1.0" encoding="utf-8"?>
        <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
          <D:prop><D:getetag/><C:calendar-data/></D:prop>
          <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
            <C:time-range start="{Week.Start}" end="{Week.End}"/>
          </C:comp-filter></C:comp-filter></C:filter>
        </C:calendar-query>
        """;

    private static string SyncBody(string token) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <D:sync-collection xmlns:D="DAV:">
          <D:sync-token>{token}</D:sync-token>
          <D:sync-level>1</D:sync-level>
          <D:prop><D:getetag/></D:prop>
        </D:sync-collection>
        """;

    private static string MultigetBody(IEnumerable<string> hrefs) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
          <D:prop><D:getetag/><C:calendar-data/></D:prop>
          {string.Concat(hrefs.Select(h => $"<D:href>{h}</D:href>"))}
        </C:calendar-multiget>
        """;

    private static int CountResponses(string body, int status) =>
        status == 207 ? XElement.Parse(body).Elements(Dav + "response").Count() : 0;

    private static void Report(List<Row> rows, Target ours, Target theirs)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PUT: {ours.Name} {ours.Samples["put-all"].Count:N0} in {ours.PutTotal.TotalSeconds:N1} s (median {Measure.Percentile(ours.Samples["put-all"].Order().ToList(), 0.5):N2} ms, p99 {Measure.Percentile(ours.Samples["put-all"].Order().ToList(), 0.99):N2} ms), " +
            $"{theirs.Name} {theirs.Samples["put-all"].Count:N0} in {theirs.PutTotal.TotalSeconds:N1} s; " +
            $"other rows: {Rounds} rounds after one warm-up; {QueriesPerRound * Rounds * OursRepeat}/{QueriesPerRound * Rounds} queries, " +
            $"{SyncsPerRound * Rounds}/{SyncsPerRound * Rounds} syncs, {MultigetsPerRound * Rounds * OursRepeat}/{MultigetsPerRound * Rounds} multigets (groupware/radicale)"));
        Console.WriteLine($"{"row",-46} {ours.Name + " median / p99 ms",24} {theirs.Name + " median / p99 ms",24} {"req/s ours / theirs",22} {"speed-up",9}");
        foreach (var row in rows)
        {
            var mine = ours.Samples[row.Key].Order().ToList();
            var peer = theirs.Samples[row.Key].Order().ToList();
            var (m50, m99, p50, p99) = (Measure.Percentile(mine, 0.5), Measure.Percentile(mine, 0.99), Measure.Percentile(peer, 0.5), Measure.Percentile(peer, 0.99));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Label,-46} {$"{m50:N2} / {m99:N2}",24} {$"{p50:N2} / {p99:N2}",24} {$"{1000 / mine.Average():N0} / {1000 / peer.Average():N0}",22} {p50 / m50,8:N1}x"));
        }

        Console.WriteLine($"TCP connections opened: {ours.Name} {ours.Connections}, {theirs.Name} {theirs.Connections}");
    }

    private sealed record Row(string Label, string Key);

    /// <summary>One server: its client, its calendar, and what was measured on it.</summary>
    private sealed class Target : IDisposable
    {
        private readonly HttpClient _client;
        private int _connections;

        public Target(string name, Uri baseAddress, string login, string calendar, bool closesConnections = false)
        {
            Name = name;
            ClosesConnections = closesConnections;
            Calendar = calendar;
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
                // Radicale closes each connection after its answer, but HttpClient sometimes sends the next request on it first.
                PooledConnectionLifetime = closesConnections ? TimeSpan.Zero : Timeout.InfiniteTimeSpan,
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
                ConnectCallback = async (context, cancellationToken) =>
                {
                    Interlocked.Increment(ref _connections);
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            _client = new HttpClient(handler)
            {
                BaseAddress = baseAddress,
                DefaultRequestVersion = HttpVersion.Version11,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Timeout = TimeSpan.FromSeconds(120),
            };
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login}:{Password}")));
        }

        public string Name { get; }

        public string Calendar { get; }

        /// <summary>
        /// The server answers HTTP/1.0 and closes each connection (Radicale's wsgiref server), so every
        /// request says <c>Connection: close</c> rather than send on a connection the server is closing.
        /// </summary>
        public bool ClosesConnections { get; }

        public int Connections => Volatile.Read(ref _connections);

        public Dictionary<string, List<double>> Samples { get; } = [];

        public TimeSpan PutTotal { get; set; }

        public string? SyncToken { get; set; }

        public int QueryMatches { get; set; }

        public int SyncMatches { get; set; }

        public void Record(string key, double milliseconds, bool warmUp)
        {
            if (!warmUp)
            {
                (Samples.TryGetValue(key, out var list) ? list : Samples[key] = []).Add(milliseconds);
            }
        }

        /// <summary>PUTs events <paramref name="first"/> to <paramref name="end"/> (exclusive) as new (If-None-Match: *), one at a time; the latency of each.</summary>
        public async Task<List<double>> PutAllAsync(int first, int end, int events, CancellationToken cancellationToken)
        {
            var latencies = new List<double>(end - first);
            for (var i = first; i < end; i++)
            {
                var (elapsed, status, body) = await SendAsync("PUT", Calendar + BenchmarkEvents.Name(i), BenchmarkEvents.Event(i, events), null,
                    cancellationToken, "text/calendar; charset=utf-8", ("If-None-Match", "*"));
                if (status != 201)
                {
                    throw new InvalidOperationException($"{Name}: PUT {i} answered {status}: {body}");
                }

                latencies.Add(elapsed);
            }

            return latencies;
        }

        /// <summary>The calendar's DAV:sync-token (RFC 6578 §4), from a PROPFIND.</summary>
        public async Task<string> SyncTokenAsync(CancellationToken cancellationToken)
        {
            var (_, status, body) = await SendAsync("PROPFIND", Calendar, """
                <?xml version="1.0" encoding="utf-8"?>
                <D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>
                """, "0", cancellationToken);
            return status == 207 && XElement.Parse(body).Descendants(Dav + "sync-token").FirstOrDefault()?.Value is { Length: > 0 } token
                ? token
                : throw new InvalidOperationException($"{Name}: no sync-token: {status} {body}");
        }

        public async Task<(double Milliseconds, string Body)> TimeAsync(string method, string path, string body, string depth, CancellationToken cancellationToken)
        {
            var (elapsed, status, answer) = await SendAsync(method, path, body, depth, cancellationToken);
            return status == 207 ? (elapsed, answer) : throw new InvalidOperationException($"{Name}: {method} {path} answered {status}: {answer}");
        }

        public async Task ExpectAsync(int expected, string method, string path, string? body, CancellationToken cancellationToken,
            string contentType = "application/xml; charset=utf-8")
        {
            var (_, status, answer) = await SendAsync(method, path, body, null, cancellationToken, contentType);
            if (status != expected && !(expected == 204 && status == 201))
            {
                throw new InvalidOperationException($"{Name}: {method} {path} answered {status}, not {expected}: {answer}");
            }
        }

        /// <summary>One request, timed from before it is sent until its whole body has arrived.</summary>
        private async Task<(double Milliseconds, int Status, string Body)> SendAsync(string method, string path, string? body, string? depth,
            CancellationToken cancellationToken, string contentType = "application/xml; charset=utf-8", params (string Name, string Value)[] headers)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            if (depth is not null)
            {
                request.Headers.Add("Depth", depth);
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            request.Headers.ConnectionClose = ClosesConnections ? true : null;
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await _client.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                return (clock.Elapsed.TotalMilliseconds, (int)response.StatusCode, text);
            }
            catch (HttpRequestException e)
            {
                throw new InvalidOperationException($"{Name}: {method} {path} failed after {clock.Elapsed.TotalMilliseconds:N0} ms on connection {Connections}: {e.Message} {e.InnerException?.Message}", e);
            }
        }

        public void Dispose() => _client.Dispose();
    }
}
