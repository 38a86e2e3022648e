using System.Globalization;
using System.Net;
using Groupware.Storage.Accounts;
using Groupware.Testing;

namespace Groupware.Benchmarks;

/// <summary>
/// LMTP deliveries per second of a 5 KB message, over 1 and 8 connections to one mailbox (and,
/// to tell lock contention from CPU, 8 connections to 8 mailboxes), for a node run as its own
/// process and for Debian's Dovecot (dovecot-lmtpd, Maildir) started in the same run on the same machine. Each delivery is MAIL, RCPT and DATA pipelined, then the body, and counts
/// when its 250 arrives (for this node: after the PostgreSQL commit). Figures are medians of
/// several runs after a warm-up; the two servers are measured alternately, run by run.
/// </summary>
internal sealed class LmtpBenchmark : IBenchmark
{
    private const int MessageSize = 5 * 1024;

    public string Name => "lmtp";

    public string Description => "LMTP deliveries/s (5 KB messages, 1 and 8 connections) beside Dovecot's dovecot-lmtpd; args: [runs] [deliveries per run]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var runs = arguments.Count > 0 ? int.Parse(arguments[0], CultureInfo.InvariantCulture) : 5;
        var deliveries = arguments.Count > 1 ? int.Parse(arguments[1], CultureInfo.InvariantCulture) : 800;
        var message = LmtpSender.Message(MessageSize);

        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            await using (var dataSource = await TestDatabase.OpenAsync())
            {
                for (var i = 0; i < 8; i++)
                {
                    await new AccountStore(dataSource).CreateAsync(new NewAccount($"bench{i}", $"bench{i}@example.test", [], "{PLAIN}secret"),
                        cancellationToken);
                }
            }

            // Its own process, as Dovecot runs in its own: a node in this process would share its cores
            // and thread pool with the benchmark's clients.
            await using var node = await ServerProcess.StartAsync("bench1");
            await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions
            {
                DisablePlaintextAuth = false,
                Users = Enumerable.Range(0, 8).ToDictionary(i => $"bench{i}", _ => "secret"),
            });

            Console.WriteLine($"LMTP deliveries/s of a {MessageSize / 1024} KB message; median of {runs} runs of {deliveries} deliveries (after a warm-up)");
            Console.WriteLine($"{"connections",-12} {"mailboxes",-10} {"groupware",10} {"dovecot",10} {"ratio",7}");
            foreach (var (connections, mailboxes) in new[] { (1, 1), (8, 1), (8, 8) })
            {
                var ours = new List<double>();
                var theirs = new List<double>();
                await MeasureAsync(node.Lmtp, c => $"bench{c % mailboxes}@example.test", connections, deliveries / 4, message);
                await MeasureAsync(dovecot.Lmtp, c => $"bench{c % mailboxes}", connections, deliveries / 4, message);
                for (var run = 0; run < runs; run++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ours.Add(await MeasureAsync(node.Lmtp, c => $"bench{c % mailboxes}@example.test", connections, deliveries, message));
                    theirs.Add(await MeasureAsync(dovecot.Lmtp, c => $"bench{c % mailboxes}", connections, deliveries, message));
                }

                var (a, b) = (Measure.Median(ours), Measure.Median(theirs));
                Console.WriteLine($"{connections,-12} {mailboxes,-10} {Measure.Format(a),10} {Measure.Format(b),10} {(a / b).ToString("N2", CultureInfo.InvariantCulture),7}" +
                    $"   runs: groupware [{string.Join(", ", ours.Select(Measure.Format))}], dovecot [{string.Join(", ", theirs.Select(Measure.Format))}]");
            }

            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }

    /// <summary>Deliveries per second of <paramref name="deliveries"/> messages spread over <paramref name="connections"/> sessions.</summary>
    private static Task<double> MeasureAsync(IPEndPoint server, Func<int, string> recipient, int connections, int deliveries, byte[] message) =>
        Measure.RateAsync(deliveries, () => Task.WhenAll(Enumerable.Range(0, connections)
            .Select(c => LmtpSender.DeliverAsync(server, recipient(c), deliveries / connections + (c < deliveries % connections ? 1 : 0), message))));
}
