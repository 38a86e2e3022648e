using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Groupware.Testing;

namespace Groupware.Benchmarks;

/// <summary>
/// <c>imap-large</c>: one INBOX of N messages (100,000 by default) on our node and on Debian's Dovecot
/// (Maildir, no full-text plugin: Debian's Dovecot 2.3 ships none enabled), the same generated mail
/// in each, loaded with MULTIAPPEND over IMAP. The mail is realistic in shape: sizes from 400 octets to
/// 40 KB around a median of about 2 KB, a third of the messages starting a thread and the rest replying
/// to an earlier one (Re: subjects, In-Reply-To and References), Date fields three years apart that
/// are not in arrival order, 500 senders, and one word that only every 1,000th message holds.
/// <para>
/// Rows, each command timed from its first octet to its tagged completion over implicit TLS, the
/// servers taking turns: <c>UID FETCH 1:* (UID FLAGS)</c>; <c>UID SEARCH TEXT</c> of the rare word;
/// <c>UID SORT (DATE)</c> and <c>UID THREAD REFERENCES</c> of the whole mailbox; and a phone's quick
/// resynchronisation (RFC 7162 §3.2.5): after another session changed the flags of 100 messages and
/// expunged 100 others, <c>SELECT INBOX (QRESYNC (uidvalidity modseq))</c> with what it knew before.
/// Usage: <c>imap-large [messages] [runs]</c> (default 100,000 and 20; loading takes a few minutes per server).
/// </para>
/// </summary>
internal sealed partial class ImapLargeMailboxBenchmark : IBenchmark
{
    private const string Password = "large mailbox benchmark password";
    private const string RareWord = "zanzibarite";
    private const int Batch = 100;
    private const int Changes = 100;

    public string Name => "imap-large";

