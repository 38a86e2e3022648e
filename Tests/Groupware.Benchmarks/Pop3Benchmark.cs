using System.Globalization;
using System.Net;
using Groupware.Testing;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace Groupware.Benchmarks;

/// <summary>
/// POP3 messages retrieved per second (RETR of every message of a 5 KB-message maildrop, over
/// STLS, one MailKit client), for this server and Debian's Dovecot measured in the same run, each
/// in its own process. Mail reaches both over their own LMTP.
/// </summary>
internal sealed class Pop3Benchmark : IBenchmark
{
    private const int Messages = 200;
    private const int Runs = 5;
    private const string Password = "benchmark password";

    public string Name => "pop3";

    public string Description => $"POP3 RETR messages/s over STLS ({Messages} x 5 KB), beside Dovecot";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            using var certificates = new TestCertificates();

            await using var node = await ServerProcess.StartAsync("bench1", withPop3: true);
            var login = await TestAccounts.CreateAsync(Password);
            await LmtpSender.DeliverAsync(node.Lmtp, $"{login}@example.test", Messages, LmtpSender.Message(5 * 1024), cancellationToken);

            await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions
            {
                Certificates = certificates,
                Users = new Dictionary<string, string> { ["bench"] = Password },
            });
            await LmtpSender.DeliverAsync(dovecot.Lmtp, "bench", Messages, LmtpSender.Message(5 * 1024), cancellationToken);

            var ours = await Measure.MedianAsync(Runs, () => RetrieveAllAsync(node.Pop3!, login, cancellationToken));
            var theirs = await Measure.MedianAsync(Runs, () => RetrieveAllAsync(dovecot.Pop3, "bench", cancellationToken));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pop3 RETR over STLS, {Messages} x 5 KB, median of {Runs}: groupware {Measure.Format(ours)} msg/s, dovecot {Measure.Format(theirs)} msg/s, ratio {ours / theirs:F2}"));
            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }

    private static async Task<double> RetrieveAllAsync(IPEndPoint endPoint, string login, CancellationToken cancellationToken)
    {
        using var client = new Pop3Client { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.StartTls, cancellationToken);
        await client.AuthenticateAsync(login, Password, cancellationToken);
        var count = client.Count;
        var rate = await Measure.RateAsync(count, async () =>
        {
            for (var i = 0; i < count; i++)
            {
                using var stream = await client.GetStreamAsync(i, cancellationToken: cancellationToken);
            }
        });
        await client.DisconnectAsync(quit: true, cancellationToken);
        return rate;
    }
}
