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

        // Every store runs a handful of fixed statements per request: let Npgsql prepare the hot ones
        // once per physical connection instead of parsing and planning them on every call.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        // No DISCARD ALL (and the rest of Npgsql's reset) each time a connection goes back to the pool:
        // that is one more statement for every store call, about one in nine of all a node sends under
        // IMAP load. The stores leave nothing on a pooled connection: no SET, no temporary table, no
        // prepared statement of their own; the migrator releases its advisory lock and the auth-block
        // listener runs UNLISTEN before theirs go back, and the mail feed listens on a dedicated one.
        builder.ConnectionStringBuilder.NoResetOnClose = true;

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
