using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Groupware.Rpc.V1;
using Groupware.Testing;

namespace Groupware.Benchmarks;

/// <summary>
/// <c>rpc-table</c>: the list view of a mail client on one INBOX of N messages (100,000 by default),
/// loaded with MULTIAPPEND, a quarter of them read. Rows, each timed from the client's call to its
/// answer over implicit TLS, with the server process's CPU time per request (PostgreSQL's not
/// included): <c>Items.Query</c> of 50 rows (subject, from, date, size, flags) of the unread mail,
/// newest first, with the total; the same 50 rows over our IMAP as <c>UID FETCH</c> of ENVELOPE,
/// FLAGS and RFC822.SIZE (the UIDs a synchronised client holds); and <c>Sync.Contents</c> after
/// another session set the read state of 100 messages, which reports those it changed (at most the 100).
/// Usage: <c>rpc-table [messages] [runs]</c> (default 100,000 and 50).
/// </summary>
internal sealed class RpcTableBenchmark : IBenchmark
{
    private const string Password = "rpc table benchmark password";
    private const int Batch = 100;
    private const int PageRows = 50;
    private const int Changes = 100;

    public string Name => "rpc-table";

    public string Description => "RPC list view on a 100,000-message INBOX: Items.Query 50 rows sorted by date with a restriction, IMAP FETCH of the same rows, Sync.Contents after 100 changes; args: [messages] [runs]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var count = arguments.Count > 0 ? int.Parse(arguments[0], CultureInfo.InvariantCulture) : 100_000;
        var runs = arguments.Count > 1 ? int.Parse(arguments[1], CultureInfo.InvariantCulture) : 50;
        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            var rpcPort = ServerProcess.FreePort();
            await using var node = await ServerProcess.StartAsync("rpcbench1", withImaps: true, adjust: config =>
            {
                config["Database"] = new Dictionary<string, object> { ["ConnectionString"] = TestDatabase.ConnectionString + ";Maximum Pool Size=20" };
                ((Dictionary<string, object>)config["Listeners"])["rpc"] =
                    new Dictionary<string, object> { ["Protocol"] = "rpc", ["Endpoint"] = $"127.0.0.1:{rpcPort}", ["Tls"] = "implicit" };
            });
            var login = await TestAccounts.CreateAsync(Password);
            var clock = Stopwatch.StartNew();
            await LoadAsync(node, login, count, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rpc-table: loaded {count:N0} messages in {clock.Elapsed.TotalSeconds:N0} s"));
            // What autovacuum does soon after a load this size; the figures are of a settled database, not of its first minute.
            await using (var dataSource = Npgsql.NpgsqlDataSource.Create(TestDatabase.ConnectionString))
            {
                await dataSource.CreateCommand("VACUUM ANALYZE messages").ExecuteNonQueryAsync(cancellationToken);
                await dataSource.CreateCommand("ANALYZE blobs").ExecuteNonQueryAsync(cancellationToken);
            }


            using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{rpcPort}", new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } },
            });
            var logon = await new Session.SessionClient(channel).LogonAsync(new LogonRequest { Login = login, Password = Password }, cancellationToken: cancellationToken);
            var session = new Metadata { { "authorization", "Bearer " + logon.SessionToken } };
            var folders = await new Folders.FoldersClient(channel).ListAsync(new ListFoldersRequest(), session, cancellationToken: cancellationToken);
            var inbox = folders.Folders.Single(f => f.Role == FolderRole.Inbox);
            var items = new Items.ItemsClient(channel);
            var sync = new Sync.SyncClient(channel);
            var server = Process.GetProcessById(node.Id);
            var query = new QueryRequest
            {
                FolderId = inbox.FolderId,
                Columns = { PropTag.Subject, PropTag.From, PropTag.SentDate, PropTag.Size, PropTag.MessageFlags },
                Restriction = new Restriction { Bitmask = new BitmaskRestriction { Mask = (uint)MessageFlag.Read, AllSet = false } },
                Sort = { new SortOrder { Tag = PropTag.ReceivedDate, Descending = true } },
                Limit = PageRows,
            };

            var page = await items.QueryAsync(query, session, cancellationToken: cancellationToken);
            if (page.Rows.Count != PageRows || page.TotalCount < count / 2)
            {
                throw new InvalidOperationException($"Items.Query answered {page.Rows.Count} rows of {page.TotalCount}");
            }

            var uids = string.Join(',', page.Rows.Select(r => r.ItemId.Split('.')[^1]));
            var (querySamples, queryCpu) = await TimedAsync(server, runs, async () =>
            {
                var answer = await items.QueryAsync(query, session, cancellationToken: cancellationToken);
                return answer.Rows.Count == PageRows ? 0 : throw new InvalidOperationException("short page");
            });
            var rows = new List<(string Row, List<double> Samples, double CpuMs)> { ("Items.Query 50 unread, newest first, + total", querySamples, queryCpu) };

            await using (var imap = await LineClient.ConnectAsync(node.Imaps!, implicitTls: true))
            {
                await imap.ReadLineAsync();
                await CommandAsync(imap, $"LOGIN {login} \"{Password}\"");
                await CommandAsync(imap, "SELECT INBOX");
                var (fetchSamples, fetchCpu) = await TimedAsync(server, runs, async () =>
                {
                    var answer = await CommandAsync(imap, $"UID FETCH {uids} (ENVELOPE FLAGS RFC822.SIZE)");
                    return answer.Count(l => l.StartsWith("* ", StringComparison.Ordinal)) == PageRows ? 0 : throw new InvalidOperationException("short FETCH");
                });
                rows.Add(("IMAP UID FETCH the 50 (ENVELOPE FLAGS RFC822.SIZE)", fetchSamples, fetchCpu));
            }

            var token = (await DrainAsync(sync, inbox.FolderId, "", session, cancellationToken)).Token;
            var random = new Random(11);
            var ids = new List<string>();
            var syncSamples = new List<double>();
            var syncCpu = TimeSpan.Zero;
            for (var run = 0; run <= runs; run++)
            {
                ids.Clear();
                var chosen = new HashSet<int>();
                while (chosen.Count < Changes)
                {
                    chosen.Add(random.Next(1, count + 1));
                }

                var all = await items.QueryAsync(new QueryRequest { FolderId = inbox.FolderId, Offset = 0, Limit = 1 }, session, cancellationToken: cancellationToken);
                var prefix = all.Rows[0].ItemId[..(all.Rows[0].ItemId.LastIndexOf('.') + 1)];
                ids.AddRange(chosen.Select(uid => prefix + uid.ToString(CultureInfo.InvariantCulture)));
                await items.SetReadAsync(new SetReadRequest { ItemIds = { ids }, Read = run % 2 == 0 }, session, cancellationToken: cancellationToken);
                server.Refresh();
                var cpu = server.TotalProcessorTime;
                var timer = Stopwatch.StartNew();
                var (next, changed) = await DrainAsync(sync, inbox.FolderId, token, session, cancellationToken);
                var elapsed = timer.Elapsed.TotalMilliseconds;
                server.Refresh();
                if (run > 0)
                {
                    syncSamples.Add(elapsed);
                    syncCpu += server.TotalProcessorTime - cpu;
                }

                token = next;
                if (changed > Changes)
                {
                    throw new InvalidOperationException($"Sync.Contents reported {changed} changes, not at most {Changes}");
                }
            }

            rows.Add(("Sync.Contents after 100 read-state changes", syncSamples, syncCpu.TotalMilliseconds / runs));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rpc-table, {count:N0} messages in one INBOX, over implicit TLS, ms per request (p50 / p99 of {runs} runs) and server CPU ms per request:"));
            foreach (var (row, samples, cpuMs) in rows)
            {
                var sorted = samples.Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {row,-58} {Measure.Percentile(sorted, 0.5),8:N2} / {Measure.Percentile(sorted, 0.99),-8:N2} cpu {cpuMs:N2}"));
            }

            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }

    /// <summary>Times <paramref name="runs"/> calls after one warm-up; the server's CPU time per call over them.</summary>
    private static async Task<(List<double> Samples, double CpuMs)> TimedAsync(Process server, int runs, Func<Task<int>> call)
    {
        await call();
        server.Refresh();
        var cpu = server.TotalProcessorTime;
        var samples = new List<double>(runs);
        for (var run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            await call();
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }

        server.Refresh();
        return (samples, (server.TotalProcessorTime - cpu).TotalMilliseconds / runs);
    }

    /// <summary>Follows a contents sync to its end; returns the new token and how many changes it reported.</summary>
    private static async Task<(string Token, int Changes)> DrainAsync(Sync.SyncClient sync, string folderId, string token, Metadata session,
        CancellationToken cancellationToken)
    {
        var changes = 0;
        while (true)
        {
            var reply = await sync.ContentsAsync(new SyncContentsRequest { FolderId = folderId, SyncToken = token, Limit = 1000 }, session,
                cancellationToken: cancellationToken);
            changes += reply.Changes.Count;
            token = reply.SyncToken;
            if (!reply.More)
            {
                return (token, changes);
            }
        }
    }

    /// <summary>APPENDs the mailbox in MULTIAPPEND batches (RFC 3502): Date fields in arrival order, every fourth message read.</summary>
    private static async Task LoadAsync(ServerProcess node, string login, int count, CancellationToken cancellationToken)
    {
        await using var client = await LineClient.ConnectAsync(node.Imaps!, implicitTls: true);
        client.Timeout = TimeSpan.FromMinutes(5);
        await client.ReadLineAsync();
        await CommandAsync(client, $"LOGIN {login} \"{Password}\"");
        var start = new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var first = 0; first < count; first += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var command = new MemoryStream();
            command.Write("t APPEND INBOX"u8);
            for (var i = first; i < Math.Min(count, first + Batch); i++)
            {
                var date = start.AddMinutes(i * 15L);
                var octets = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"From: Sender {i % 500} <sender{i % 500}@example.org>\r\nTo: <{login}@example.test>\r\nSubject: message {i} about topic {i % 97}\r\n" +
                    $"Date: {date.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)}\r\nMessage-ID: <m{i}@example.org>\r\n\r\n" +
                    $"{new string('x', 200 + (i % 1800))}\r\n"));
                command.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $" ({(i % 4 == 0 ? "\\Seen" : "")}) \"{date.ToString("dd-MMM-yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)}\" {{{octets.Length}+}}\r\n")));
                command.Write(octets);
            }

            command.Write("\r\n"u8);
            await client.SendAsync(command.ToArray());
            var answer = await client.ReadUntilAsync(l => l.StartsWith("t ", StringComparison.Ordinal));
            if (!answer[^1].StartsWith("t OK", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"APPEND refused: {answer[^1]}");
            }
        }
    }

    private static async Task<List<string>> CommandAsync(LineClient client, string command)
    {
        await client.SendLineAsync("t " + command);
        var answer = await client.ReadUntilAsync(l => l.StartsWith("t ", StringComparison.Ordinal));
        return answer[^1].StartsWith("t OK", StringComparison.Ordinal) ? answer : throw new InvalidOperationException($"{command} -> {answer[^1]}");
    }
}
