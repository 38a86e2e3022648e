using System.Data;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Groupware.Storage.Mail;

/// <summary>
/// The mail store over PostgreSQL (schema in Migrations/0003_mail.sql and 0006_imap.sql):
/// mailboxes with their hierarchy and subscriptions, messages with UIDs, MODSEQs, flags and
/// keywords, bodies stored once by content, quota, search, and a NOTIFY on every committed change
/// (raised by a trigger on mailboxes, see <see cref="MailChangeFeed"/>). One instance per node (a
/// DI singleton); every method takes its own pooled connection, and every statement on an account's
/// rows names the account, so that it touches that account's rows only (and, distributed, one shard).
/// </summary>
/// <remarks>
/// <para>Locks are always taken in one order, so that deliveries, expunges and IMAP writers on any
/// number of nodes never deadlock each other: blob rows (by id), then mailbox rows (by id,
/// Archiveopteryx's rule; the rows of a locked mailbox, its messages, keywords and expunge records,
/// only under its lock), then account rows (by id). Where each writer takes them:</para>
/// <list type="bullet">
/// <item>Delivery and APPEND: the blob row (inserted, or FOR KEY SHARE), the target mailbox (delivery: each
/// INBOX, in id order), the accounts (quota); then the account's blob reference and the messages.</item>
/// <item>Expunge (POP3, EXPUNGE, UID EXPUNGE), DELETE of a mailbox, account deletion: the blobs of the
/// messages removed FOR UPDATE, then the mailbox (DELETE: with its superiors), then the account.</item>
/// <item>STORE, COPY, MOVE, RENAME, CREATE, \Recent: mailbox rows only (COPY and MOVE: source and target,
/// RENAME: the subtree and the superiors of both names, CREATE: the name and its superiors; all in id
/// order in one statement), then the account where quota is checked. COPY and MOVE add messages to blob
/// references the account already holds, kept alive by the locked source's messages, so they take no
/// blob lock.</item>
/// </list>
/// <para>Accounts are locked FOR NO KEY UPDATE by the writers here: it serialises quota checks, and does
/// not wait for the FOR KEY SHARE that foreign-key checks of concurrent inserts take on the same row.
/// A deadlock that row locks of foreign-key checks still make possible is retried
/// (<see cref="WithDeadlockRetryAsync{T}"/>).</para>
/// </remarks>
public sealed partial class MailStore(NpgsqlDataSource dataSource, MailStoreOptions? options = null)
{
    private readonly MailStoreOptions _options = options ?? new();

    /// <summary>The NOTIFY channel of committed mailbox changes; see <see cref="MailChangeFeed"/>.</summary>
    public const string ChangeChannel = "groupware_mail";

    private static long _retriedTransactions;

    // New default mailboxes are subscribed, as before subscriptions had a table of their own. A conflict
    // on the name (it exists, perhaps as a placeholder) or on the special use (another mailbox has it)
    // skips that default.
    private const string InsertDefaultMailboxes = """
        WITH created AS (
            INSERT INTO mailboxes (account_id, name, special_use)
            SELECT @accountId, d.name, d.special_use FROM unnest(@names, @specialUses) WITH ORDINALITY AS d(name, special_use, n) ORDER BY d.n
            ON CONFLICT DO NOTHING
            RETURNING account_id, name
        )
        INSERT INTO subscriptions (account_id, name) SELECT account_id, name FROM created ON CONFLICT DO NOTHING
        """;

    private const string SelectMaildrop = """
        SELECT b.id AS mailboxid, b.uid_validity AS uidvalidity, m.uid, m.size
        FROM mailboxes b LEFT JOIN messages m ON m.account_id = b.account_id AND m.mailbox_id = b.id
        WHERE b.account_id = @accountId AND b.name = 'INBOX'
        ORDER BY m.uid
        """;

    private const string SelectMailboxes = """
        SELECT id, account_id AS accountid, name, uid_validity AS uidvalidity, uid_next AS uidnext,
               highest_modseq AS highestmodseq, special_use AS specialuse, selectable
        FROM mailboxes WHERE account_id = @accountId ORDER BY name
        """;

    // One statement, so one snapshot: the trace fields and every chunk of the blob, or no row at all.
    private const string SelectMessageContent = """
        SELECT m.size, m.trace_fields, m.blob_id,
               (SELECT count(*)::integer FROM blob_chunks c WHERE c.blob_id = m.blob_id) AS chunks,
               (SELECT c.data FROM blob_chunks c WHERE c.blob_id = m.blob_id AND c.seq = 0) AS first_chunk
        FROM messages m
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = @uid
        """;

    private const string SelectWholeSmallMessages = """
        SELECT m.uid, m.trace_fields, c.data
        FROM messages m LEFT JOIN blob_chunks c ON c.blob_id = m.blob_id AND c.seq = 0
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = ANY(@uids)
          AND NOT EXISTS (SELECT 1 FROM blob_chunks n WHERE n.blob_id = m.blob_id AND n.seq = 1)
        """;

