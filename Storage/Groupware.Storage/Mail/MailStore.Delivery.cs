using System.Buffers;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Groupware.Storage.Mail;

public sealed partial class MailStore
{
    /// <summary>
    /// Slice size of blob_chunks: 256 KiB, large enough that a 50 MB message is 200 rows, small
    /// enough that neither the node nor the PostgreSQL backend holds much of a message at once.
    /// </summary>
    internal const int ChunkSize = 256 * 1024;

    private const string InsertBlob = """
        INSERT INTO blobs (sha256, size, envelope, body_structure, subject, sent_date, sent_day, message_id, header_text, body_text,
                           summary_version, sort_subject, reply_or_forward, thread_references, preview)
        VALUES (@sha256, @size, @envelope, @bodyStructure, @subject, @sentDate, @sentDay, @messageId, @headerText, @bodyText, @summaryVersion,
                @sortSubject, @replyOrForward, @threadReferences, @preview)
        ON CONFLICT (sha256) DO NOTHING
        RETURNING id
        """;

    // KEY SHARE: a concurrent expunge's FOR UPDATE of the same blob waits for this transaction.
    private const string ShareBlob = "SELECT id FROM blobs WHERE sha256 = @sha256 FOR KEY SHARE";

    // A body that fits one chunk goes in with its blob row in one statement (the common case: one
    // round trip); a larger one is streamed with COPY after the row.
    private const string InsertSmallBlob = """
        WITH blob AS (
            INSERT INTO blobs (sha256, size, envelope, body_structure, subject, sent_date, sent_day, message_id, header_text, body_text,
                               summary_version, sort_subject, reply_or_forward, thread_references, preview)
            VALUES (@sha256, @size, @envelope, @bodyStructure, @subject, @sentDate, @sentDay, @messageId, @headerText, @bodyText,
                    @summaryVersion, @sortSubject, @replyOrForward, @threadReferences, @preview)
            ON CONFLICT (sha256) DO NOTHING
            RETURNING id
        ), chunk AS (
            INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, 0, @data FROM blob WHERE length(@data) > 0
        )
        SELECT id FROM blob
        """;

    private const string CopyChunks = "COPY blob_chunks (blob_id, seq, data) FROM STDIN (FORMAT BINARY)";

    // The INBOXes are found and locked in one statement, in mailbox-id order.
    private const string LockInboxes = """
        SELECT account_id, id, uid_next, highest_modseq FROM mailboxes
        WHERE account_id = ANY(@accountIds) AND name = 'INBOX' ORDER BY id FOR UPDATE
        """;

    // NO KEY UPDATE: enough to serialise quota checks, and no wait for the KEY SHARE that foreign-key
    // checks of other writers' inserts hold on the account.
    private const string LockAccounts = """
        SELECT id, disabled, quota_bytes, used_bytes, quota_messages, used_messages FROM accounts WHERE id = ANY(@accountIds) ORDER BY id FOR NO KEY UPDATE
        """;

    // After the accounts are locked, so that the account exists; the blob row is held already.
    private const string InsertReferences = """
        INSERT INTO blob_references (account_id, blob_id) SELECT DISTINCT a, @blobId FROM unnest(@accountIds) AS a
        ON CONFLICT DO NOTHING
        """;

    private const string InsertMessages = """
        INSERT INTO messages (account_id, mailbox_id, uid, modseq, blob_id, trace_fields, size, internal_date)
        SELECT d.account_id, d.mailbox_id, d.uid, d.modseq, @blobId, d.trace_fields, d.size, @internalDate
        FROM unnest(@accountIds, @mailboxIds, @uids, @modseqs, @traceFields, @sizes)
             AS d(account_id, mailbox_id, uid, modseq, trace_fields, size)
        """;

    private const string UpdateMailboxes = """
        UPDATE mailboxes b SET uid_next = d.uid_next, highest_modseq = d.modseq
        FROM unnest(@accountIds, @mailboxIds, @uidNexts, @modseqs) AS d(account_id, id, uid_next, modseq)
        WHERE b.account_id = d.account_id AND b.id = d.id
        """;

