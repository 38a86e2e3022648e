using Dapper;
using Groupware.Storage.Accounts;
using Npgsql;

namespace Groupware.Tests.Support;

/// <summary>A message as the tests look at it in the database.</summary>
public sealed record StoredMessage(long MailboxId, long Uid, long ModSeq, long Size, long BlobId, string? Subject, string TraceFields);

/// <summary>
/// Accounts and mail for tests, on the run's database: creation through the real account store,
/// and the few SQL statements a test needs that no store offers (disable an account, set a quota,
/// look at stored rows).
/// </summary>
public static class MailAccounts
{
    /// <summary>A data source on the run's database with the schema migrated.</summary>
    public static Task<NpgsqlDataSource> OpenAsync(string? connectionString = null) => TestDatabase.OpenAsync(connectionString);

    /// <summary>A new account <c>{prefix}{unique}@example.test</c> with optional aliases (given as local parts).</summary>
    public static async Task<Account> CreateAsync(NpgsqlDataSource dataSource, string prefix, long? quotaBytes = null, params string[] aliasLocalParts)
    {
        var login = $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 12, 40)];
        return await new AccountStore(dataSource).CreateAsync(new NewAccount(login, $"{login}@example.test",
            aliasLocalParts.Select(a => $"{a}-{login}@example.test").ToList(), "{PLAIN}secret", QuotaBytes: quotaBytes), CancellationToken.None);
    }

    /// <summary>
    /// <paramref name="count"/> bare accounts (no addresses, no mailboxes) in one statement, for tests
    /// that need thousands; returns their ids.
    /// </summary>
    public static async Task<long[]> CreateManyAsync(NpgsqlDataSource dataSource, string prefix, int count)
    {
        var login = $"{prefix}{Guid.NewGuid():N}-";
        await using var connection = await dataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("""
            INSERT INTO accounts (login, login_key, password_hash)
            SELECT @login || n, @login || n, '{PLAIN}secret' FROM generate_series(1, @count) AS n
            RETURNING id
            """, new { login, count })).ToArray();
    }

    public static async Task SetDisabledAsync(NpgsqlDataSource dataSource, long accountId, bool disabled)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE accounts SET disabled = @disabled WHERE id = @accountId", new { accountId, disabled });
    }

    public static async Task SetQuotaAsync(NpgsqlDataSource dataSource, long accountId, long? quotaBytes)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE accounts SET quota_bytes = @quotaBytes WHERE id = @accountId", new { accountId, quotaBytes });
    }

    public static async Task<long> UsedBytesAsync(NpgsqlDataSource dataSource, long accountId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT used_bytes FROM accounts WHERE id = @accountId", new { accountId });
    }

    /// <summary>Every live message of the account, by mailbox and UID.</summary>
    public static async Task<List<StoredMessage>> MessagesAsync(NpgsqlDataSource dataSource, long accountId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(long MailboxId, long Uid, long ModSeq, long Size, long BlobId, string? Subject, byte[] Trace)>("""
            SELECT m.mailbox_id, m.uid, m.modseq, m.size, m.blob_id, b.subject, m.trace_fields
            FROM messages m JOIN blobs b ON b.id = m.blob_id
            WHERE m.account_id = @accountId ORDER BY m.mailbox_id, m.uid
            """, new { accountId });
        return rows.Select(r => new StoredMessage(r.MailboxId, r.Uid, r.ModSeq, r.Size, r.BlobId, r.Subject,
            System.Text.Encoding.UTF8.GetString(r.Trace))).ToList();
    }

    /// <summary>How many blobs hold content with this subject (the tests give each message a unique one).</summary>
    public static async Task<long> BlobsWithSubjectAsync(NpgsqlDataSource dataSource, string subject)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM blobs WHERE subject = @subject", new { subject });
    }

    /// <summary>A unique subject, so a test can find its own message among the run's.</summary>
    public static string UniqueSubject(string what) => $"{what} {Guid.NewGuid():N}";
}
