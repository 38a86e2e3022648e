using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Dapper;
using Groupware.Testing;

namespace Groupware.Benchmarks;

/// <summary>
/// <c>idle-memory</c>: what a quiet connection costs the node, measured rather than guessed. A node
/// runs as its own process with a pop3s listener and a 20-connection database pool; N clients
/// connect over TLS from 20 source addresses (127.0.0.10 to .29), log in (USER/PASS, each its own
/// account, so each holds a maildrop lease) and stay silent. The node's resident set is read from
/// /proc before and after; the growth divided by N is the cost of one idle, logged-in TLS session.
/// Several runs, each on a fresh node; the median is reported. Usage: <c>idle-memory [N] [runs]</c>
/// (default 5000 and 3).
/// </summary>
internal sealed class IdleMemoryBenchmark : IBenchmark
{
    private const string Password = "idle benchmark password";
    private const int SourceAddresses = 20;
    private const int Parallel = 16;

    public string Name => "idle-memory";

    public string Description => "Node RSS per idle logged-in POP3S session (N over 20 source addresses, pool of 20)";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var sessions = arguments.Count > 0 ? int.Parse(arguments[0], CultureInfo.InvariantCulture) : 5000;
        var runs = arguments.Count > 1 ? int.Parse(arguments[1], CultureInfo.InvariantCulture) : 3;
        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            var perConnection = new List<double>();
            for (var run = 1; run <= runs; run++)
            {
                // Accounts of its own for each run: a node that was killed leaves its leases behind until they expire.
                var prefix = await CreateAccountsAsync(sessions, cancellationToken);
                var (before, after, held) = await MeasureAsync(prefix, sessions, cancellationToken);
                var kib = (after - before) / (double)held;
                perConnection.Add(kib);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run}: {held} idle POP3S sessions logged in, node RSS {before / 1024.0:N1} -> {after / 1024.0:N1} MiB: {kib:N1} KiB each"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"idle-memory: {sessions} idle logged-in POP3S sessions on a pool of 20, median of {runs}: {Measure.Median(perConnection):N1} KiB per connection"));
            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }

    /// <summary>Accounts <c>PREFIXn</c>, all with one Argon2id hash of <see cref="Password"/>: the node's cache then verifies each login after the first at no cost.</summary>
    private static async Task<string> CreateAccountsAsync(int count, CancellationToken cancellationToken)
    {
        var prefix = $"idle{Guid.NewGuid():N}"[..12] + "-";
        await using var dataSource = await TestDatabase.OpenAsync();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO accounts (login, login_key, password_hash)
            SELECT @prefix || n, @prefix || n, @hash FROM generate_series(1, @count) AS n
            """, new { prefix, hash = TestAccounts.Hash(Password), count }, cancellationToken: cancellationToken));
        return prefix;
    }

    private static async Task<(long Before, long After, int Held)> MeasureAsync(string prefix, int sessions, CancellationToken cancellationToken)
    {
        var pop3s = ServerProcess.FreePort();
        await using var node = await ServerProcess.StartAsync("idle1", adjust: config =>
        {
            config["Database"] = new Dictionary<string, object> { ["ConnectionString"] = TestDatabase.ConnectionString + ";Maximum Pool Size=20" };
            ((Dictionary<string, object>)config["Listeners"])["pop3s"] =
                new Dictionary<string, object> { ["Protocol"] = "pop3", ["Endpoint"] = $"127.0.0.1:{pop3s}", ["Tls"] = "implicit" };
            config["Limits"] = new Dictionary<string, object> { ["MaxConnectionsPerIp"] = sessions, ["MaxConnectionsPerListener"] = sessions + 100 };
        });
        var endPoint = new IPEndPoint(IPAddress.Loopback, pop3s);
        var clients = new List<IdleClient>();
        try
        {
            // Warm up, so that one-time costs (JIT, pools, the first Argon2 run) are not counted per connection.
            for (var i = 1; i <= 20; i++)
            {
                clients.Add(await IdleClient.LogInAsync(endPoint, i, $"{prefix}{sessions - i + 1}", cancellationToken));
            }

            await SettleAsync(cancellationToken);
            var before = Memory.ResidentKiB(node.Id);
            using var gate = new SemaphoreSlim(Parallel);
            var opened = await Task.WhenAll(Enumerable.Range(1, sessions - 20).Select(async i =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    return await IdleClient.LogInAsync(endPoint, i, $"{prefix}{i}", cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }));
            clients.AddRange(opened);
            await SettleAsync(cancellationToken);
            return (before, Memory.ResidentKiB(node.Id), opened.Length);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Lets the node finish what the logins started (audit writes, lease renewals) before its memory is read.</summary>
    private static Task SettleAsync(CancellationToken cancellationToken) => Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);

    /// <summary>One client that logged in over implicit TLS and now only holds its connection open.</summary>
    private sealed class IdleClient(Socket socket, SslStream tls) : IAsyncDisposable
    {
        public static async Task<IdleClient> LogInAsync(IPEndPoint server, int index, string login, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{10 + (index % SourceAddresses)}"), 0));
            await socket.ConnectAsync(server, timeout.Token);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, timeout.Token);
            await ExpectAsync(tls, null, "+OK", timeout.Token);
            await ExpectAsync(tls, $"USER {login}", "+OK", timeout.Token);
            await ExpectAsync(tls, $"PASS {Password}", "+OK Logged in.", timeout.Token);
            return new IdleClient(socket, tls);
        }

        public async ValueTask DisposeAsync()
        {
            await tls.DisposeAsync();
            socket.Dispose();
        }

        private static async Task ExpectAsync(SslStream tls, string? command, string expected, CancellationToken cancellationToken)
        {
            if (command is not null)
            {
                await tls.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);
            }

            var line = new StringBuilder();
            var one = new byte[1];
            while (await tls.ReadAsync(one, cancellationToken) == 1 && one[0] != '\n')
            {
                line.Append((char)one[0]);
            }

            var answer = line.ToString().TrimEnd('\r');
            if (!answer.StartsWith(expected, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{command ?? "greeting"}: {answer}");
            }
        }
    }
}
