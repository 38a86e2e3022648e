using Dapper;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// When the database cannot be reached, LMTP answers 451 4.3.0 (RFC 3463: mail system full or
/// unavailable, try again) at RCPT and, per recipient, at the end of DATA: the MTA keeps the
/// message and retries; nothing is acknowledged that was not committed.
/// </summary>
public sealed class StoreUnavailableTests
{
    private string _connectionString = null!;
    private TestNode _node = null!;
    private CapturedLogs _logs = null!;
    private NpgsqlDataSource _data = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _connectionString = await TestDatabase.CreateDatabaseAsync("down");
        _logs = new CapturedLogs();
        _node = await TestNode.StartAsync(n =>
        {
            n.ConnectionString = _connectionString;
            n.Listener("lmtp", "lmtp", "none").ConfigureServices(s => s.AddSingleton<ILoggerProvider>(_logs));
        });
        _data = await MailAccounts.OpenAsync(_connectionString);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _data.DisposeAsync();
        await _node.DisposeAsync();
        _logs.Dispose();
        await TestDatabase.DropDatabaseAsync(_connectionString);
    }

    [Test]
    public async Task RCPT_answers_451_while_the_database_is_down()
    {
        var account = await MailAccounts.CreateAsync(_data, "down");
        await using var client = await GreetAsync();
        await TakeDatabaseDownAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 451 4.3.0 <{account.PrimaryAddress}> Temporary failure, try again later
            """);
    }

    [Test]
    public async Task The_end_of_DATA_answers_451_for_every_recipient_and_nothing_is_stored()
    {
        var first = await MailAccounts.CreateAsync(_data, "down");
        var second = await MailAccounts.CreateAsync(_data, "down");
        await using var client = await GreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{first.PrimaryAddress}>
            S: 250 2.1.5 *
            C: RCPT TO:<{second.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            C: Subject: while down
            C:
            """);
        await TakeDatabaseDownAsync();
        await Transcript.PlayAsync(client, $"""
            C: .
            S: 451 4.3.0 <{first.PrimaryAddress}> Temporary failure, try again later
            S: 451 4.3.0 <{second.PrimaryAddress}> Temporary failure, try again later
            C: NOOP
            S: 250 2.0.0 OK
            """);

        await BringDatabaseBackAsync();
        Assert.That(await MailAccounts.MessagesAsync(_data, first.Id), Is.Empty);
        Assert.That(await MailAccounts.MessagesAsync(_data, second.Id), Is.Empty);
    }

    /// <summary>
    /// An outage must not drown the log: each 451 is one line, and the stack trace of one distinct
    /// error is written once a minute (a 10-second outage used to write tens of thousands of lines).
    /// </summary>
    [Test]
    public async Task While_the_database_is_down_each_451_is_one_log_line_and_the_stack_is_written_once()
    {
        var account = await MailAccounts.CreateAsync(_data, "down");
        await using var client = await GreetAsync();
        await TakeDatabaseDownAsync();
        await client.SendLineAsync("MAIL FROM:<a@example.org>");
        await client.ReadLineAsync();
        for (var i = 0; i < 20; i++)
        {
            await client.SendLineAsync($"RCPT TO:<{account.PrimaryAddress}>");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("451 4.3.0"));
        }

        var lines = _logs.Entries.Where(e => e.Category == "Groupware.Lmtp" && e.Message.Contains("the database is unavailable", StringComparison.Ordinal))
            .ToList();
        Assert.That(lines, Has.Count.EqualTo(20), "one line per failed operation");
        Assert.That(lines.Count(l => l.Exception is not null), Is.EqualTo(1), "the stack once");
        Assert.That(lines.Select(l => l.Message.Split('\n').Length), Has.All.EqualTo(1));
    }

    private async Task<LineClient> GreetAsync()
    {
        var client = await LineClient.ConnectAsync(_node.EndPoint("lmtp"));
        await client.ReadLineAsync();
        await client.SendLineAsync("LHLO client.example");
        await client.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
        return client;
    }

    /// <summary>
    /// Refuses new connections to the test's database and ends the open ones (the node's pooled ones
    /// included), waiting until each backend is gone.
    /// </summary>
    private async Task TakeDatabaseDownAsync()
    {
        var name = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        await using var server = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await server.OpenAsync();
        await server.ExecuteAsync($"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false");
        await server.ExecuteAsync("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()", new { name });
    }

    private async Task BringDatabaseBackAsync()
    {
        var name = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        await using var server = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await server.OpenAsync();
        await server.ExecuteAsync($"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true");
        // The test's own pooled connections were ended with the node's.
        _data.Clear();
    }
}
