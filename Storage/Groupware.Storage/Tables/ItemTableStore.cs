using Dapper;
using Npgsql;

namespace Groupware.Storage.Tables;

/// <summary>A folder's counts: items, unread items (mail) and octets.</summary>
public sealed record FolderCounts(long FolderId, long Total, long Unread, long Size);

/// <summary>
/// Runs item tables (<see cref="ItemTable"/>) and the folder counts of a hierarchy listing, for
/// the RPC front-end: each one statement over indexed columns.
/// </summary>
public sealed class ItemTableStore(NpgsqlDataSource dataSource)
{
    // The counters the mailbox rows keep (Migrations/0017), not a count of the account's messages.
    private const string SelectMailCounts = """
        SELECT b.id AS folderid, b.message_count AS total, b.unseen_count AS unread, b.message_bytes AS size
        FROM mailboxes b WHERE b.account_id = @accountId AND b.message_count > 0
        """;

    private const string SelectCalendarCounts = """
        SELECT o.calendar_id AS folderid, count(*) AS total, 0::bigint AS unread, COALESCE(sum(o.size), 0)::bigint AS size
        FROM calendar_objects o WHERE o.account_id = @accountId GROUP BY o.calendar_id
        """;

    /// <summary>A page of a table, the total it matches and whether more rows follow, read in one snapshot.</summary>
    public async Task<TablePage> QueryAsync(TableQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (pageSql, countSql, parameters) = ItemTable.Build(query);
        var types = query.Columns.Concat(query.Sort.Select(s => s.Column)).Select(c => ItemTable.Column(query.Kind, c)!.Value.Type).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var page = new NpgsqlBatchCommand(pageSql);
        page.Parameters.AddRange(parameters.ToArray());
        var count = new NpgsqlBatchCommand(countSql);
        count.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
        batch.BatchCommands.Add(page);
        batch.BatchCommands.Add(count);
        var rows = new List<TableRow>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[types.Length];
            for (var i = 0; i < types.Length; i++)
            {
                var ordinal = i + 1;
                values[i] = reader.IsDBNull(ordinal) ? null : types[i] switch
                {
                    ColumnType.Text => reader.GetString(ordinal),
                    ColumnType.Number => reader.GetInt64(ordinal),
                    ColumnType.Boolean => reader.GetBoolean(ordinal),
                    _ => new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc)),
                };
            }

            rows.Add(new TableRow(reader.GetString(0), values[..query.Columns.Count], values[query.Columns.Count..]));
        }

        // The page statement reads one row past the limit: its presence says that more follow.
        var more = rows.Count > query.Limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TablePage(rows, reader.GetInt64(0), more);
    }

    /// <summary>The counts of every mailbox of the account that has messages (others have none).</summary>
    public Task<IReadOnlyDictionary<long, FolderCounts>> MailCountsAsync(long accountId, CancellationToken cancellationToken) =>
        CountsAsync(SelectMailCounts, accountId, cancellationToken);

    /// <summary>The counts of every calendar of the account that has objects.</summary>
    public Task<IReadOnlyDictionary<long, FolderCounts>> CalendarCountsAsync(long accountId, CancellationToken cancellationToken) =>
        CountsAsync(SelectCalendarCounts, accountId, cancellationToken);

    private async Task<IReadOnlyDictionary<long, FolderCounts>> CountsAsync(string sql, long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<FolderCounts>(new CommandDefinition(sql, new { accountId }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.FolderId);
    }
}
