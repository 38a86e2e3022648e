using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// When the spool cannot keep a message (its directory gone, its file system full), the body is
/// still read to its end and every accepted recipient gets a temporary failure (RFC 5321 §4.2.2
/// 452 and RFC 3463 4.3.1 for a full disk, 451 4.3.0 otherwise): the MTA keeps the message and
/// retries, the session stays usable, and the operator is told.
/// </summary>
public sealed class SpoolFailureTests
{
    private NpgsqlDataSource _data = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _data = await MailAccounts.OpenAsync();

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _data.DisposeAsync();

    [Test]
    public async Task A_spool_directory_that_is_gone_answers_451_for_every_recipient_and_the_session_goes_on()
    {
        var spool = Directory.CreateTempSubdirectory("gwtest-spool-").FullName;
        var logs = new CapturedLogs();
        await using var node = await TestNode.StartAsync(n => n.Listener("lmtp", "lmtp", "none").Set("Mail:SpoolDirectory", spool)
            .ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        Directory.Delete(spool);
        var first = await MailAccounts.CreateAsync(_data, "nospool");
        var second = await MailAccounts.CreateAsync(_data, "nospool");

        await using var client = await LineClient.ConnectAsync(node.EndPoint("lmtp"));
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
            C: RCPT TO:<{first.PrimaryAddress}>
            S: 250 2.1.5 *
            C: RCPT TO:<{second.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            C: Subject: spooled nowhere
            C:
            C: body
            C: .
            S: 451 4.3.0 <{first.PrimaryAddress}> *
            S: 451 4.3.0 <{second.PrimaryAddress}> *
            C: NOOP
            S: 250 2.0.0 OK
            """);
        Assert.That(await MailAccounts.MessagesAsync(_data, first.Id), Is.Empty);
        Assert.That(logs.AtLeast(LogLevel.Warning), Has.Some.Contains("spool"), "the operator is told why deliveries fail");
    }

    [Test]
    public async Task BDAT_chunks_the_spool_cannot_keep_end_in_451_at_LAST()
    {
        var spool = Directory.CreateTempSubdirectory("gwtest-spool-").FullName;
        await using var node = await TestNode.StartAsync(n => n.Listener("lmtp", "lmtp", "none").Set("Mail:SpoolDirectory", spool));
        Directory.Delete(spool);
        var account = await MailAccounts.CreateAsync(_data, "nospool");

        await using var client = await LineClient.ConnectAsync(node.EndPoint("lmtp"));
        await client.ReadLineAsync();
        await client.SendAsync($"LHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<{account.PrimaryAddress}>\r\n");
        await client.ReadUntilAsync(l => l.StartsWith("250 2.1.5", StringComparison.Ordinal));
        await client.SendAsync("BDAT 12\r\nSubject: x\r\nBDAT 6 LAST\r\n\r\nbody");
        await Transcript.PlayAsync(client, $"""
            S: 250 2.0.0 12 octets received
            S: 451 4.3.0 <{account.PrimaryAddress}> *
            C: NOOP
            S: 250 2.0.0 OK
            """);
        Assert.That(await MailAccounts.MessagesAsync(_data, account.Id), Is.Empty);
    }

    [Test]
    public async Task A_full_spool_file_system_answers_452_4_3_1_for_every_recipient_and_frees_what_it_took()
    {
        var spool = Directory.CreateTempSubdirectory("gwtest-fullspool-").FullName;
        var mount = await ExternalProcess.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", spool]);
        Assume.That(mount.ExitCode, Is.Zero, $"a 1 MiB tmpfs needs root with CAP_SYS_ADMIN: {mount}");
        try
        {
            await using var node = await TestNode.StartAsync(n => n.Listener("lmtp", "lmtp", "none").Set("Mail:SpoolDirectory", spool));
            var account = await MailAccounts.CreateAsync(_data, "fullspool");
            var line = new string('f', 998) + "\r\n";

            await using var client = await LineClient.ConnectAsync(node.EndPoint("lmtp"));
            await client.ReadLineAsync();
            await client.SendAsync($"LHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<{account.PrimaryAddress}>\r\nDATA\r\n");
            var lines = await client.ReadUntilAsync(l => l.StartsWith("354 ", StringComparison.Ordinal));
            Assert.That(lines[^1], Does.StartWith("354 "));
            await client.SendAsync("Subject: too much for the disk\r\n\r\n");
            for (var i = 0; i < 2048; i++)
            {
                await client.SendAsync(line);
            }

            await client.SendAsync(".\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith($"452 4.3.1 <{account.PrimaryAddress}> "));

            // The spool file went with the transaction: the next message fits again.
            await Transcript.PlayAsync(client, $"""
                C: MAIL FROM:<a@example.org>
                S: 250 2.1.0 Sender OK
                C: RCPT TO:<{account.PrimaryAddress}>
                S: 250 2.1.5 *
                C: DATA
                S: 354 *
                C: Subject: small
                C:
                C: fits
                C: .
                S: 250 2.0.0 <{account.PrimaryAddress}> Saved as UID 1
                """);
            Assert.That((await MailAccounts.MessagesAsync(_data, account.Id)).Single().Subject, Is.EqualTo("small"));
        }
        finally
        {
            await ExternalProcess.RunAsync("umount", [spool]);
            Directory.Delete(spool);
        }
    }
}
