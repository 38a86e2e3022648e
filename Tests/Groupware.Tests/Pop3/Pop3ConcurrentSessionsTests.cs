using Groupware.Storage.Mail;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Pop3;

/// <summary>
/// Logged-in POP3 sessions hold no database connection: the maildrop lease is a row the node renews
/// for all its sessions in one statement, so the number of sessions scales with the pool, never with
/// PostgreSQL's max_connections (the benchmark <c>idle-memory</c> holds 5,000 on a pool of 20).
/// </summary>
public sealed class Pop3ConcurrentSessionsTests
{
    [Test]
    public async Task Sixty_sessions_stay_logged_in_at_once_on_a_pool_of_five_connections()
    {
        const int sessions = 60;
        await using var node = await Pop3Fixture.StartSecureNodeAsync(n => n.ConnectionString = TestDatabase.ConnectionString + ";Maximum Pool Size=5");
        var logins = new List<string>();
        for (var i = 0; i < sessions; i++)
        {
            logins.Add(await Pop3Fixture.CreateAccountAsync());
        }

        var clients = new List<LineClient>();
        try
        {
            foreach (var login in logins)
            {
                var client = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
                clients.Add(client);
                await client.ReadLineAsync();
                await client.SendLineAsync($"USER {login}");
                await client.ReadLineAsync();
                await client.SendLineAsync($"PASS {Pop3Fixture.Password}");
                Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Logged in."), login);
            }

            // All of them at once, then each still answers.
            foreach (var client in clients)
            {
                await client.SendLineAsync("STAT");
            }

            foreach (var client in clients)
            {
                Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK 0 0"));
            }

            Assert.That(node.Services.GetRequiredService<MaildropLeases>().Count, Is.EqualTo(sessions));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
