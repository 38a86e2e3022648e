using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Storage.Migrations;

/// <summary>One numbered SQL file under Migrations/, embedded in this assembly.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Applies the numbered SQL migrations in order, each in its own transaction, and records them in
/// <c>schema_version</c>. Every node runs this at start-up; a session-level advisory lock makes the
/// nodes take turns, so two nodes starting together never apply the same file twice.
/// </summary>
public sealed partial class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator> logger)
{
    /// <summary>Key of the advisory lock held while migrating ("gwmigrat" in ASCII).</summary>
    internal const long AdvisoryLockKey = 0x67776D6967726174;

    private const string CreateVersionTable = """
        -- One row per migration file applied to this database.
        CREATE TABLE IF NOT EXISTS schema_version (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    [GeneratedRegex(@"^Groupware\.Storage\.Migrations\.(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();

    /// <summary>The migrations shipped in this build, in the order they apply.</summary>
    public static IReadOnlyList<Migration> All { get; } = LoadEmbedded();

    /// <summary>Applies every migration not yet recorded; returns the versions it applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)",
            new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(CreateVersionTable, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<int>(new CommandDefinition(
                "SELECT version FROM schema_version", cancellationToken: cancellationToken))).ToHashSet();

            var done = new List<int>();
            foreach (var migration in All.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction,
                    cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_version (version, name) VALUES (@Version, @Name)",
                    new { migration.Version, migration.Name }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, migration.Version, migration.Name);
                done.Add(migration.Version);
            }

            return done;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)",
                new { key = AdvisoryLockKey }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>Versions shipped in this build that the database has not recorded yet.</summary>
    public async Task<IReadOnlyList<int>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('schema_version') IS NOT NULL", cancellationToken: cancellationToken));
        if (!exists)
        {
            return All.Select(m => m.Version).ToList();
        }

        var applied = (await connection.QueryAsync<int>(new CommandDefinition(
            "SELECT version FROM schema_version", cancellationToken: cancellationToken))).ToHashSet();
        return All.Select(m => m.Version).Where(v => !applied.Contains(v)).ToList();
    }

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"embedded migration {resource} cannot be read");
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["name"].Value, reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"two migrations share version {duplicate.Key}");
        }

        return migrations.OrderBy(m => m.Version).ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Version:D4} {Name}")]
    private static partial void LogApplied(ILogger logger, int version, string name);
}
