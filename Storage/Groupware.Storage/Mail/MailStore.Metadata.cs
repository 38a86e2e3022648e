using Dapper;
using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>How far below an entry GETMETADATA looks (RFC 5464 §4.2.2).</summary>
public enum MetadataDepth
{
    /// <summary>The entry itself.</summary>
    Zero,

    /// <summary>The entry and its immediate children.</summary>
    One,

    /// <summary>The entry and everything below it.</summary>
    Infinity,
}

/// <summary>What a SETMETADATA did (RFC 5464 §4.3).</summary>
public enum SetMetadataStatus
{
    Stored,

    /// <summary>No such mailbox.</summary>
    NoSuchMailbox,

    /// <summary>The mailbox (or the server) would hold more than the limit of entries: NO [METADATA TOOMANY].</summary>
    TooMany,
}

/// <summary>
/// METADATA (RFC 5464): annotations of the server (mailbox name "") and of mailboxes, stored per
/// account (Migrations/0016_metadata.sql). Entry names are compared and kept lower-cased (§3.2).
/// </summary>
public sealed partial class MailStore
{
    private const string SelectServerMetadata = "SELECT entry, value FROM server_metadata WHERE account_id = @accountId ORDER BY entry";

    private const string SelectMailboxMetadata = """
        SELECT entry, value FROM mailbox_metadata WHERE account_id = @accountId AND mailbox_id = @mailboxId ORDER BY entry
        """;

    private const string LockAccount = "SELECT 1 FROM accounts WHERE id = @accountId FOR NO KEY UPDATE";

    /// <summary>
    /// The entries of the server (<paramref name="mailboxName"/> "") or of a mailbox that
    /// <paramref name="entries"/> name at <paramref name="depth"/>, by entry name; null when the mailbox does not exist.
    /// </summary>
    public async Task<IReadOnlyList<(string Entry, byte[] Value)>?> GetMetadataAsync(long accountId, string mailboxName, IReadOnlyList<string> entries,
        MetadataDepth depth, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        List<(string Entry, byte[] Value)> all;
        if (mailboxName.Length == 0)
        {
            all = (await connection.QueryAsync<(string, byte[])>(new CommandDefinition(SelectServerMetadata, new { accountId },
                cancellationToken: cancellationToken))).AsList();
        }
        else
        {
            if (await FindMailboxAsync(connection, accountId, MailboxNames.Normalize(mailboxName), cancellationToken) is not { } mailbox)
            {
                return null;
            }

            all = (await connection.QueryAsync<(string, byte[])>(new CommandDefinition(SelectMailboxMetadata, new { accountId, mailboxId = mailbox.Id },
                cancellationToken: cancellationToken))).AsList();
        }

        var wanted = entries.Select(e => e.ToLowerInvariant()).ToList();
        return [.. all.Where(stored => wanted.Any(entry => Matches(stored.Entry, entry, depth)))];
    }

    /// <summary>
    /// Sets (a value) and removes (null) entries of the server or a mailbox, all or none, keeping
    /// the number of entries there at most <paramref name="maxEntries"/>.
    /// </summary>
    public async Task<SetMetadataStatus> SetMetadataAsync(long accountId, string mailboxName, IReadOnlyList<(string Entry, byte[]? Value)> changes,
        int maxEntries, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long? mailboxId = null;
        if (mailboxName.Length > 0)
        {
            if (await FindMailboxAsync(connection, accountId, MailboxNames.Normalize(mailboxName), cancellationToken) is not { } mailbox)
            {
                return SetMetadataStatus.NoSuchMailbox;
            }

            mailboxId = mailbox.Id;
        }

        // The mailbox's row (or the account's, for the server) serialises writers, so the count below holds at commit.
        var locked = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(mailboxId is null ? LockAccount : LockTarget,
            new { accountId, mailboxId }, transaction, cancellationToken: cancellationToken));
        if (locked is null)
        {
            return SetMetadataStatus.NoSuchMailbox;
        }

        var table = mailboxId is null ? "server_metadata" : "mailbox_metadata";
        var owner = mailboxId is null ? "account_id = @accountId" : "account_id = @accountId AND mailbox_id = @mailboxId";
        foreach (var (entry, value) in changes)
        {
            var sql = value is null
                ? $"DELETE FROM {table} WHERE {owner} AND entry = @entry"
                : mailboxId is null
                    ? "INSERT INTO server_metadata (account_id, entry, value) VALUES (@accountId, @entry, @value) ON CONFLICT (account_id, entry) DO UPDATE SET value = EXCLUDED.value"
                    : "INSERT INTO mailbox_metadata (account_id, mailbox_id, entry, value) VALUES (@accountId, @mailboxId, @entry, @value) "
                      + "ON CONFLICT (account_id, mailbox_id, entry) DO UPDATE SET value = EXCLUDED.value";
            await connection.ExecuteAsync(new CommandDefinition(sql, new { accountId, mailboxId, entry = entry.ToLowerInvariant(), value }, transaction,
                cancellationToken: cancellationToken));
        }

        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {table} WHERE {owner}",
            new { accountId, mailboxId }, transaction, cancellationToken: cancellationToken));
        if (count > maxEntries)
        {
            return SetMetadataStatus.TooMany;
        }

        await transaction.CommitAsync(cancellationToken);
        return SetMetadataStatus.Stored;
    }

    /// <summary>Whether a stored entry is <paramref name="entry"/> or, at depth 1 or infinity, below it.</summary>
    private static bool Matches(string stored, string entry, MetadataDepth depth)
    {
        if (stored == entry)
        {
            return true;
        }

        if (depth == MetadataDepth.Zero || !stored.StartsWith(entry + "/", StringComparison.Ordinal))
        {
            return false;
        }

        return depth == MetadataDepth.Infinity || stored.IndexOf('/', entry.Length + 1) < 0;
    }
}
