using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Groupware.Testing;

namespace Groupware.Benchmarks;

/// <summary>
/// <c>imap-idle</c>: what N sessions in IDLE cost a server, and how fast a delivery reaches them. N
/// clients (10,000 by default) connect over implicit TLS, LOGIN, SELECT an INBOX of 1,000 messages and
/// IDLE; they belong to 10 accounts (N/10 sessions each, as on a server where every user keeps one
/// IDLE per device and folder), from 10 source addresses 127.0.0.10 to 127.0.0.19 (so that no single
/// address runs short of ephemeral ports). Each account thus holds N/100 sessions per address, and
/// both servers are configured to allow that: our <c>Imap:MaxSessionsPerUserAndAddress</c> and
/// Dovecot's <c>mail_max_userip_connections</c> (both default to far fewer).
/// Then one message is delivered over LMTP to each account, one after another, and each session's
/// latency is the time from that delivery's 250 to its <c>* n EXISTS</c>, client included (it runs on
/// the same two cores).
/// <para>
/// Memory: our node's VmRSS, and for Dovecot the sum of the PSS of all its processes (it runs one imap
/// process per logged-in session until the session hibernates; login processes keep the TLS state),
/// read before the sessions (after a warm-up of 100 sessions, which are not counted per session, once
/// Dovecot hibernated them) and with all of them in IDLE. Sessions open in batches of 1,000, each batch stage by stage (connected
/// over TLS, logged in, selected, idling) with the memory read after each stage, so that what each
/// stage costs can be told apart; for our node the resident set is split by kind of mapping (managed
/// heap, malloc arenas, files, other) from /proc/PID/smaps.
/// </para>
/// <para>
/// Dovecot runs as its operators would run it at this size: login processes in high-performance mode,
/// IDLE sessions hibernated after 5 s (<c>imap_hibernate_timeout</c>), process and client limits raised
/// to N. Hibernation needs one inotify instance per session: below N in
/// /proc/sys/fs/inotify/max_user_instances Dovecot cannot hibernate them and the run says so. Usage:
/// <c>imap-idle [sessions] [tls|plain] [both|groupware|dovecot]</c>; <c>plain</c> runs clear-text
/// listeners (ours as a legacy node) to tell what TLS costs.
/// </para>
/// </summary>
internal sealed class ImapIdleBenchmark : IBenchmark
{
    private const int Accounts = 10;
    private const int MessagesPerAccount = 1000;
    private const int Sources = 10;
    private const int WarmUpSessions = 100;
    private const int Batch = 1000;
    private const int Parallel = 32;
    private const string Password = "idle benchmark password";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DeliveryWait = TimeSpan.FromSeconds(60);

    public string Name => "imap-idle";

    public string Description =>
        "IMAP IDLE at 10,000 TLS sessions on 1,000-message INBOXes beside Dovecot: RSS/PSS, KiB per session, delivery-to-EXISTS latency; args: [sessions] [tls|plain] [both|groupware|dovecot]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var sessions = arguments.Count > 0 ? int.Parse(arguments[0], CultureInfo.InvariantCulture) : 10_000;
        var tls = arguments.Count <= 1 || arguments[1] != "plain";
        var which = arguments.Count > 2 ? arguments[2] : "both";
        var perUserAndAddress = Math.Max(1, (int)Math.Ceiling(sessions / (double)(Accounts * Sources)));
        var transport = tls ? "TLS" : "clear text";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imap-idle: {sessions} sessions over {transport} in IDLE on {Accounts} accounts of {MessagesPerAccount} messages, from {Sources} source addresses (127.0.0.10 to 127.0.0.{10 + Sources - 1}), {perUserAndAddress} per account and address"));
        CheckDescriptorLimit(sessions);
        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            using var certificates = new TestCertificates();
            var results = new List<(string Name, IdleResult Result)>();
            if (which is "both" or "groupware")
            {
                results.Add(("groupware", await MeasureOursAsync(sessions, perUserAndAddress, tls, cancellationToken)));
            }

            if (which is "both" or "dovecot")
            {
                results.Add(("dovecot", await MeasureDovecotAsync(sessions, perUserAndAddress, tls, certificates, cancellationToken)));
            }

