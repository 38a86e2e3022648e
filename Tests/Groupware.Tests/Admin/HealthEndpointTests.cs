using System.Net;
using Dapper;
using Groupware.Storage.Migrations;
using Groupware.Tests.Support;
using Npgsql;

namespace Groupware.Tests.Admin;

/// <summary>
/// <c>/health/live</c> answers while the process runs; <c>/health/ready</c> answers 200 only while
/// the database is reachable and every migration is applied, 503 with the reason otherwise.
/// </summary>
public sealed class HealthEndpointTests
{
    [Test]
    public async Task A_node_on_a_migrated_database_is_live_and_ready()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        Assert.That(await GetAsync(node, "/health/live"), Is.EqualTo((HttpStatusCode.OK, "live\n")));
        Assert.That(await GetAsync(node, "/health/ready"), Is.EqualTo((HttpStatusCode.OK, "ready\n")));
    }

    [Test]
    public async Task A_pending_migration_and_then_a_missing_database_make_the_node_not_ready_but_still_live()
    {
        var connectionString = await TestDatabase.CreateDatabaseAsync("health");
        try
        {
            await using var node = await TestNode.StartAsync(n =>
            {
                n.ConnectionString = connectionString;
                n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls");
            });
            Assert.That((await GetAsync(node, "/health/ready")).Status, Is.EqualTo(HttpStatusCode.OK));

            // As if another node had been upgraded first and this build ships a migration the database lacks.
            var last = Migrator.All[^1].Version;
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.ExecuteAsync("DELETE FROM schema_version WHERE version = @last", new { last });
            }

            var pending = await GetAsync(node, "/health/ready");
            Assert.That(pending.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(pending.Text, Does.StartWith($"not ready: 1 migration(s) pending ({last:D4})"));

            await TestDatabase.DropDatabaseAsync(connectionString);
            var gone = await GetAsync(node, "/health/ready");
            Assert.That(gone.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(gone.Text, Does.StartWith("not ready: the database is unreachable"));
            Assert.That((await GetAsync(node, "/health/live")).Status, Is.EqualTo(HttpStatusCode.OK));
        }
        finally
        {
            await TestDatabase.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<(HttpStatusCode Status, string Text)> GetAsync(TestNode node, string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.GetAsync(new Uri($"http://{node.AdminEndPoint}{path}"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
