using Dapper;
using Groupware.Storage.Mail;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Groupware.Tests.Pop3;

/// <summary>
/// One maildrop lease per account across nodes (RFC 1939 §4: exclusive access; RFC 2449 §8.1.2
/// [IN-USE]): a second session, on this node or another sharing the database, is refused until the
/// first quits, and QUIT frees it before its answer.
/// </summary>
public sealed class Pop3MaildropLockTests
{
    [Test]
    public async Task A_second_session_on_another_node_gets_IN_USE_until_the_first_quits()
    {
        await using var first = await Pop3Fixture.StartSecureNodeAsync();
        await using var second = await Pop3Fixture.StartSecureNodeAsync(n => n.Set("Node:Name", "test2"));
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(first, login, Pop3Fixture.Message("locked"));

        await using var holder = await Pop3Fixture.LogInOverStlsAsync(first, login);
        foreach (var node in new[] { first, second })
        {
            await using var other = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
            await other.ReadLineAsync();
            await other.SendLineAsync($"USER {login}");
            await other.ReadLineAsync();
            await other.SendLineAsync($"PASS {Pop3Fixture.Password}");
            Assert.That(await other.ReadLineAsync(), Is.EqualTo("-ERR [IN-USE] Mailbox is locked by another POP3 session."));
        }

        await holder.SendLineAsync("QUIT");
        Assert.That(await holder.ReadLineAsync(), Is.EqualTo("+OK Logging out."));
        Assert.That(await holder.IsClosedByServerAsync(), Is.True);

        // QUIT releases the maildrop before it answers: a login at once, on the other node, finds it free.
        await using var next = await LineClient.ConnectAsync(second.EndPoint("pop3s"), implicitTls: true);
        await next.ReadLineAsync();
        await next.SendLineAsync($"USER {login}");
        await next.ReadLineAsync();
        await next.SendLineAsync($"PASS {Pop3Fixture.Password}");
        Assert.That(await next.ReadLineAsync(), Is.EqualTo("+OK Logged in."));
    }

    /// <summary>
    /// A session whose lease was taken over (its node could not renew it in time, so it expired) ends
    /// with [IN-USE] at its next command instead of going on beside the new holder; its QUIT commits
    /// nothing.
    /// </summary>
    [Test]
    public async Task A_session_whose_lease_was_taken_over_ends_with_IN_USE_and_commits_nothing()
    {
        var clock = new SessionClock();
        await using var node = await Pop3Fixture.StartSecureNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(node, login, Pop3Fixture.Message("kept"));
        await using var first = await Pop3Fixture.LogInOverStlsAsync(node, login);
        await first.SendLineAsync("DELE 1");
        Assert.That(await first.ReadLineAsync(), Is.EqualTo("+OK Message 1 deleted."));

        // The lease runs out as if its node had been cut off, and another session takes the maildrop.
        await using (var connection = await node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE maildrop_leases SET acquired_at = now() - interval '2 minutes', expires_at = now() - interval '1 second' WHERE account_id = " +
                "(SELECT id FROM accounts WHERE login = @login)", new { login });
        }

        await using var second = await Pop3Fixture.LogInOverStlsAsync(node, login);
        await Pop3Fixture.AdvanceLeasesAsync(node, clock, TimeSpan.FromSeconds(30));

        await first.SendLineAsync("QUIT");
        Assert.That(await first.ReadLineAsync(), Is.EqualTo("-ERR [IN-USE] Another POP3 session took over the mailbox; disconnecting."));
        Assert.That(await first.IsClosedByServerAsync(), Is.True);
        await second.SendLineAsync("STAT");
        Assert.That(await second.ReadLineAsync(), Does.StartWith("+OK 1 "), "the first session's deletion was not committed");
    }
}
