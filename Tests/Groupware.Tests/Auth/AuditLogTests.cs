using Dapper;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Groupware.Tests.Auth;

/// <summary>
/// The audit log: every attempt recorded with time, node, listener, protocol, client address, login
/// as given, mechanism, TLS and outcome; written in the background but never lost on an orderly
/// shutdown; deleted after the retention; an exposed password logged loudly.
/// </summary>
public sealed class AuditLogTests
{
    [Test]
    public async Task An_attempt_is_recorded_with_every_field()
    {
        await using var node = await AuthFixtures.StartNodeAsync(n => n.Set("Node:Name", "audit1"));
        var login = AuthFixtures.UniqueLogin("Audited");
        var account = await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        var listener = $"imaps-{Guid.NewGuid():N}"[..20];
        var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true, remote: AuthFixtures.DocumentationAddress(60),
            listener: listener, protocol: "imap");
        var before = DateTime.UtcNow.AddSeconds(-1);

        var given = login.ToUpperInvariant();
        await node.Services.GetRequiredService<AuthService>().AuthenticateAsync(new AuthRequest(given, "right", "LOGIN-COMMAND"), security,
            CancellationToken.None);

        var row = (await AuthFixtures.AuditRowsAsync(node.Services, listener)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(row.At, Is.InRange(before, DateTime.UtcNow.AddSeconds(1)));
            Assert.That(row.Node, Is.EqualTo("audit1"));
            Assert.That(row.Listener, Is.EqualTo(listener));
            Assert.That(row.Protocol, Is.EqualTo("imap"));
            Assert.That(row.RemoteAddress, Is.EqualTo("192.0.2.60"));
            Assert.That(row.ClientNetwork, Is.EqualTo("192.0.2.60/32"));
            Assert.That(row.Login, Is.EqualTo(given), "the login exactly as the client gave it");
            Assert.That(row.AccountId, Is.EqualTo(account.Id));
            Assert.That(row.Mechanism, Is.EqualTo("LOGIN-COMMAND"));
            Assert.That(row.Tls, Is.True);
            Assert.That(row.Exposed, Is.False);
            Assert.That(row.Outcome, Is.EqualTo("success"));
        });
    }

    [Test]
    public async Task An_unknown_login_is_recorded_as_given_and_a_control_character_cannot_break_the_record()
    {
        await using var node = await AuthFixtures.StartNodeAsync(_ => { });
        var listener = $"pop3s-{Guid.NewGuid():N}"[..20];
        var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true, listener: listener);
        var auth = node.Services.GetRequiredService<AuthService>();

        var full = auth.FullVerifications;
        var unknown = await auth.AuthenticateAsync(new AuthRequest("nobody-" + Guid.NewGuid().ToString("N"), "x", "USER"), security, CancellationToken.None);
        Assert.That(unknown.Outcome, Is.EqualTo(AuthOutcome.InvalidCredentials));
        Assert.That(auth.FullVerifications - full, Is.EqualTo(1), "an unknown login costs a full verification, like a wrong password");
        await auth.AuthenticateAsync(new AuthRequest("evil\0login\r\n", "x", "USER"), security, CancellationToken.None);

        var rows = await AuthFixtures.AuditRowsAsync(node.Services, listener);
        Assert.That(rows.Select(r => r.Outcome), Is.EqualTo(new[] { "invalid-credentials", "invalid-credentials" }));
        Assert.That(rows[0].AccountId, Is.Null);
        Assert.That(rows[1].Login, Is.EqualTo("evil\uFFFDlogin\uFFFD\uFFFD"));
    }

    [Test]
    public async Task Attempts_queued_when_the_node_stops_are_all_written()
    {
        var listener = $"stop-{Guid.NewGuid():N}"[..20];
        const int attempts = 300;
        await using (var node = await AuthFixtures.StartNodeAsync(_ => { }))
        {
            var auth = node.Services.GetRequiredService<AuthService>();
            var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: false, listener: listener);
            for (var i = 0; i < attempts; i++)
            {
                // Refused before any database access: they queue faster than they are written.
                await auth.AuthenticateAsync(new AuthRequest($"user{i}", "exposed", "USER"), security, CancellationToken.None);
            }
        }

        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        var written = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM auth_attempts WHERE listener = @listener", new { listener });
        Assert.That(written, Is.EqualTo(attempts));
    }

    [Test]
    public async Task Records_older_than_the_retention_are_deleted()
    {
        var database = await TestDatabase.CreateDatabaseAsync("retention");
        try
        {
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await using var node = await AuthFixtures.StartNodeAsync(n =>
            {
                n.ConnectionString = database;
                n.Set("Auth:AuditRetentionDays", "30").ConfigureServices(s => s.AddSingleton<TimeProvider>(time));
            });
            var auth = node.Services.GetRequiredService<AuthService>();
            var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: false, listener: "old");
            await auth.AuthenticateAsync(new AuthRequest("someone", "x", "USER"), security, CancellationToken.None);
            await auth.FlushAuditAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromDays(29));
            await auth.AuthenticateAsync(new AuthRequest("someone", "x", "USER"), security with { ListenerName = "recent" }, CancellationToken.None);
            await auth.FlushAuditAsync(CancellationToken.None);

            // The hourly sweep runs once the clock passes 30 days after the first record.
            time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
            await using var connection = new NpgsqlConnection(database);
            var listeners = new List<string>();
            for (var step = 0; step < 200; step++)
            {
                listeners = (await connection.QueryAsync<string>("SELECT listener FROM auth_attempts ORDER BY id")).ToList();
                if (listeners.Count == 1)
                {
                    break;
                }

                await Task.Delay(50);
            }

            Assert.That(listeners, Is.EqualTo(new[] { "recent" }));
        }
        finally
        {
            await TestDatabase.DropDatabaseAsync(database);
        }
    }

    [Test]
    public async Task An_exposed_password_is_logged_as_a_warning_naming_the_listener_and_counted()
    {
        var logs = new CapturedLogs();
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: false, listener: "pop3-clear");
        await node.Services.GetRequiredService<AuthService>().AuthenticateAsync(new AuthRequest("careless", "secret", "USER"), security,
            CancellationToken.None);

        Assert.That(logs.AtLeast(LogLevel.Warning), Has.Some.Contains("careless").And.Contains("pop3-clear").And.Contains("exposed"));
        Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains("secret"), "the password itself is never logged");
    }
}
