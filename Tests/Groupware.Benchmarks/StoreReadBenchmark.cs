using System.Diagnostics;
using System.Globalization;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Testing;

namespace Groupware.Benchmarks;

/// <summary>Messages read per second straight from the mail store (no protocol, no TLS): the store's share of a POP3 RETR.</summary>
internal sealed class StoreReadBenchmark : IBenchmark
{
    private const int Messages = 200;

    public string Name => "store-read";

    public string Description => $"mail store reads/s of {Messages} x 5 KB messages (OpenMessageAsync + read to the end)";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        await TestDatabase.CreateRunDatabaseAsync();
        try
        {
            using var certificates = new TestCertificates();
            await using var node = await TestNode.StartAsync(n =>
            {
                n.Certificates = certificates;
                n.Listener("lmtp", "lmtp", "none");
            });
            var login = await TestAccounts.CreateAsync("benchmark password");
            await LmtpSender.DeliverAsync(node.EndPoint("lmtp"), $"{login}@example.test", Messages, LmtpSender.Message(5 * 1024), cancellationToken);
            await using var dataSource = Database.CreateDataSource(TestDatabase.ConnectionString, "bench");
            var store = new MailStore(dataSource);
            var account = await new Groupware.Storage.Accounts.AccountStore(dataSource).FindByLoginAsync(login, cancellationToken);
            var maildrop = await store.ListMaildropAsync(account!.Id, cancellationToken);
            var buffer = new byte[64 * 1024];
            var rate = await Measure.MedianAsync(5, () => Measure.RateAsync(maildrop.Count, async () =>
            {
                foreach (var message in maildrop)
                {
                    await using var stream = await store.OpenMessageAsync(account.Id, message.MailboxId, message.Uid, cancellationToken);
                    while (await stream.ReadAsync(buffer, cancellationToken) > 0)
                    {
                    }
                }
            }));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"store reads, {Messages} x 5 KB, median of 5: {Measure.Format(rate)} msg/s"));
            return 0;
        }
        finally
        {
            await TestDatabase.DropRunDatabaseAsync();
        }
    }
}