    private const string UpdateAccounts = """
        UPDATE accounts a SET used_bytes = a.used_bytes + d.added, used_messages = a.used_messages + d.messages
        FROM unnest(@accountIds, @added, @messages) AS d(id, added, messages) WHERE a.id = d.id
        """;

    /// <summary>
    /// Stores <paramref name="message"/> (complete, within its size limit) in the INBOX of each
    /// delivery's account, in ONE transaction: the body once, in blobs (shared with any earlier
    /// message of the same content), then one messages row per delivery with a UID and MODSEQ taken
    /// under the mailbox's row lock, and the quota usage raised. Only deliveries the account can take
    /// are stored; the results say, in order, what became of each. Nothing is visible, and nothing
    /// must be acknowledged, before this returns.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryResult>> DeliverAsync(IncomingMessage message, IReadOnlyList<MessageDelivery> deliveries,
        DateTimeOffset internalDate, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0)
        {
            return [];
        }

        var accountIds = deliveries.Select(d => d.AccountId).Distinct().Order().ToArray();
        return await WithDeadlockRetryAsync(async () =>
            await DeliverOnceAsync(message, deliveries, accountIds, internalDate, createMissingInboxes: true, cancellationToken)
            ?? (await DeliverOnceAsync(message, deliveries, accountIds, internalDate, createMissingInboxes: false, cancellationToken))!);
    }

    /// <summary>
    /// One delivery transaction; null when it found accounts without an INBOX, created their default
    /// mailboxes and must be run again (only with <paramref name="createMissingInboxes"/>).
    /// </summary>
    private async Task<IReadOnlyList<DeliveryResult>?> DeliverOnceAsync(IncomingMessage message, IReadOnlyList<MessageDelivery> deliveries,
        long[] accountIds, DateTimeOffset internalDate, bool createMissingInboxes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var blobId = await StoreBlobAsync(connection, transaction, message, cancellationToken);

        var (inboxes, accounts) = await LockInboxesAndAccountsAsync(connection, transaction, accountIds, cancellationToken);
        var withoutInbox = accounts.Keys.Where(a => !inboxes.ContainsKey(a)).ToList();
        if (withoutInbox.Count > 0 && createMissingInboxes)
        {
            // First delivery to these accounts. Their mailboxes are created between two transactions,
            // never under the account rows' locks: a new INBOX locked after its account breaks the lock
            // order, and deadlocks with a delivery that holds that INBOX and waits for the account.
            await transaction.RollbackAsync(cancellationToken);
            foreach (var accountId in withoutInbox)
            {
                await EnsureDefaultMailboxesAsync(connection, null, accountId, cancellationToken);
            }

            return null;
        }

        var results = new DeliveryResult[deliveries.Count];
        var rows = new List<(long AccountId, long MailboxId, long Uid, long ModSeq, byte[] TraceFields, long Size)>();
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            var size = delivery.TraceFields.Length + message.Size;
            if (!inboxes.TryGetValue(delivery.AccountId, out var counters) || !accounts.TryGetValue(delivery.AccountId, out var account))
            {
                results[i] = new DeliveryResult(DeliveryStatus.NoSuchAccount);
            }
            else if (account.Disabled)
            {
                results[i] = new DeliveryResult(DeliveryStatus.Disabled);
            }
            else if (!account.HasRoom(size))
            {
                results[i] = new DeliveryResult(DeliveryStatus.MailboxFull);
            }
            else
            {
                var uid = counters.UidNext++;
                account.Added += size;
                account.AddedMessages++;
                rows.Add((delivery.AccountId, counters.MailboxId, uid, counters.ModSeq, delivery.TraceFields.ToArray(), size));
                results[i] = new DeliveryResult(DeliveryStatus.Delivered, counters.MailboxId, uid);
            }
        }

        if (rows.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return results;
        }

        var mailboxes = inboxes.Values.ToDictionary(m => m.MailboxId);
        var changed = rows.Select(r => r.MailboxId).Distinct().ToArray();
        var charged = accounts.Where(a => a.Value.Added > 0).ToArray();
        await using (var write = new NpgsqlBatch(connection, transaction))
        {
            var references = new NpgsqlBatchCommand(InsertReferences);
            references.Parameters.AddWithValue("blobId", blobId);
            references.Parameters.AddWithValue("accountIds", rows.Select(r => r.AccountId).Distinct().ToArray());
            write.BatchCommands.Add(references);

            var insert = new NpgsqlBatchCommand(InsertMessages);
            insert.Parameters.AddWithValue("blobId", blobId);
            insert.Parameters.AddWithValue("internalDate", internalDate.ToUniversalTime());
            insert.Parameters.AddWithValue("accountIds", rows.Select(r => r.AccountId).ToArray());
            insert.Parameters.AddWithValue("mailboxIds", rows.Select(r => r.MailboxId).ToArray());
            insert.Parameters.AddWithValue("uids", rows.Select(r => r.Uid).ToArray());
            insert.Parameters.AddWithValue("modseqs", rows.Select(r => r.ModSeq).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("traceFields", NpgsqlDbType.Array | NpgsqlDbType.Bytea)
            {
                Value = rows.Select(r => r.TraceFields).ToArray(),
            });
            insert.Parameters.AddWithValue("sizes", rows.Select(r => r.Size).ToArray());
            write.BatchCommands.Add(insert);

            var updateMailboxes = new NpgsqlBatchCommand(UpdateMailboxes);
            updateMailboxes.Parameters.AddWithValue("accountIds", changed.Select(id => mailboxes[id].AccountId).ToArray());
            updateMailboxes.Parameters.AddWithValue("mailboxIds", changed);
            updateMailboxes.Parameters.AddWithValue("uidNexts", changed.Select(id => mailboxes[id].UidNext).ToArray());
            updateMailboxes.Parameters.AddWithValue("modseqs", changed.Select(id => mailboxes[id].ModSeq).ToArray());
            write.BatchCommands.Add(updateMailboxes);

            var updateAccounts = new NpgsqlBatchCommand(UpdateAccounts);
            updateAccounts.Parameters.AddWithValue("accountIds", charged.Select(a => a.Key).ToArray());
            updateAccounts.Parameters.AddWithValue("added", charged.Select(a => a.Value.Added).ToArray());
            updateAccounts.Parameters.AddWithValue("messages", charged.Select(a => a.Value.AddedMessages).ToArray());
            write.BatchCommands.Add(updateAccounts);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>
    /// The blob of the message's content: a new row whose chunks are copied in now, or the existing
    /// one, share-locked so that no expunge deletes it before this transaction commits. If the
    /// existing one is deleted between the two statements, the loop inserts it again.
    /// </summary>
    private static async Task<long> StoreBlobAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IncomingMessage message,
        CancellationToken cancellationToken)
    {
        var summary = message.Summary ?? throw new InvalidOperationException("the message is not complete");
        var small = message.Size <= ChunkSize;
        var content = small ? new byte[message.Size] : null;
        if (content is not null)
        {
            await message.OpenContent().ReadExactlyAsync(content, cancellationToken);
        }

        for (var attempt = 0; attempt < 10; attempt++)
        {
            await using (var insert = new NpgsqlCommand(small ? InsertSmallBlob : InsertBlob, connection, transaction))
            {
                if (content is not null)
                {
                    insert.Parameters.AddWithValue("data", NpgsqlDbType.Bytea, content);
                }

                insert.Parameters.AddWithValue("sha256", message.Sha256);
                insert.Parameters.AddWithValue("size", message.Size);
                insert.Parameters.AddWithValue("envelope", NpgsqlDbType.Jsonb, summary.EnvelopeJson);
                insert.Parameters.AddWithValue("bodyStructure", NpgsqlDbType.Jsonb, summary.BodyStructureJson);
                insert.Parameters.AddWithValue("subject", NpgsqlDbType.Text, (object?)summary.Subject ?? DBNull.Value);
                insert.Parameters.AddWithValue("sentDate", NpgsqlDbType.TimestampTz, (object?)summary.SentDate?.ToUniversalTime() ?? DBNull.Value);
                insert.Parameters.AddWithValue("messageId", NpgsqlDbType.Text, (object?)summary.MessageId ?? DBNull.Value);
                insert.Parameters.AddWithValue("headerText", summary.HeaderText);
                insert.Parameters.AddWithValue("bodyText", summary.BodyText);
                insert.Parameters.AddWithValue("sentDay", NpgsqlDbType.Date,
                    (object?)(summary.SentDate is { } sent ? DateOnly.FromDateTime(sent.DateTime) : null) ?? DBNull.Value);
                insert.Parameters.AddWithValue("summaryVersion", MessageSummary.CurrentVersion);
                AddSortKeysAndPreview(insert.Parameters, summary);
                if (await insert.ExecuteScalarAsync(cancellationToken) is long inserted)
                {
                    if (!small)
                    {
                        await CopyChunksAsync(connection, inserted, message, cancellationToken);
                    }

                    return inserted;
                }
            }

            var existing = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(ShareBlob, new { sha256 = message.Sha256 },
                transaction, cancellationToken: cancellationToken));
            if (existing is { } id)
            {
                return id;
            }
        }

        throw new InvalidOperationException("the blob of the message kept vanishing while it was being shared");
    }

    /// <summary>Streams the spooled content into blob_chunks with binary COPY, one <see cref="ChunkSize"/> slice per row.</summary>
    private static async Task CopyChunksAsync(NpgsqlConnection connection, long blobId, IncomingMessage message, CancellationToken cancellationToken)
    {
        var content = message.OpenContent();
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await using var importer = await connection.BeginBinaryImportAsync(CopyChunks, cancellationToken);
            for (var seq = 0; ; seq++)
            {
                var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false,
                    cancellationToken);
                if (filled == 0)
                {
                    break;
                }

                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(blobId, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(seq, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(new ReadOnlyMemory<byte>(buffer, 0, filled), NpgsqlDbType.Bytea, cancellationToken);
                if (filled < ChunkSize)
                {
                    break;
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Locks the INBOX of each account (mailbox-id order) and then the accounts (id order), in one
    /// round trip; an account without an INBOX is missing from the first map, a deleted account from both.
    /// </summary>
    private static async Task<(Dictionary<long, MailboxCounters> Inboxes, Dictionary<long, AccountUsage> Accounts)> LockInboxesAndAccountsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long[] accountIds, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        var lockInboxes = new NpgsqlBatchCommand(LockInboxes);
        lockInboxes.Parameters.AddWithValue("accountIds", accountIds);
        batch.BatchCommands.Add(lockInboxes);
        var lockAccounts = new NpgsqlBatchCommand(LockAccounts);
        lockAccounts.Parameters.AddWithValue("accountIds", accountIds);
        batch.BatchCommands.Add(lockAccounts);

        var inboxes = new Dictionary<long, MailboxCounters>();
        var accounts = new Dictionary<long, AccountUsage>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inboxes[reader.GetInt64(0)] = new MailboxCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3) + 1);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts[reader.GetInt64(0)] = new AccountUsage(reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.GetInt64(5));
        }

        return (inboxes, accounts);
    }

    /// <summary>A locked mailbox's next UID and the MODSEQ of this transaction's change to it.</summary>
    private sealed class MailboxCounters(long accountId, long mailboxId, long uidNext, long modSeq)
    {
        public long AccountId { get; } = accountId;

        public long MailboxId { get; } = mailboxId;

        public long UidNext { get; set; } = uidNext;

        public long ModSeq { get; } = modSeq;
    }

    /// <summary>A locked account's quota state (STORAGE and MESSAGE, RFC 9208 §5) and what this transaction adds to its usage.</summary>
    private sealed class AccountUsage(bool disabled, long? quotaBytes, long usedBytes, long? quotaMessages, long usedMessages)
    {
        public bool Disabled { get; } = disabled;

        public long Added { get; set; }

        public long AddedMessages { get; set; }

        /// <summary>Whether one more message of <paramref name="size"/> octets fits both limits.</summary>
        public bool HasRoom(long size) =>
            (quotaBytes is not { } bytes || usedBytes + Added + size <= bytes)
            && (quotaMessages is not { } messages || usedMessages + AddedMessages + 1 <= messages);
    }
}
