using System.Text;
using Groupware.Tests.Support;
using Npgsql;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// <c>groupware deliver</c> through the real executable, as an MTA's pipe runs it: the message on
/// stdin, sysexits codes out (0, 64 EX_USAGE, 67 EX_NOUSER, 75 EX_TEMPFAIL, 77 EX_NOPERM as
/// dovecot-lda -e, 78 EX_CONFIG).
/// </summary>
public sealed class DeliverCommandTests
{
    private NpgsqlDataSource _data = null!;
    private string _directory = null!;
    private string _config = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _data = await MailAccounts.OpenAsync();
        _directory = Directory.CreateTempSubdirectory("gwtest-deliver-").FullName;
        _config = ServerProcess.WriteConfig(_directory, "deliver1", ServerProcess.FreePort(),
            mail: new Dictionary<string, object> { ["MaxMessageSize"] = 10_000 });
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        await _data.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task A_piped_message_is_delivered_with_exit_0_and_stored_in_CRLF_with_trace_fields()
    {
        var account = await MailAccounts.CreateAsync(_data, "pipe", null, "postmaster");
        var recipient = account.Aliases[0].Replace("@", "+lists@", StringComparison.Ordinal);
        var result = await DeliverAsync(["--recipient", recipient, "--from", "owner@example.org"],
            "From owner@example.org Mon Nov  2 10:00:00 2026\nSubject: piped\n\nline one\nline two\n");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var stored = (await MailAccounts.MessagesAsync(_data, account.Id)).Single();
        await using var stream = await new Groupware.Storage.Mail.MailStore(_data).OpenMessageAsync(account.Id, stored.MailboxId, stored.Uid, CancellationToken.None);
        var content = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();
        Assert.That(content, Does.StartWith($"Return-Path: <owner@example.org>\r\nDelivered-To: {recipient}\r\nReceived: by "));
        Assert.That(content, Does.Contain(" with local id "));
        Assert.That(content, Does.EndWith("\r\nSubject: piped\r\n\r\nline one\r\nline two\r\n"), "the mbox From line is dropped, LF becomes CRLF");
    }

    [Test]
    public async Task An_unknown_recipient_exits_67_EX_NOUSER()
    {
        var result = await DeliverAsync(["--recipient", "nobody@example.test"], "Subject: x\n\nx\n");
        Assert.That(result.ExitCode, Is.EqualTo(67), result.ToString());
        Assert.That(result.Error, Does.Contain("no such user"));
    }

    [Test]
    public async Task Refusals_for_good_exit_77_EX_NOPERM()
    {
        var disabled = await MailAccounts.CreateAsync(_data, "off");
        await MailAccounts.SetDisabledAsync(_data, disabled.Id, true);
        var full = await MailAccounts.CreateAsync(_data, "full", quotaBytes: 50);
        var roomy = await MailAccounts.CreateAsync(_data, "roomy");

        var disabledResult = await DeliverAsync(["--recipient", disabled.PrimaryAddress], "Subject: x\n\nx\n");
        var fullResult = await DeliverAsync(["--recipient", full.PrimaryAddress], "Subject: x\n\n" + new string('x', 100) + "\n");
        var bigResult = await DeliverAsync(["--recipient", roomy.PrimaryAddress], "Subject: x\n\n" + new string('x', 20_000) + "\n");

        Assert.That((disabledResult.ExitCode, fullResult.ExitCode, bigResult.ExitCode), Is.EqualTo((77, 77, 77)),
            $"{disabledResult}\n{fullResult}\n{bigResult}");
        Assert.That(disabledResult.Error, Does.Contain("disabled"));
        Assert.That(fullResult.Error, Does.Contain("quota"));
        Assert.That(bigResult.Error, Does.Contain("too big"));
        Assert.That(await MailAccounts.MessagesAsync(_data, roomy.Id), Is.Empty);
    }

    [Test]
    public async Task An_unreachable_database_exits_75_EX_TEMPFAIL_so_the_MTA_retries()
    {
        var directory = Path.Combine(_directory, "unreachable");
        var config = ServerProcess.WriteConfig(directory, "deliver2", ServerProcess.FreePort(),
            connectionString: $"Host=127.0.0.1;Port={ServerProcess.FreePort()};Database=none;Username=none;Timeout=3");
        var result = await ExternalProcess.RunAsync(ServerProcess.DotnetHost,
            [ServerProcess.ServerDll, "deliver", "--config", config, "--recipient", "someone@example.test"], "Subject: x\n\nx\n");
        Assert.That(result.ExitCode, Is.EqualTo(75), result.ToString());
    }

    [Test]
    public async Task A_failure_nobody_foresaw_exits_75_EX_TEMPFAIL_not_a_status_the_MTA_bounces_on()
    {
        // Postfix pipe(8) bounces the message (5.3.0) on any exit status outside sysexits(3). A
        // standard input that cannot be read (a directory: read(2) fails with EISDIR) stands for
        // every failure the command has no exit code of its own for.
        var account = await MailAccounts.CreateAsync(_data, "unread");
        var result = await ExternalProcess.RunAsync("/bin/sh",
            ["-c", "exec \"$0\" \"$@\" < /", ServerProcess.DotnetHost, ServerProcess.ServerDll, "deliver", "--config", _config,
             "--recipient", account.PrimaryAddress]);
        Assert.That(result.ExitCode, Is.EqualTo(75), result.ToString());
        Assert.That(result.Error, Does.Contain("temporary failure"));
        Assert.That(await MailAccounts.MessagesAsync(_data, account.Id), Is.Empty);
    }

    [Test]
    public async Task Bad_arguments_exit_64_and_a_bad_configuration_78()
    {
        var usage = await DeliverAsync(["--recipient", "not an address"], "x");
        var config = await ExternalProcess.RunAsync(ServerProcess.DotnetHost,
            [ServerProcess.ServerDll, "deliver", "--config", Path.Combine(_directory, "missing.json"), "--recipient", "a@example.test"], "x");
        Assert.That((usage.ExitCode, config.ExitCode), Is.EqualTo((64, 78)), $"{usage}\n{config}");
    }

    private Task<ProcessResult> DeliverAsync(string[] arguments, string message) =>
        ExternalProcess.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, "deliver", "--config", _config, .. arguments], message);
}