            Console.WriteLine($"imap-idle, {sessions} sessions over {transport}:");
            foreach (var (name, result) in results)
            {
                Report(name, result);
            }

            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }

    /// <summary>
    /// Says when the limit of open files (which both servers inherit) is below what N sessions take: this
    /// process and our node hold one socket per session; Dovecot spreads its sessions over several login
    /// and imap-hibernate processes (<see cref="DovecotSettings"/>), none of which needs as many.
    /// </summary>
    private static void CheckDescriptorLimit(int sessions)
    {
        var needed = sessions + 2048;
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        if (soft != "unlimited" && long.Parse(soft, CultureInfo.InvariantCulture) < needed)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  note: the open files limit is {soft}, below the {needed} that {sessions} sessions take; `ulimit -n {needed}` before the run raises it"));
        }
    }

    private static async Task<IdleResult> MeasureOursAsync(int sessions, int perUserAndAddress, bool tls, CancellationToken cancellationToken)
    {
        var port = ServerProcess.FreePort();
        await using var node = await ServerProcess.StartAsync("idle1", adjust: config =>
        {
            config["Database"] = new Dictionary<string, object> { ["ConnectionString"] = TestDatabase.ConnectionString + ";Maximum Pool Size=20" };
            ((Dictionary<string, object>)config["Listeners"])["imap"] = new Dictionary<string, object>
            {
                ["Protocol"] = "imap", ["Endpoint"] = $"127.0.0.1:{port}", ["Tls"] = tls ? "implicit" : "none",
            };
            config["Limits"] = new Dictionary<string, object> { ["MaxConnectionsPerIp"] = sessions, ["MaxConnectionsPerListener"] = sessions + 100 };
            config["Imap"] = new Dictionary<string, object> { ["MaxSessionsPerUserAndAddress"] = perUserAndAddress };
            if (!tls)
            {
                // A legacy node: clear-text logins for the accounts flagged as devices (README, "POP3 and the legacy node").
                ((Dictionary<string, object>)config["Node"])["AllowPlaintextAuth"] = true;
            }
        });

        // After the node started: it migrates the run's database at start-up.
        var logins = new List<string>();
        for (var i = 0; i < Accounts; i++)
        {
            logins.Add(await TestAccounts.CreateAsync(Password, legacyDevice: !tls));
        }

        await DeliverAsync("groupware", node.Lmtp, a => $"{logins[a]}@example.test", cancellationToken);
        var target = new Target("groupware", new IPEndPoint(IPAddress.Loopback, port), tls, a => logins[a], node.Lmtp, a => $"{logins[a]}@example.test",
            () => Memory.ResidentKiB(node.Id), _ => Task.CompletedTask, () => "VmRSS by mapping: " + Memory.Breakdown(node.Id));
        return await MeasureAsync(target, sessions, cancellationToken);
    }

    private static async Task<IdleResult> MeasureDovecotAsync(int sessions, int perUserAndAddress, bool tls, TestCertificates certificates,
        CancellationToken cancellationToken)
    {
        var instances = int.Parse(File.ReadAllText("/proc/sys/fs/inotify/max_user_instances").Trim(), CultureInfo.InvariantCulture);
        if (instances < sessions + 100)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  note: fs.inotify.max_user_instances is {instances}, below the {sessions} sessions: Dovecot cannot hibernate (or watch) beyond it, and says so in its log; `sysctl fs.inotify.max_user_instances={sessions + 1000}` lets it"));
        }

        await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions
        {
            Certificates = certificates,
            DisablePlaintextAuth = tls,
            Users = Enumerable.Range(0, Accounts).ToDictionary(a => $"idle{a}", _ => Password),
            ExtraSettings = DovecotSettings(sessions, perUserAndAddress),
        });
        await DeliverAsync("dovecot", dovecot.Lmtp, a => $"idle{a}", cancellationToken);
        var target = new Target("dovecot", tls ? dovecot.Imaps! : dovecot.Imap, tls, a => $"idle{a}", dovecot.Lmtp, a => $"idle{a}",
            () => Memory.ProportionalKiB(dovecot.ProcessIds()), open => WaitForHibernationAsync(dovecot, open, cancellationToken),
            () => "PSS by process: " + string.Join(", ", dovecot.ProcessIds().GroupBy(Memory.CommandName).OrderByDescending(g => g.Count())
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} x{g.Count()} {Memory.ProportionalKiB(g) / 1024.0:N1} MiB"))));
        var result = await MeasureAsync(target, sessions, cancellationToken);
        var warnings = dovecot.Log.Split('\n').Where(l => l.Contains("Warning", StringComparison.Ordinal) || l.Contains("Error", StringComparison.Ordinal)
            || l.Contains("Fatal", StringComparison.Ordinal)).Select(l => l.Length > 300 ? l[..300] : l).Distinct().Take(8).ToList();
        return result with { PeerLog = warnings };
    }

    /// <summary>
    /// Dovecot at N sessions: IDLE sessions hibernated (the imap process hands the connection and its
    /// state to imap-hibernate and exits), login processes that serve many connections each (they hold
    /// the TLS state of every session), and the limits every process that stays connected counts against
    /// (anvil and stats keep a connection per imap process) raised above N; login and imap-hibernate
    /// processes serve a few thousand sessions each. imap-hibernate, which runs as
    /// the internal user, must be able to open imap-master to hand a session back when its mailbox changes.
    /// </summary>
    private static string DovecotSettings(int sessions, int perUserAndAddress)
    {
        // A hibernated session holds two descriptors in imap-hibernate (the client's socket, its inotify
        // instance): at most 4,000 sessions a process keeps each well below the usual limit of open files.
        var hibernateClients = Math.Min(sessions + 200, 4000);
        return string.Create(CultureInfo.InvariantCulture, $$"""
        mail_max_userip_connections = {{perUserAndAddress}}
        imap_hibernate_timeout = 5s
        service imap-login {
          service_count = 0
          process_min_avail = 2
          client_limit = 4000
          vsz_limit = 1G
        }
        service imap {
          process_limit = {{sessions + 200}}
          unix_listener imap-master {
            user = dovecot
          }
        }
        service imap-hibernate {
          client_limit = {{hibernateClients}}
        }
        service anvil {
          client_limit = {{sessions + 1000}}
        }
        service stats {
          client_limit = {{sessions + 1000}}
        }
        service auth {
          client_limit = {{sessions + 1000}}
        }
        """);
    }

    /// <summary>
    /// Waits until nearly every imap process (all but 1 % of the <paramref name="sessions"/> open) has hibernated its session and exited: at most two minutes,
    /// and no longer than 15 s without one fewer (when Dovecot cannot hibernate, the count stays put).
    /// </summary>
    private static async Task WaitForHibernationAsync(DovecotPeer dovecot, int sessions, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var lastFall = TimeSpan.Zero;
        var imap = int.MaxValue;
        while (clock.Elapsed < TimeSpan.FromMinutes(2) && clock.Elapsed - lastFall < TimeSpan.FromSeconds(15))
        {
            var now = dovecot.ProcessIds().Count(p => Memory.CommandName(p) == "imap");
            if (now < imap)
            {
                (imap, lastFall) = (now, clock.Elapsed);
            }

            if (imap <= Math.Max(10, sessions / 100))
            {
                break;
            }

            await Task.Delay(1000, cancellationToken);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dovecot: {imap} imap processes left after {clock.Elapsed.TotalSeconds:N0} s of waiting for hibernation"));
    }

    private static async Task DeliverAsync(string name, IPEndPoint lmtp, Func<int, string> recipient, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await BenchmarkMail.DeliverAsync(lmtp, recipient, Accounts, MessagesPerAccount, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: delivered {Accounts} x {MessagesPerAccount} messages of 2-6 KB over LMTP in {clock.Elapsed.TotalSeconds:N0} s"));
    }

    /// <summary>A server under test and how to read what it uses.</summary>
    private sealed record Target(string Name, IPEndPoint EndPoint, bool Tls, Func<int, string> Login, IPEndPoint Lmtp, Func<int, string> Recipient,
        Func<long> MemoryKiB, Func<int, Task> Settle, Func<string> Breakdown);

    private sealed record IdleResult(int Idle, long BaselineKiB, long IdleKiB, IReadOnlyDictionary<string, long> StageKiB, int StageSessions,
        IReadOnlyList<double> Latencies, int Missing, IReadOnlyList<string> Failures, string Breakdown)
    {
        public IReadOnlyList<string> PeerLog { get; init; } = [];

        /// <summary>Of the sessions that saw no EXISTS, those the server closed: the last line it sent each.</summary>
        public IReadOnlyList<string> Closed { get; init; } = [];
    }

    private static async Task<IdleResult> MeasureAsync(Target target, int count, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var idle = new List<IdleSession>();
        var stages = new Dictionary<string, long> { ["connected"] = 0, ["logged in"] = 0, ["selected"] = 0, ["idling"] = 0 };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var clock = Stopwatch.StartNew();
            var warmUp = Math.Min(WarmUpSessions, count / 10);
            idle.AddRange(await OpenAsync(target, Enumerable.Range(0, warmUp), failures, null, stop.Token));
            await target.Settle(idle.Count);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var baseline = target.MemoryKiB();
            var measured = 0;
            for (var first = warmUp; first < count; first += Batch)
            {
                var batch = await OpenAsync(target, Enumerable.Range(first, Math.Min(Batch, count - first)), failures, stages, stop.Token);
                idle.AddRange(batch);
                measured += batch.Count;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {target.Name}: {idle.Count} of {count} sessions in IDLE after {clock.Elapsed.TotalSeconds:N0} s ({failures.Count} failed)"));
            await target.Settle(idle.Count);
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            var idleKiB = target.MemoryKiB();
            var breakdown = target.Breakdown();
            var (latencies, missing, closed) = await DeliverOneEachAsync(target, idle, cancellationToken);
            return new IdleResult(idle.Count, baseline, idleKiB, stages, measured, latencies, missing, failures, breakdown) { Closed = closed };
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var session in idle)
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Opens sessions stage by stage: all connected (and through TLS), then all logged in, all selected,
    /// all idling; with <paramref name="stages"/>, the memory each stage added is summed into it. A
    /// session that fails a stage is closed and its failure, with the server's words, recorded.
    /// </summary>
    private static async Task<List<IdleSession>> OpenAsync(Target target, IEnumerable<int> indexes, List<string> failures,
        Dictionary<string, long>? stages, CancellationToken cancellationToken)
    {
        var open = indexes.Select(i => new IdleSession(i, i % Accounts, IPAddress.Parse($"127.0.0.{10 + (i / Accounts % Sources)}"))).ToList();
        foreach (var (stage, step) in new (string, Func<IdleSession, CancellationToken, Task>)[]
        {
            ("connected", (s, c) => s.ConnectAsync(target.EndPoint, target.Tls, c)),
            ("logged in", (s, c) => s.LogInAsync(target.Login(s.Account), Password, c)),
            ("selected", (s, c) => s.SelectAsync(c)),
            ("idling", (s, c) => s.IdleAsync(c)),
        })
        {
            var before = stages is null ? 0 : target.MemoryKiB();
            using var gate = new SemaphoreSlim(Parallel);
            var outcomes = await Task.WhenAll(open.Select(async Task<string?> (session) =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(StepTimeout);
                    await step(session, timeout.Token);
                    return null;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    await session.DisposeAsync();
                    return $"{target.Name} {stage}: {e.GetType().Name}: {e.Message}";
                }
                finally
                {
                    gate.Release();
                }
            }));
            lock (failures)
            {
                failures.AddRange(outcomes.OfType<string>());
            }

            open = [.. open.Where((_, i) => outcomes[i] is null)];
            if (stages is not null)
            {
                stages[stage] += target.MemoryKiB() - before;
            }
        }

        foreach (var session in open)
        {
            session.StartListening(cancellationToken);
        }

        return open;
    }

    /// <summary>
    /// Delivers one message to each account, one after another over one LMTP connection, and waits (at most
    /// a minute after the last 250) until every session saw its <c>* n EXISTS</c>. Returns each session's
    /// latency in milliseconds (from its account's 250; 0 when the EXISTS came first), how many never saw it,
    /// and of those, what the server last said to each that it closed.
    /// </summary>
    private static async Task<(IReadOnlyList<double> Latencies, int Missing, IReadOnlyList<string> Closed)> DeliverOneEachAsync(Target target, List<IdleSession> sessions,
        CancellationToken cancellationToken)
    {
        var accepted = new long[Accounts];
        await using (var lmtp = await LineClient.ConnectAsync(target.Lmtp))
        {
            await ExpectAsync(lmtp, "220");
            await lmtp.SendLineAsync("LHLO bench.example");
            await lmtp.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
            for (var account = 0; account < Accounts; account++)
            {
                await lmtp.SendAsync(Encoding.ASCII.GetBytes($"MAIL FROM:<sender@example.org>\r\nRCPT TO:<{target.Recipient(account)}>\r\nDATA\r\n"));
                await ExpectAsync(lmtp, "250");
                await ExpectAsync(lmtp, "250");
                await ExpectAsync(lmtp, "354");
                await lmtp.SendAsync(BenchmarkMail.Message(account, MessagesPerAccount));
                await ExpectAsync(lmtp, "250");
                accepted[account] = Stopwatch.GetTimestamp();
            }

            await lmtp.SendLineAsync("QUIT");
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(DeliveryWait.TotalSeconds * Stopwatch.Frequency);
        while (sessions.Any(s => s.NotifiedAt == 0 && s.ClosedWith is null) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }

        var latencies = sessions.Where(s => s.NotifiedAt != 0)
            .Select(s => Math.Max(0, (s.NotifiedAt - accepted[s.Account]) * 1000.0 / Stopwatch.Frequency)).Order().ToList();
        return (latencies, sessions.Count(s => s.NotifiedAt == 0), [.. sessions.Where(s => s.NotifiedAt == 0).Select(s => s.ClosedWith).OfType<string>()]);
    }

    private static async Task ExpectAsync(LineClient client, string code)
    {
        var line = await client.ReadLineAsync();
        if (line is null || !line.StartsWith(code, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"LMTP: expected {code}, got {line ?? "end of connection"}");
        }
    }

    private static void Report(string name, IdleResult result)
    {
        var perSession = (result.IdleKiB - result.BaselineKiB) / (double)Math.Max(1, result.StageSessions);
        var memory = name == "dovecot" ? "PSS of all processes" : "VmRSS";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: {result.Idle} sessions in IDLE, {memory} {result.BaselineKiB / 1024.0:N1} -> {result.IdleKiB / 1024.0:N1} MiB, {perSession:N1} KiB per session beyond the baseline ({result.StageSessions} sessions)"));
        Console.WriteLine($"    per session by stage (KiB, as read right after each): " + string.Join(", ",
            result.StageKiB.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value / (double)Math.Max(1, result.StageSessions):N1}"))));
        var all = result.Latencies.Count + result.Missing;
        string At(double fraction)
        {
            var rank = (int)Math.Ceiling(fraction * all) - 1;
            return rank < result.Latencies.Count ? string.Create(CultureInfo.InvariantCulture, $"{result.Latencies[Math.Max(0, rank)]:N0} ms") : "not within 60 s";
        }

        var withinSecond = result.Latencies.Count(l => l <= 1000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    delivery to EXISTS: p50 {At(0.5)}, p99 {At(0.99)}, max {(result.Missing > 0 ? "not within 60 s" : $"{result.Latencies[^1]:N0} ms")}; {withinSecond} of {all} within 1 s, {result.Missing} not within 60 s ({result.Closed.Count} of them closed by the server)"));
        foreach (var words in result.Closed.GroupBy(c => c).OrderByDescending(g => g.Count()).Take(3))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    closed x{words.Count()}, last line: {words.Key}"));
        }

        if (result.Breakdown.Length > 0)
        {
            Console.WriteLine($"    {result.Breakdown}");
        }

        foreach (var failure in result.Failures.GroupBy(f => f).Take(5))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    failed x{failure.Count()}: {failure.Key}"));
        }

        foreach (var line in result.PeerLog)
        {
            Console.WriteLine($"    dovecot log: {line}");
        }
    }

    /// <summary>
    /// One raw IMAP session (sockets and SslStream: a MailKit client per session would cost the benchmark's
    /// process more than the server is asked to hold). Lines are read through a 1 KiB buffer; longer ones
    /// are cut, since only short status lines matter here.
    /// </summary>
    private sealed class IdleSession(int index, int account, IPAddress source) : IAsyncDisposable
    {
        private readonly byte[] _buffer = new byte[1024];
        private Socket? _socket;
        private Stream? _stream;
        private int _start;
        private int _end;
        private int _exists;
        private Task _listening = Task.CompletedTask;

        public int Account => account;

        private long _notifiedAt;
        private string? _closedWith;

        /// <summary>When (Stopwatch ticks) this session saw an EXISTS beyond what SELECT said; 0 until then.</summary>
        public long NotifiedAt => Volatile.Read(ref _notifiedAt);

        /// <summary>
        /// Null while the server keeps the session open; once it closed it before an EXISTS came, the last
        /// line it sent (or why reading failed).
        /// </summary>
        public string? ClosedWith => Volatile.Read(ref _closedWith);

        public async Task ConnectAsync(IPEndPoint server, bool tls, CancellationToken cancellationToken)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket.Bind(new IPEndPoint(source, 0));
            await _socket.ConnectAsync(server, cancellationToken);
            Stream stream = new NetworkStream(_socket, ownsSocket: false);
            if (tls)
            {
                var ssl = new SslStream(stream);
                _stream = ssl;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                }, cancellationToken);
            }
            else
            {
                _stream = stream;
            }

            var greeting = await ReadLineAsync(cancellationToken);
            if (greeting is null || !greeting.StartsWith("* OK", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"greeting: {greeting ?? "connection closed"}");
            }
        }

        public async Task LogInAsync(string login, string password, CancellationToken cancellationToken) =>
            await CommandAsync("a", $"LOGIN {login} \"{password}\"", cancellationToken);

        public async Task SelectAsync(CancellationToken cancellationToken)
        {
            foreach (var line in await CommandAsync("b", "SELECT INBOX", cancellationToken))
            {
                if (Exists(line) is { } exists)
                {
                    _exists = exists;
                }
            }
        }

        public async Task IdleAsync(CancellationToken cancellationToken)
        {
            await WriteAsync("c IDLE", cancellationToken);
            while (await ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith('+'))
                {
                    return;
                }

                if (line.StartsWith("c ", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"IDLE: {line}");
                }
            }

            throw new InvalidOperationException("IDLE: connection closed");
        }

        /// <summary>Reads what the server sends during IDLE until the session ends, noting the first EXISTS beyond SELECT's.</summary>
        public void StartListening(CancellationToken cancellationToken) => _listening = ListenAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            _socket?.Dispose();
            try
            {
                await _listening;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
            {
                // The session is being closed.
            }

            if (_stream is not null)
            {
                await _stream.DisposeAsync();
            }
        }

        private async Task ListenAsync(CancellationToken cancellationToken)
        {
            var last = "";
            try
            {
                while (await ReadLineAsync(cancellationToken) is { } line)
                {
                    last = line;
                    if (NotifiedAt == 0 && Exists(line) is { } exists && exists > _exists)
                    {
                        Volatile.Write(ref _notifiedAt, Stopwatch.GetTimestamp());
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException && !cancellationToken.IsCancellationRequested)
            {
                last = $"{last} ({e.GetType().Name}: {e.Message})";
            }

            if (NotifiedAt == 0 && !cancellationToken.IsCancellationRequested)
            {
                Volatile.Write(ref _closedWith, last.Length > 0 ? last : "closed without a word");
            }
        }

        private async Task<List<string>> CommandAsync(string tag, string command, CancellationToken cancellationToken)
        {
            await WriteAsync($"{tag} {command}", cancellationToken);
            var lines = new List<string>();
            while (await ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    return line.StartsWith(tag + " OK", StringComparison.Ordinal)
                        ? lines
                        : throw new InvalidOperationException($"session {index}: {command.Split(' ')[0]}: {line}");
                }

                lines.Add(line);
            }

            throw new InvalidOperationException($"session {index}: {command.Split(' ')[0]}: connection closed");
        }

        private Task WriteAsync(string line, CancellationToken cancellationToken) =>
            _stream!.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), cancellationToken).AsTask();

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    line.Append(Encoding.ASCII.GetString(_buffer, _start, newline - _start));
                    _start = newline + 1;
                    return line.ToString().TrimEnd('\r');
                }

                if (line.Length < _buffer.Length)
                {
                    line.Append(Encoding.ASCII.GetString(_buffer, _start, _end - _start));
                }

                (_start, _end) = (0, await _stream!.ReadAsync(_buffer, cancellationToken));
                if (_end == 0)
                {
                    return null;
                }
            }
        }

        private static int? Exists(string line)
        {
            var words = line.Split(' ');
            return words.Length == 3 && words[0] == "*" && words[2].Equals("EXISTS", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var exists) ? exists : null;
        }
    }
}
