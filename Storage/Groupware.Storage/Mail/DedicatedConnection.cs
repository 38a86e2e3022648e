using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>
/// A connection outside the pool, for state that lives as long as a server session: LISTEN (see
/// <see cref="MailChangeFeed"/>). Closing it ends the server session, which releases what it held;
/// so does the death of the node, since the kernel closes its sockets. It carries the data
/// source's credentials (<see cref="NpgsqlConnection.CloneWith(string)"/>) without taking a pool slot.
/// </summary>
internal static class DedicatedConnection
{
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var template = dataSource.CreateConnection();
        var builder = new NpgsqlConnectionStringBuilder(template.ConnectionString)
        {
            Pooling = false,
            // Notices a vanished peer on a TCP connection within a minute or so.
            KeepAlive = 30,
        };
        var connection = template.CloneWith(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
