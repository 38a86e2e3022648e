using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Dapper;
using Groupware.Testing;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Groupware.Benchmarks;

/// <summary>
/// <c>imap</c>: a mixed IMAP load of N concurrent MailKit clients over implicit TLS, for a node run as its
/// own process (a database pool of 20) and for Debian's Dovecot (Maildir, login processes in its
/// high-performance mode and imap processes reused, as its performance-tuning guide says), measured
/// alternately in the same run. Both get the same mail over their own LMTP: 500 messages of 2-6 KB per
/// account. Each client loops: connect, AUTHENTICATE PLAIN (and what MailKit asks after it: NAMESPACE,
/// LIST), SELECT INBOX, FETCH (UID FLAGS ENVELOPE) of 50 messages at a random place, UID FETCH
/// BODY.PEEK[] of one of them, UID STORE toggling \Seen \Flagged on it, APPEND of a 3 KB message, UID STORE
/// +FLAGS \Deleted and UID EXPUNGE of that message, LOGOUT.
/// <para>
/// An operation is one IMAP command round trip, timed from its first octet written to its tagged
/// completion read, as MailKit's protocol logger sees them; connecting and the TLS handshake are not
/// operations, but their time is spent inside the window. Every client has an account of its own: a
/// hosting provider's load is many users, each on a mailbox of their own, and 50 sessions appending to
/// and expunging from one mailbox would measure its lock (ours, the mailbox row taken FOR UPDATE;
/// Dovecot's, the index lock) rather than the server. A run counts the completions of a fixed window
/// after a warm-up; each figure is the median of the runs; an error is a tagged NO or BAD or a client
/// exception (connection, protocol, timeout), over the whole run. Usage: <c>imap [runs] [seconds]</c>
/// (default 3 runs of 10 s after 5 s of warm-up, at N = 10 and 50: with the mail delivered, about five minutes).
/// </para>
/// </summary>
internal sealed class ImapBenchmark : IBenchmark
{
    private const int Messages = 500;
    private const int FetchRange = 50;
    private const string Password = "imap benchmark password";
    private static readonly int[] ClientCounts = [10, 50];
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    public string Name => "imap";

    public string Description =>
        "IMAP mixed load at 10 and 50 MailKit clients over TLS beside Dovecot: ops/s (op = one command round trip), p50/p99, errors; args: [runs] [seconds]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var runs = arguments.Count > 0 ? int.Parse(arguments[0], CultureInfo.InvariantCulture) : 3;
        var window = TimeSpan.FromSeconds(arguments.Count > 1 ? int.Parse(arguments[1], CultureInfo.InvariantCulture) : 10);
        var accounts = ClientCounts.Max();
        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            using var certificates = new TestCertificates();
            await using var node = await ServerProcess.StartAsync("bench1", withImaps: true, adjust: config =>
                config["Database"] = new Dictionary<string, object> { ["ConnectionString"] = TestDatabase.ConnectionString + ";Maximum Pool Size=20" });
            var logins = new List<string>();
            for (var i = 0; i < accounts; i++)
            {
                logins.Add(await TestAccounts.CreateAsync(Password));
            }