    /// <summary>
    /// Creates INBOX, Drafts, Sent, Trash, Junk and Archive (RFC 6154 special-use) where missing.
    /// Idempotent and race-free: the (account, name) key lets concurrent callers all succeed.
    /// </summary>
    public async Task EnsureDefaultMailboxesAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await EnsureDefaultMailboxesAsync(connection, null, accountId, cancellationToken);
    }

    /// <summary>
    /// The account's mailboxes by name, placeholders (<see cref="Mailbox.Selectable"/> false) included,
    /// creating the default ones first if the INBOX is missing.
    /// </summary>
    public async Task<IReadOnlyList<Mailbox>> ListMailboxesAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var mailboxes = await QueryMailboxesAsync(connection, accountId, cancellationToken);
        if (!mailboxes.Any(m => m.Name == DefaultMailboxes.Inbox))
        {
            await EnsureDefaultMailboxesAsync(connection, null, accountId, cancellationToken);
            mailboxes = await QueryMailboxesAsync(connection, accountId, cancellationToken);
        }

        return mailboxes;
    }

    /// <summary>
    /// The INBOX's live messages ordered by UID (the POP3 maildrop). Size is the exact octet count
    /// of the stored, CRLF-normalised message; UniqueId is the UIDL value.
    /// </summary>
    public async Task<IReadOnlyList<MaildropMessage>> ListMaildropAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<MaildropRow>(new CommandDefinition(SelectMaildrop, new { accountId },
            cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            await EnsureDefaultMailboxesAsync(connection, null, accountId, cancellationToken);
            return [];
        }

        return rows.Where(r => r.Uid is not null)
            .Select(r => new MaildropMessage(r.MailboxId, r.Uid!.Value, r.Size!.Value, UniqueIdOf(r.UidValidity, r.Uid.Value)))
            .ToList();
    }

    /// <summary>
    /// The stored octets of one message, streamed from PostgreSQL a chunk at a time. The first
    /// chunk comes with the message's row, so a small message costs one query; each further chunk
    /// is fetched when the reader gets to it, holding no connection in between. Its Length is known.
    /// </summary>
    /// <exception cref="MessageNotFoundException">No such message in that account's mailbox.</exception>
    public async Task<Stream> OpenMessageAsync(long accountId, long mailboxId, long uid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectMessageContent, connection);
        command.Parameters.AddWithValue("accountId", accountId);
        command.Parameters.AddWithValue("mailboxId", mailboxId);
        command.Parameters.AddWithValue("uid", uid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new MessageNotFoundException($"no message with UID {uid} in mailbox {mailboxId} of account {accountId}");
        }

        var size = reader.GetInt64(0);
        var traceFields = await reader.GetFieldValueAsync<byte[]>(1, cancellationToken);
        var blobId = reader.GetInt64(2);
        var chunks = reader.GetInt32(3);
        var firstChunk = await reader.IsDBNullAsync(4, cancellationToken) ? null : await reader.GetFieldValueAsync<byte[]>(4, cancellationToken);
        return new MessageStream(dataSource, blobId, chunks, traceFields, firstChunk, size);
    }

    /// <summary>
    /// The whole stored octets of several small messages in one query, for a reader that fetches in
    /// order (POP3 RETR of a whole maildrop). Only messages of at most one chunk are returned; a
    /// UID missing from the answer is too large, or gone, and is read with <see cref="OpenMessageAsync"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, byte[]>> ReadSmallMessagesAsync(long accountId, long mailboxId, IReadOnlyCollection<long> uids,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectWholeSmallMessages, connection);
        command.Parameters.AddWithValue("accountId", accountId);
        command.Parameters.AddWithValue("mailboxId", mailboxId);
        command.Parameters.AddWithValue("uids", uids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var messages = new Dictionary<long, byte[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var trace = await reader.GetFieldValueAsync<byte[]>(1, cancellationToken);
            var body = await reader.IsDBNullAsync(2, cancellationToken) ? [] : await reader.GetFieldValueAsync<byte[]>(2, cancellationToken);
            messages[reader.GetInt64(0)] = [.. trace, .. body];
        }

        return messages;
    }

    /// <summary>The UIDL of a message: UIDVALIDITY and UID, both unique per account and never reused together.</summary>
    internal static string UniqueIdOf(long uidValidity, long uid) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{uidValidity}.{uid}");

    private static async Task EnsureDefaultMailboxesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long accountId,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(InsertDefaultMailboxes, connection, transaction);
        command.Parameters.AddWithValue("accountId", accountId);
        command.Parameters.AddWithValue("names", DefaultMailboxes.All.Select(m => m.Name).ToArray());
        command.Parameters.Add(new NpgsqlParameter("specialUses", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = DefaultMailboxes.All.Select(m => (object?)m.SpecialUse ?? DBNull.Value).ToArray(),
        });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<Mailbox>> QueryMailboxesAsync(NpgsqlConnection connection, long accountId, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<Mailbox>(new CommandDefinition(SelectMailboxes, new { accountId }, cancellationToken: cancellationToken))).AsList();

    /// <summary>
    /// Runs a write transaction again when PostgreSQL aborted it to break a deadlock or a
    /// serialization conflict (40P01, 40001): the lock order above makes these rare, not impossible
    /// (foreign-key checks take locks of their own).
    /// </summary>
    private static async Task<T> WithDeadlockRetryAsync<T>(Func<Task<T>> transaction)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transaction();
            }
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Try again with fresh snapshots.
                Interlocked.Increment(ref _retriedTransactions);
            }
        }
    }

    /// <summary>
    /// How many transactions this process ran again after a deadlock or serialization failure: zero
    /// while the lock order holds, which the lock-order tests check.
    /// </summary>
    internal static long RetriedTransactions => Interlocked.Read(ref _retriedTransactions);

    /// <summary>One row of <see cref="SelectMaildrop"/>; Dapper sets the properties by column name.</summary>
    private sealed class MaildropRow
    {
        public long MailboxId { get; set; }

        public long UidValidity { get; set; }

        public long? Uid { get; set; }

        public long? Size { get; set; }
    }
}
