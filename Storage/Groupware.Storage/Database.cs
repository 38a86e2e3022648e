using Npgsql;

namespace Groupware.Storage;

/// <summary>
/// Builds the one pooled <see cref="NpgsqlDataSource"/> a node uses for every store.
/// </summary>
public static class Database
{
    /// <summary>
    /// Creates the data source for <paramref name="connectionString"/>. The application name shows in
    /// <c>pg_stat_activity</c>, so an operator can tell which node holds which connections.
    /// <paramref name="poolName"/> names the pool in Npgsql's metrics (its <c>db.client.connection.pool.name</c>).
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, string nodeName, string? poolName = null)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (poolName is not null)
        {
            builder.Name = poolName;
        }

        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = $"groupware/{nodeName}";
        }

        return builder.Build();
    }

    /// <summary>Opens and closes one connection; throws what Npgsql throws when the database is unreachable.</summary>
    public static async Task CheckReachableAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
