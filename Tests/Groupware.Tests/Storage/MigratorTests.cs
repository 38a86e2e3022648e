using Dapper;
using Groupware.Storage;
using Groupware.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>Numbered migrations: applied in order, recorded, never twice, safe when nodes start together.</summary>
public sealed class MigratorTests
{
    private string _connectionString = null!;

    [SetUp]
    public async Task SetUpAsync() => _connectionString = await TestDatabase.CreateDatabaseAsync("migrate");

    [TearDown]
    public async Task TearDownAsync() => await TestDatabase.DropDatabaseAsync(_connectionString);

    [Test]
    public async Task Every_shipped_migration_is_applied_once_and_recorded()
    {
        await using var dataSource = Database.CreateDataSource(_connectionString, "test");
        var migrator = new Migrator(dataSource, NullLogger<Migrator>.Instance);
        Assert.That(await migrator.PendingAsync(CancellationToken.None), Is.EqualTo(Migrator.All.Select(m => m.Version)));

        var first = await migrator.MigrateAsync(CancellationToken.None);
        var second = await migrator.MigrateAsync(CancellationToken.None);

        Assert.That(first, Is.EqualTo(Migrator.All.Select(m => m.Version)));
        Assert.That(second, Is.Empty);
        Assert.That(await migrator.PendingAsync(CancellationToken.None), Is.Empty);
        await using var connection = await dataSource.OpenConnectionAsync();
        var recorded = await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version");
        Assert.That(recorded, Is.EqualTo(Migrator.All.Select(m => m.Version)));
    }

    [Test]
    public async Task Nodes_migrating_at_the_same_time_take_turns()
    {
        var dataSources = Enumerable.Range(0, 4).Select(i => Database.CreateDataSource(_connectionString, $"node{i}")).ToList();
        try
        {
            var runs = await Task.WhenAll(dataSources.Select(d => new Migrator(d, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None)));
            Assert.That(runs.Sum(r => r.Count), Is.EqualTo(Migrator.All.Count), "each migration applied by exactly one node");
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }
        }
    }

    [Test]
    public void Every_table_has_a_one_row_per_comment()
    {
        foreach (var migration in Migrator.All)
        {
            var lines = migration.Sql.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("CREATE TABLE", StringComparison.OrdinalIgnoreCase))
                {
                    var comment = string.Join('\n', lines.Take(i).Reverse().TakeWhile(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
                    Assert.That(comment, Does.Contain("One row per"), $"{migration.Version:D4}_{migration.Name}: {lines[i].Trim()}");
                }
            }
        }
    }
}
