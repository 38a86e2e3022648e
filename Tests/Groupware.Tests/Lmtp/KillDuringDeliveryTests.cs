using System.Text;
using Groupware.Tests.Support;
using Npgsql;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// Nothing acknowledged is ever lost, nothing unacknowledged is half there (RFC 2033 §4.2): the
/// real executable is killed with SIGKILL while a client is in the middle of DATA, and while it is
/// storing; a 250 the client saw always means a whole stored message, and no partial message,
/// body or spool file is ever left behind.
/// </summary>
public sealed class KillDuringDeliveryTests
{
    private NpgsqlDataSource _data = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _data = await MailAccounts.OpenAsync();

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _data.DisposeAsync();

    [Test]
    public async Task SIGKILL_in_the_middle_of_DATA_leaves_no_message_and_the_client_never_sees_250()
    {
        var account = await MailAccounts.CreateAsync(_data, "killed");
        var subject = MailAccounts.UniqueSubject("killed");
        await using var server = await ServerProcess.StartAsync("killed1");
        await using var client = await LineClient.ConnectAsync(server.Lmtp);
        await Transcript.PlayAsync(client, $"""
            S: 220 *
            C: LHLO client.example
            S: 250-*
            S: 250-*
            S: 250-*
            S: 250-*
            S: 250-*
            S: 250 SIZE *
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            """);
        await client.SendAsync($"Subject: {subject}\r\n\r\n");
        var line = Encoding.ASCII.GetBytes(new string('k', 998) + "\r\n");
        for (var i = 0; i < 2048; i++)
        {
            await client.SendAsync(line);
        }

        // The server is inside DATA with the body spooling: at least the first MB is in its spool file.
        var spooled = 0L;
        for (var attempt = 0; attempt < 300 && (spooled = await server.SpoolFileSizeAsync()) < 1024 * 1024; attempt++)
        {
            await Task.Delay(50);
        }

        Assert.That(spooled, Is.GreaterThanOrEqualTo(1024 * 1024), "the server was receiving the body");
        await server.KillAsync();

        var seen = await DrainAsync(client);
        Assert.That(seen, Has.None.StartsWith("250"), "no positive reply after 354");
        Assert.That(await MailAccounts.MessagesAsync(_data, account.Id), Is.Empty);
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(_data, subject), Is.Zero);
        Assert.That(await MailAccounts.UsedBytesAsync(_data, account.Id), Is.Zero);
        Assert.That(Directory.EnumerateFileSystemEntries(server.SpoolDirectory), Is.Empty, "no spool file is left behind");
    }

    [TestCase(0)]
    [TestCase(30)]
    [TestCase(150)]
    [TestCase(1000)]
    public async Task SIGKILL_while_storing_leaves_a_whole_message_for_every_250_and_nothing_partial(int delayMilliseconds)
    {
        var accounts = new List<Groupware.Storage.Accounts.Account>();
        for (var i = 0; i < 10; i++)
        {
            accounts.Add(await MailAccounts.CreateAsync(_data, "storing"));
        }

        var subject = MailAccounts.UniqueSubject("storing");
        var body = string.Concat(Enumerable.Repeat(new string('s', 78) + "\r\n", 20_000));
        await using var server = await ServerProcess.StartAsync("storing1");
        await using var client = await LineClient.ConnectAsync(server.Lmtp);
        await client.ReadLineAsync();
        await client.SendAsync("LHLO client.example\r\nMAIL FROM:<a@example.org>\r\n" +
            string.Concat(accounts.Select(a => $"RCPT TO:<{a.PrimaryAddress}>\r\n")) + "DATA\r\n");
        var lines = await client.ReadUntilAsync(l => l.StartsWith("354 ", StringComparison.Ordinal));
        Assert.That(lines[^1], Does.StartWith("354 "));
        await client.SendAsync($"Subject: {subject}\r\n\r\n{body}");
        await client.SendAsync(".\r\n");
        await Task.Delay(delayMilliseconds);
        await server.KillAsync();

        var replies = await DrainAsync(client);
        var acknowledged = accounts.Where(a => replies.Any(r => r.StartsWith($"250 2.0.0 <{a.PrimaryAddress}>", StringComparison.Ordinal))).ToList();
        foreach (var account in accounts)
        {
            var stored = await MailAccounts.MessagesAsync(_data, account.Id);
            if (acknowledged.Contains(account))
            {
                Assert.That(stored, Has.Count.EqualTo(1), $"{account.PrimaryAddress} was acknowledged");
            }

            Assert.That(stored, Has.Count.LessThanOrEqualTo(1));
            foreach (var message in stored)
            {
                Assert.That(message.Subject, Is.EqualTo(subject));
                Assert.That(message.Size, Is.EqualTo(Encoding.UTF8.GetByteCount(message.TraceFields) + Encoding.ASCII.GetByteCount($"Subject: {subject}\r\n\r\n{body}")),
                    "a stored message is whole");
                Assert.That(await MailAccounts.UsedBytesAsync(_data, account.Id), Is.EqualTo(message.Size));
            }
        }

        Assert.That(await MailAccounts.BlobsWithSubjectAsync(_data, subject), Is.LessThanOrEqualTo(1));
        TestContext.Out.WriteLine($"delay {delayMilliseconds} ms: {acknowledged.Count} of {accounts.Count} acknowledged");
    }

    /// <summary>Every line the client still receives until the connection is gone.</summary>
    private static async Task<List<string>> DrainAsync(LineClient client)
    {
        var lines = new List<string>();
        try
        {
            for (var i = 0; i < 100 && await client.ReadLineAsync() is { } line; i++)
            {
                lines.Add(line);
            }
        }
        catch (IOException)
        {
            // Reset by the dying process: nothing more was sent.
        }

        return lines;
    }
}