            await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions
            {
                Certificates = certificates,
                Users = Enumerable.Range(0, accounts).ToDictionary(i => $"bench{i}", _ => Password),
                ExtraSettings = DovecotTuning,
            });

            var clock = Stopwatch.StartNew();
            await BenchmarkMail.DeliverAsync(node.Lmtp, i => $"{logins[i]}@example.test", accounts, Messages, cancellationToken);
            var ourDelivery = clock.Elapsed;
            clock.Restart();
            await BenchmarkMail.DeliverAsync(dovecot.Lmtp, i => $"bench{i}", accounts, Messages, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"delivered {accounts} x {Messages} messages of 2-6 KB to each server over its LMTP (groupware {ourDelivery.TotalSeconds:N0} s, dovecot {clock.Elapsed.TotalSeconds:N0} s)"));

            // CPU: our node and the PostgreSQL backends serving its pool; Dovecot's master, its children, and those it reaped.
            await using var dataSource = await TestDatabase.OpenAsync();
            var ours = new Target("groupware", node.Imaps!, i => logins[i], async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                var backends = await connection.QueryAsync<int>(new CommandDefinition(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", cancellationToken: cancellationToken));
                return (Cpu.Seconds([node.Id]), Cpu.Seconds(backends));
            });
            var theirs = new Target("dovecot", dovecot.Imaps!, i => $"bench{i}", () =>
                Task.FromResult((Cpu.Seconds([dovecot.Id], reaped: true) + Cpu.Seconds(dovecot.ProcessIds().Where(p => p != dovecot.Id)), 0.0)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"IMAP mixed load over implicit TLS; median of {runs} runs of {window.TotalSeconds:N0} s after {WarmUp.TotalSeconds:N0} s of warm-up; op = one command round trip"));
            foreach (var clients in ClientCounts)
            {
                var results = new Dictionary<Target, List<LoadResult>> { [ours] = [], [theirs] = [] };
                for (var run = 0; run < runs; run++)
                {
                    foreach (var target in new[] { ours, theirs })
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        results[target].Add(await LoadAsync(target, clients, window, cancellationToken));
                    }
                }

                Report(clients, ours, results[ours], theirs, results[theirs]);
            }

            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }

    /// <summary>
    /// Dovecot as its performance-tuning guide has it for a busy server: login processes that serve many
    /// connections (high-performance mode, one per core waiting), imap processes reused for 100 sessions
    /// instead of one fork each, and the auth cache on.
    /// </summary>
    private const string DovecotTuning = """
        auth_cache_size = 10M
        service imap-login {
          service_count = 0
          process_min_avail = 2
        }
        service imap {
          service_count = 100
        }
        """;

    /// <summary>A server under test; <c>Cpu</c> reads the CPU seconds it used so far, and those of its database (0 for Dovecot).</summary>
    private sealed record Target(string Name, IPEndPoint EndPoint, Func<int, string> Login, Func<Task<(double Server, double Database)>> Cpu);

    /// <summary>
    /// What one measurement saw: completions in the window and their latencies, every error of the run, and the
    /// milliseconds of CPU per operation in the window (the server's, its database's, and the clients' in this process).
    /// </summary>
    private sealed record LoadResult(double OperationsPerSecond, double SessionsPerSecond, double P50, double P99, int Errors,
        IReadOnlyList<string> ErrorTexts, IReadOnlyList<(string Command, double Milliseconds)> Samples, (double Server, double Database, double Client) CpuPerOperation);

    /// <summary>Runs <paramref name="clients"/> clients for the warm-up and the window, then lets each finish its session.</summary>
    private static async Task<LoadResult> LoadAsync(Target target, int clients, TimeSpan window, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp() + (long)(WarmUp.TotalSeconds * Stopwatch.Frequency);
        var end = start + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var logs = Enumerable.Range(0, clients).Select(_ => new CommandLog(start, end)).ToList();
        var failures = new List<string>[clients];
        var cpu = WindowCpuAsync(target, start, end, cancellationToken);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            failures[i] = await ClientAsync(target, i, logs[i], end, cancellationToken);
        }));
        var (server, database, client) = await cpu;

        var samples = logs.SelectMany(l => l.Samples).ToList();
        var latencies = samples.Select(s => s.Milliseconds).Order().ToList();
        var errors = logs.SelectMany(l => l.Refusals).Concat(failures.SelectMany(f => f)).ToList();
        return new LoadResult(samples.Count / window.TotalSeconds, samples.Count(s => s.Command == "LOGOUT") / window.TotalSeconds,
            Measure.Percentile(latencies, 0.50), Measure.Percentile(latencies, 0.99), errors.Count, errors.Distinct().Take(5).ToList(), samples,
            (server * 1000 / samples.Count, database * 1000 / samples.Count, client * 1000 / samples.Count));
    }

    /// <summary>CPU seconds the server, its database and this process (the clients) used between <paramref name="start"/> and <paramref name="end"/>.</summary>
    private static async Task<(double Server, double Database, double Client)> WindowCpuAsync(Target target, long start, long end,
        CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds((start - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency), cancellationToken);
        var (server, database) = await target.Cpu();
        var client = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, (end - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency)), cancellationToken);
        var (serverAfter, databaseAfter) = await target.Cpu();
        return (serverAfter - server, databaseAfter - database, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - client);
    }

    /// <summary>One client: sessions one after another until the window ends; returns the exceptions that ended sessions early.</summary>
    private static async Task<List<string>> ClientAsync(Target target, int index, CommandLog log, long end, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var random = new Random(index);
        var appended = 0;
        while (Stopwatch.GetTimestamp() < end && failures.Count < 100)
        {
            try
            {
                await SessionAsync(target, index, log, random, appended++, cancellationToken);
            }
            catch (ImapCommandException)
            {
                // A tagged NO or BAD: the command log has counted it with the server's own words.
                await Task.Delay(100, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{target.Name}: {e.GetType().Name}: {e.Message}");
                await Task.Delay(100, cancellationToken);
            }
        }

        return failures;
    }

    private static async Task SessionAsync(Target target, int index, CommandLog log, Random random, int sequence, CancellationToken cancellationToken)
    {
        using var client = new ImapClient(log) { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 30_000 };
        await client.ConnectAsync(target.EndPoint.Address.ToString(), target.EndPoint.Port, SecureSocketOptions.SslOnConnect, cancellationToken);
        await client.AuthenticateAsync(target.Login(index), Password, cancellationToken);
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite, cancellationToken);

        var first = random.Next(0, Math.Max(1, inbox.Count - FetchRange));
        var summaries = await inbox.FetchAsync(first, Math.Min(inbox.Count, first + FetchRange) - 1,
            MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Envelope, cancellationToken);
        var pick = summaries[random.Next(summaries.Count)];
        using (var body = await inbox.GetStreamAsync(pick.UniqueId, "", cancellationToken))
        {
        }

        var flagged = pick.Flags is { } flags && flags.HasFlag(MessageFlags.Flagged);
        await inbox.StoreAsync([pick.UniqueId],
            new StoreFlagsRequest(flagged ? StoreAction.Remove : StoreAction.Add, MessageFlags.Seen | MessageFlags.Flagged) { Silent = true }, cancellationToken);

        var uid = await inbox.AppendAsync(Draft(index, sequence), MessageFlags.Seen, cancellationToken)
            ?? throw new InvalidOperationException("APPEND answered without APPENDUID (RFC 4315)");
        await inbox.StoreAsync([uid], new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted) { Silent = true }, cancellationToken);
        await inbox.ExpungeAsync([uid], cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    /// <summary>A 3 KB message to append, its own Message-ID each time.</summary>
    private static MimeMessage Draft(int index, int sequence)
    {
        var message = new MimeMessage { Subject = $"draft {sequence} of client {index}", MessageId = $"{sequence}.{index}@client.example" };
        message.From.Add(new MailboxAddress("Client", $"client{index}@example.test"));
        message.To.Add(new MailboxAddress("Someone", "someone@example.org"));
        message.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat("A line of the draft that the client saves. ", 70)) };
        return message;
    }

    private static void Report(int clients, Target ours, List<LoadResult> mine, Target theirs, List<LoadResult> peer)
    {
        static string Runs(IEnumerable<LoadResult> results, Func<LoadResult, double> figure) =>
            string.Join(", ", results.Select(r => Measure.Format(figure(r))));

        var (rate, p50, p99) = (Measure.Median([.. mine.Select(r => r.OperationsPerSecond)]), Measure.Median([.. mine.Select(r => r.P50)]),
            Measure.Median([.. mine.Select(r => r.P99)]));
        var (peerRate, peerP50, peerP99) = (Measure.Median([.. peer.Select(r => r.OperationsPerSecond)]), Measure.Median([.. peer.Select(r => r.P50)]),
            Measure.Median([.. peer.Select(r => r.P99)]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imap N={clients}: {ours.Name} {Measure.Format(rate)} ops/s p50 {p50:N2} ms p99 {p99:N1} ms, {theirs.Name} {Measure.Format(peerRate)} ops/s p50 {peerP50:N2} ms p99 {peerP99:N1} ms, ratio {rate / peerRate:N2}, errors {mine.Sum(r => r.Errors)}/{peer.Sum(r => r.Errors)}"));
        Console.WriteLine($"  runs ops/s: {ours.Name} [{Runs(mine, r => r.OperationsPerSecond)}], {theirs.Name} [{Runs(peer, r => r.OperationsPerSecond)}]");
        Console.WriteLine($"  runs sessions/s (LOGOUTs; MailKit sends one LIST more per session where SPECIAL-USE is offered): " +
            $"{ours.Name} [{Runs(mine, r => r.SessionsPerSecond)}], {theirs.Name} [{Runs(peer, r => r.SessionsPerSecond)}]");
        Console.WriteLine($"  runs p99 ms: {ours.Name} [{Runs(mine, r => r.P99)}], {theirs.Name} [{Runs(peer, r => r.P99)}]");
        static string CpuOf(List<LoadResult> results) => string.Create(CultureInfo.InvariantCulture,
            $"server {Measure.Median([.. results.Select(r => r.CpuPerOperation.Server)]):N2} + database {Measure.Median([.. results.Select(r => r.CpuPerOperation.Database)]):N2} ms (clients {Measure.Median([.. results.Select(r => r.CpuPerOperation.Client)]):N2} ms)");
        Console.WriteLine($"  CPU per op, medians: {ours.Name} {CpuOf(mine)}; {theirs.Name} {CpuOf(peer)}");
        foreach (var (target, results) in new[] { (ours, mine), (theirs, peer) })
        {
            var byCommand = results.SelectMany(r => r.Samples).GroupBy(s => s.Command).OrderByDescending(g => g.Sum(s => s.Milliseconds));
            Console.WriteLine($"  {target.Name} by command (all runs; count, p50, p99, share of time): " + string.Join("; ", byCommand.Select(g =>
            {
                var sorted = g.Select(s => s.Milliseconds).Order().ToList();
                var share = g.Sum(s => s.Milliseconds) / results.SelectMany(r => r.Samples).Sum(s => s.Milliseconds);
                return string.Create(CultureInfo.InvariantCulture, $"{g.Key} {sorted.Count} {Measure.Percentile(sorted, 0.5):N2}/{Measure.Percentile(sorted, 0.99):N1} ms {share:P0}");
            })));
            foreach (var text in results.SelectMany(r => r.ErrorTexts).Distinct().Take(5))
            {
                Console.WriteLine($"  {target.Name} error: {text}");
            }
        }
    }

    /// <summary>
    /// Times each command from its first octet to its tagged completion (MailKit sends one command at a
    /// time), counting those that complete within the window, and keeps every tagged NO or BAD. The server's
    /// octets are read as IMAP's grammar frames them: a line that ends in a literal's <c>{n}</c> continues
    /// after n octets, and a line that begins neither with <c>*</c> nor <c>+</c> is a tagged completion.
    /// </summary>
    private sealed class CommandLog(long windowStart, long windowEnd) : IProtocolLogger
    {
        private readonly List<byte> _line = [];
        private bool _awaiting;
        private long _sentAt;
        private string _command = "";
        private long _literal;
        private bool _continued;

        public List<(string Command, double Milliseconds)> Samples { get; } = [];

        public List<string> Refusals { get; } = [];

        public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

        public void LogConnect(Uri uri)
        {
            _awaiting = false;
            _line.Clear();
            _literal = 0;
            _continued = false;
        }

        public void LogClient(byte[] buffer, int offset, int count)
        {
            if (_awaiting)
            {
                return; // the rest of the command: a literal, a SASL response
            }

            _awaiting = true;
            _sentAt = Stopwatch.GetTimestamp();
            var words = Encoding.ASCII.GetString(buffer, offset, Math.Min(count, 40)).Split([' ', '\r', '\n'], 4);
            _command = words.Length < 2 ? "?" : words[1].Equals("UID", StringComparison.OrdinalIgnoreCase) && words.Length > 2
                ? $"UID {words[2]}".ToUpperInvariant()
                : words[1].ToUpperInvariant();
        }

        public void LogServer(byte[] buffer, int offset, int count)
        {
            for (var i = offset; i < offset + count; i++)
            {
                if (_literal > 0)
                {
                    var skip = (int)Math.Min(_literal, offset + count - i);
                    _literal -= skip;
                    i += skip - 1;
                    continue;
                }

                if (buffer[i] != '\n')
                {
                    _line.Add(buffer[i]);
                    continue;
                }

                var continued = _continued;
                _continued = false;
                var line = Encoding.ASCII.GetString([.. _line]).TrimEnd('\r');
                _line.Clear();
                if (line.EndsWith('}') && line.LastIndexOf('{') is var open and >= 0 &&
                    long.TryParse(line.AsSpan(open + 1, line.Length - open - 2).TrimEnd('+'), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                {
                    _literal = size;
                    _continued = true;
                }
                else if (!continued && line.Length > 0 && line[0] != '*' && line[0] != '+')
                {
                    Completed(line);
                }
            }
        }

        public void Dispose()
        {
        }

        private void Completed(string line)
        {
            var now = Stopwatch.GetTimestamp();
            var status = line.Split(' ', 3) is { Length: > 1 } words ? words[1] : "";
            if (!status.Equals("OK", StringComparison.OrdinalIgnoreCase))
            {
                Refusals.Add($"{_command}: {line}");
            }

            if (_awaiting && now >= windowStart && now <= windowEnd)
            {
                Samples.Add((_command, (now - _sentAt) * 1000.0 / Stopwatch.Frequency));
            }

            _awaiting = false;
        }
    }
}