    public string Description =>
        "IMAP on a 100,000-message INBOX beside Dovecot: FETCH 1:* FLAGS, SEARCH TEXT (0.1%), SORT DATE, THREAD REFERENCES, QRESYNC after 100+100 changes; args: [messages] [runs]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var count = arguments.Count > 0 ? int.Parse(arguments[0], CultureInfo.InvariantCulture) : 100_000;
        var runs = arguments.Count > 1 ? int.Parse(arguments[1], CultureInfo.InvariantCulture) : 20;
        var mail = new GeneratedMailbox(count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imap-large: {count:N0} messages, {mail.TotalOctets / 1048576.0:N0} MiB, median {mail.MedianOctets:N0} octets, {mail.ThreadStarts:N0} thread starts, \"{RareWord}\" in {mail.RareCount:N0}"));
        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            using var certificates = new TestCertificates();
            await using var node = await ServerProcess.StartAsync("large1", withImaps: true, adjust: config =>
                config["Database"] = new Dictionary<string, object> { ["ConnectionString"] = TestDatabase.ConnectionString + ";Maximum Pool Size=20" });
            var login = await TestAccounts.CreateAsync(Password);
            await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions
            {
                Certificates = certificates,
                Users = new Dictionary<string, string> { ["large"] = Password },
            });

            var targets = new[] { new Target("groupware", node.Imaps!, login), new Target("dovecot", dovecot.Imaps!, "large") };
            foreach (var target in targets)
            {
                var clock = Stopwatch.StartNew();
                await LoadAsync(target, mail, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  loaded {target.Name} in {clock.Elapsed.TotalSeconds:N0} s"));
            }

            var rows = new List<(string Row, Dictionary<string, List<double>> Samples)>
            {
                ("UID FETCH 1:* (UID FLAGS)", await RowAsync(targets, runs, (t, c) => TimedAsync(c, "UID FETCH 1:* (UID FLAGS)", l => l.StartsWith("* ", StringComparison.Ordinal), count - t.Expunged), cancellationToken)),
                ($"UID SEARCH TEXT {RareWord} (0.1%)", await RowAsync(targets, runs, (_, c) => TimedAsync(c, $"UID SEARCH TEXT {RareWord}", null, -1, mail.RareUids), cancellationToken)),
                ("UID SORT (DATE) UTF-8 ALL", await RowAsync(targets, Math.Max(3, runs / 2), (t, c) => TimedAsync(c, "UID SORT (DATE) UTF-8 ALL", null, -1, null, count - t.Expunged), cancellationToken)),
                ("UID THREAD REFERENCES UTF-8 ALL", await RowAsync(targets, Math.Max(3, runs / 2), (_, c) => TimedAsync(c, "UID THREAD REFERENCES UTF-8 ALL", null, -1), cancellationToken)),
            };
            rows.Add(("SELECT (QRESYNC) after 100 flag changes + 100 expunges", await ResyncRowAsync(targets, runs, cancellationToken)));

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imap-large, {count:N0} messages in one INBOX, over implicit TLS, ms per command (p50 / p99 of the runs); ratio = Dovecot's p50 / ours:"));
            Console.WriteLine($"  {"row",-58} {"groupware",-20} {"dovecot",-20} ratio");
            foreach (var (row, samples) in rows)
            {
                var ours = samples["groupware"].Order().ToList();
                var theirs = samples["dovecot"].Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {row,-58} {Measure.Percentile(ours, 0.5),8:N2} / {Measure.Percentile(ours, 0.99),-8:N2} {Measure.Percentile(theirs, 0.5),8:N2} / {Measure.Percentile(theirs, 0.99),-8:N2} {Measure.Percentile(theirs, 0.5) / Measure.Percentile(ours, 0.5):N1}x ({ours.Count} runs)"));
            }

            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }

    /// <summary>A server under test and what the resync row has done to its mailbox.</summary>
    private sealed class Target(string name, IPEndPoint endPoint, string login)
    {
        public string Name => name;

        public IPEndPoint EndPoint => endPoint;

        public string Login => login;

        /// <summary>UIDs the resync row has not expunged yet, ascending.</summary>
        public List<long> Live { get; } = [];

        public int Expunged { get; set; }

        /// <summary>UIDs the resync row has set \Flagged on.</summary>
        public HashSet<long> Flagged { get; } = [];

        public async Task<LineClient> ConnectAsync()
        {
            var client = await LineClient.ConnectAsync(endPoint, implicitTls: true);
            client.Timeout = TimeSpan.FromMinutes(5);
            await client.ReadLineAsync();
            await CommandAsync(client, $"LOGIN {login} \"{Password}\"");
            return client;
        }
    }

    /// <summary>APPENDs the mailbox in MULTIAPPEND batches (RFC 3502), each message with its Date as internal date.</summary>
    private static async Task LoadAsync(Target target, GeneratedMailbox mail, CancellationToken cancellationToken)
    {
        await using var client = await target.ConnectAsync();
        for (var first = 0; first < mail.Count; first += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var command = new MemoryStream();
            command.Write(Encoding.ASCII.GetBytes("a APPEND INBOX"));
            for (var i = first; i < Math.Min(mail.Count, first + Batch); i++)
            {
                var octets = mail.Message(i);
                command.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $" () \"{mail.Date(i).ToString("dd-MMM-yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)}\" {{{octets.Length}+}}\r\n")));
                command.Write(octets);
            }

            command.Write("\r\n"u8);
            await client.SendAsync(command.ToArray());
            var answer = await client.ReadUntilAsync(l => l.StartsWith("a ", StringComparison.Ordinal));
            if (!answer[^1].StartsWith("a OK", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{target.Name} refused an APPEND: {answer[^1]}");
            }
        }

        await CommandAsync(client, "SELECT INBOX");
        var uids = await CommandAsync(client, "UID SEARCH ALL");
        target.Live.AddRange(uids[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(u => long.Parse(u, CultureInfo.InvariantCulture)));
        if (target.Live.Count != mail.Count)
        {
            throw new InvalidOperationException($"{target.Name} holds {target.Live.Count} messages, not {mail.Count}");
        }
    }

    /// <summary>Runs one command-timing on each server in turn, <paramref name="runs"/> times after one warm-up each, on one selected session per server.</summary>
    private static async Task<Dictionary<string, List<double>>> RowAsync(Target[] targets, int runs, Func<Target, LineClient, Task<double>> timed,
        CancellationToken cancellationToken)
    {
        var sessions = new List<LineClient>();
        try
        {
            foreach (var target in targets)
            {
                var client = await target.ConnectAsync();
                sessions.Add(client);
                await CommandAsync(client, "SELECT INBOX");
                await timed(target, client);
            }

            var samples = targets.ToDictionary(t => t.Name, _ => new List<double>());
            for (var run = 0; run < runs; run++)
            {
                for (var i = 0; i < targets.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    samples[targets[i].Name].Add(await timed(targets[i], sessions[i]));
                }
            }

            return samples;
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The phone's resync: each run, a desktop session flips \Flagged on 100 random messages and expunges
    /// 100 others; then the phone, which knew the mailbox's UIDVALIDITY and HIGHESTMODSEQ from before,
    /// selects it with QRESYNC and must hear the 100 changes as FETCH and the 100 as VANISHED (EARLIER).
    /// </summary>
    private static async Task<Dictionary<string, List<double>>> ResyncRowAsync(Target[] targets, int runs, CancellationToken cancellationToken)
    {
        var samples = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var random = new Random(7);
        var phones = new List<(Target Target, LineClient Phone, LineClient Desktop, long UidValidity, long ModSeq)>();
        try
        {
            foreach (var target in targets)
            {
                var phone = await target.ConnectAsync();
                var desktop = await target.ConnectAsync();
                await CommandAsync(phone, "ENABLE QRESYNC");
                var selected = await CommandAsync(phone, "SELECT INBOX");
                await CommandAsync(phone, "UNSELECT");
                await CommandAsync(desktop, "SELECT INBOX");
                phones.Add((target, phone, desktop, Code(selected, "UIDVALIDITY"), Code(selected, "HIGHESTMODSEQ")));
            }

            for (var run = 0; run <= runs; run++)
            {
                for (var i = 0; i < phones.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var (target, phone, desktop, uidValidity, modSeq) = phones[i];
                    var picked = target.Live.OrderBy(_ => random.Next()).Take(2 * Changes).ToList();
                    var flagged = picked.Take(Changes).Order().ToList();
                    var gone = picked.Skip(Changes).Order().ToList();
                    // Each of the 100 changes: \Flagged set where it was not, taken off where it was.
                    foreach (var (on, uids) in new[] { (true, flagged.Where(u => !target.Flagged.Contains(u)).ToList()), (false, flagged.Where(target.Flagged.Contains).ToList()) })
                    {
                        if (uids.Count > 0)
                        {
                            await CommandAsync(desktop, $"UID STORE {string.Join(',', uids)} {(on ? '+' : '-')}FLAGS.SILENT (\\Flagged)");
                        }
                    }

                    target.Flagged.SymmetricExceptWith(flagged);
                    await CommandAsync(desktop, $"UID STORE {string.Join(',', gone)} +FLAGS.SILENT (\\Deleted)");
                    await CommandAsync(desktop, $"UID EXPUNGE {string.Join(',', gone)}");
                    target.Live.RemoveAll(u => gone.BinarySearch(u) >= 0);
                    target.Flagged.ExceptWith(gone);
                    target.Expunged += gone.Count;

                    var clock = Stopwatch.StartNew();
                    var answer = await CommandAsync(phone, string.Create(CultureInfo.InvariantCulture, $"SELECT INBOX (QRESYNC ({uidValidity} {modSeq}))"));
                    var elapsed = clock.Elapsed.TotalMilliseconds;
                    var fetches = answer.Count(l => l.Contains(" FETCH (", StringComparison.Ordinal));
                    var vanished = answer.Where(l => l.StartsWith("* VANISHED (EARLIER) ", StringComparison.Ordinal))
                        .Sum(l => SequenceCount(l["* VANISHED (EARLIER) ".Length..]));
                    if (fetches < Changes || vanished < Changes)
                    {
                        throw new InvalidOperationException($"{target.Name}'s resync told {fetches} changes and {vanished} expunges, not {Changes} and {Changes}");
                    }

                    if (run > 0)
                    {
                        samples[target.Name].Add(elapsed);
                    }

                    await CommandAsync(phone, "UNSELECT");
                    phones[i] = (target, phone, desktop, uidValidity, Code(answer, "HIGHESTMODSEQ"));
                }
            }

            return samples;
        }
        finally
        {
            foreach (var (_, phone, desktop, _, _) in phones)
            {
                await phone.DisposeAsync();
                await desktop.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Times one command; checks that <paramref name="expectedLines"/> untagged lines matched <paramref name="counted"/>,
    /// or that the SEARCH answer holds exactly <paramref name="expectedUids"/> (UIDs of the loaded order), or <paramref name="expectedCount"/> numbers.
    /// </summary>
    private static async Task<double> TimedAsync(LineClient client, string command, Func<string, bool>? counted, int expectedLines,
        IReadOnlyList<int>? expectedUids = null, int expectedCount = -1)
    {
        var clock = Stopwatch.StartNew();
        var answer = await CommandAsync(client, command);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (counted is not null && answer.Count(counted) != expectedLines)
        {
            throw new InvalidOperationException($"{command}: {answer.Count(counted)} lines, not {expectedLines}");
        }

        if (expectedUids is not null && answer[0].Split(' ').Length - 2 != expectedUids.Count)
        {
            throw new InvalidOperationException($"{command}: {answer[0]}, not {expectedUids.Count} UIDs");
        }

        if (expectedCount >= 0 && answer[0].Split(' ').Length - 2 != expectedCount)
        {
            throw new InvalidOperationException($"{command}: {answer[0].Split(' ').Length - 2} UIDs, not {expectedCount}");
        }

        return elapsed;
    }

    private static async Task<List<string>> CommandAsync(LineClient client, string command)
    {
        await client.SendLineAsync("t " + command);
        var answer = await client.ReadUntilAsync(l => l.StartsWith("t ", StringComparison.Ordinal));
        if (!answer[^1].StartsWith("t OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{command} -> {answer[^1]}");
        }

        return answer;
    }

    private static long Code(IEnumerable<string> answer, string code) =>
        long.Parse(answer.Select(l => ResponseCode().Match(l)).First(m => m.Success && m.Groups[1].Value == code).Groups[2].Value, CultureInfo.InvariantCulture);

    private static int SequenceCount(string set) =>
        set.Split(',').Sum(part => part.Split(':') is [var low, var high]
            ? (int)(Math.Abs(long.Parse(high, CultureInfo.InvariantCulture) - long.Parse(low, CultureInfo.InvariantCulture)) + 1)
            : 1);

    [GeneratedRegex(@"\[([A-Z]+) (\d+)\]")]
    private static partial Regex ResponseCode();

    /// <summary>The generated mailbox: message <c>i</c> is the same octets on every call and for both servers.</summary>
    private sealed class GeneratedMailbox
    {
        private static readonly DateTime Start = new(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        private readonly int[] _parent;
        private readonly int[] _size;
        private readonly int[] _minutes;
        private readonly string[] _words;

        public GeneratedMailbox(int count)
        {
            Count = count;
            var random = new Random(2026);
            _words = [.. Enumerable.Range(0, 3000).Select(_ => Word(random))];
            _parent = new int[count];
            _size = new int[count];
            _minutes = new int[count];
            for (var i = 0; i < count; i++)
            {
                // A third start threads; the rest answer a message of the last 2,000.
                _parent[i] = i == 0 || random.Next(3) == 0 ? -1 : Math.Max(0, i - 1 - random.Next(Math.Min(i, 2000)));
                // Log-normal around 2 KB, cut to 400 octets .. 40 KB.
                _size[i] = (int)Math.Clamp(Math.Exp(7.6 + (0.9 * Gaussian(random))), 400, 40_000);
                // Three years in arrival order, each Date up to two days off it.
                _minutes[i] = (int)((long)i * 3 * 525_600 / count) + random.Next(-2880, 2880);
            }

            ThreadStarts = _parent.Count(p => p < 0);
            RareUids = [.. Enumerable.Range(0, count).Where(IsRare).Select(i => i + 1)];
            TotalOctets = Enumerable.Range(0, count).Sum(i => (long)_size[i]);
            MedianOctets = _size.Order().ElementAt(count / 2);
        }

        public int Count { get; }

        public int ThreadStarts { get; }

        public IReadOnlyList<int> RareUids { get; }

        public int RareCount => RareUids.Count;

        public long TotalOctets { get; }

        public int MedianOctets { get; }

        public DateTime Date(int i) => Start.AddMinutes(Math.Max(0, _minutes[i]));

        public byte[] Message(int i)
        {
            var random = new Random(i);
            var root = i;
            var chain = new List<int>();
            for (var p = _parent[i]; p >= 0 && chain.Count < 10; p = _parent[p])
            {
                chain.Insert(0, p);
                root = p;
            }

            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"From: Person {i % 500} <person{i % 500}@example.org>\r\nTo: large@example.test\r\n");
            text.Append(CultureInfo.InvariantCulture, $"Subject: {(chain.Count > 0 ? "Re: " : "")}{_words[root % _words.Length]} {_words[(root * 7) % _words.Length]} plans {root}\r\n");
            text.Append("Date: ").Append(Date(i).ToString("ddd, d MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n");
            text.Append(CultureInfo.InvariantCulture, $"Message-ID: <{i}.large@example.org>\r\n");
            if (chain.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"In-Reply-To: <{chain[^1]}.large@example.org>\r\n");
                text.Append("References: ").AppendJoin(' ', chain.Select(c => $"<{c}.large@example.org>")).Append("\r\n");
            }

            text.Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
            var line = 0;
            while (text.Length < _size[i])
            {
                if (line++ == 0 && IsRare(i))
                {
                    text.Append("the ").Append(RareWord).Append(" sample is here\r\n");
                }

                for (var words = 0; words < 10; words++)
                {
                    text.Append(_words[random.Next(_words.Length)]).Append(' ');
                }

                text.Append("\r\n");
            }

            return Encoding.ASCII.GetBytes(text.ToString());
        }

        private static bool IsRare(int i) => i % 1000 == 500;

        // Up to eight letters: never the rare word, which has eleven.
        private static string Word(Random random)
        {
            const string consonants = "bcdfghklmnprstvw";
            const string vowels = "aeiou";
            var word = new StringBuilder();
            for (var i = random.Next(2, 5); i > 0; i--)
            {
                word.Append(consonants[random.Next(consonants.Length)]).Append(vowels[random.Next(vowels.Length)]);
            }

            return word.ToString();
        }

        private static double Gaussian(Random random) =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
