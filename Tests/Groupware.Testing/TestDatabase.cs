using Groupware.Storage;
using Groupware.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Groupware.Testing;

/// <summary>
/// One fresh PostgreSQL database for the whole test run (or benchmark run), on the local cluster that
/// deploy/dev/test.sh starts, dropped when the run ends. GROUPWARE_TEST_PG overrides the
/// server connection (it must name a role allowed to create databases).
/// </summary>
public static class TestDatabase
{
    private static string? _connectionString;

    /// <summary>Connection string of the run's database.</summary>
    public static string ConnectionString => _connectionString ?? throw new InvalidOperationException("the test database is not set up");

    /// <summary>The server connection (maintenance database), for creating and dropping databases.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("GROUPWARE_TEST_PG") is { Length: > 0 } custom
            ? custom
            : "Host=/var/run/postgresql;Database=postgres;Username=groupware";

    public static async Task CreateRunDatabaseAsync()
    {
        _connectionString = await CreateDatabaseAsync("run");
    }

    public static async Task DropRunDatabaseAsync()
    {
        if (_connectionString is not null)
        {
            await DropDatabaseAsync(_connectionString);
        }
    }

    /// <summary>A data source on the run's database (or another) with the schema migrated; the caller disposes it.</summary>
    public static async Task<NpgsqlDataSource> OpenAsync(string? connectionString = null)
    {
        var dataSource = Database.CreateDataSource(connectionString ?? ConnectionString, "test");
        await new Migrator(dataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        return dataSource;
    }

    /// <summary>Creates another empty database (for tests that need their own); the caller drops it.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"gwtest_{purpose}_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid():N}".ToLowerInvariant();
        name = name[..Math.Min(name.Length, 63)];
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>
    /// Drops a database and ends its sessions. An autovacuum worker busy in it belongs to no role,
    /// so PostgreSQL 15 refuses to terminate it for a role that is not superuser (42501) and the
    /// drop can find it still attached (55006); it finishes within moments, so the drop is
    /// retried a bounded number of times.
    /// </summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        const int Attempts = 50;
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (attempt < Attempts
                && e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }
}
