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

    private const string SelectInboxes = """
        SELECT account_id, id FROM mailboxes WHERE account_id = ANY(@accountIds) AND name = 'INBOX'
        """;

    private const string InsertBlob = """
        INSERT INTO blobs (sha256, size, envelope, body_structure, subject, sent_date, message_id, header_text)
        VALUES (@sha256, @size, @envelope, @bodyStructure, @subject, @sentDate, @messageId, @headerText)
        ON CONFLICT (sha256) DO NOTHING
        RETURNING id
        """;

    // KEY SHARE: a concurrent expunge's FOR UPDATE of the same blob waits for this transaction.
    private const string ShareBlob = "SELECT id FROM blobs WHERE sha256 = @sha256 FOR KEY SHARE";

    private const string CopyChunks = "COPY blob_chunks (blob_id, seq, data) FROM STDIN (FORMAT BINARY)";

    private const string LockMailboxes = """
        SELECT id, uid_next, highest_modseq FROM mailboxes WHERE id = ANY(@mailboxIds) ORDER BY id FOR UPDATE
        """;

    private const string LockAccounts = """
        SELECT id, disabled, quota_bytes, used_bytes FROM accounts WHERE id = ANY(@accountIds) ORDER BY id FOR UPDATE
        """;

    private const string InsertMessages = """
        INSERT INTO messages (account_id, mailbox_id, uid, modseq, blob_id, trace_fields, size, internal_date)
        SELECT d.account_id, d.mailbox_id, d.uid, d.modseq, @blobId, d.trace_fields, d.size, @internalDate
        FROM unnest(@accountIds, @mailboxIds, @uids, @modseqs, @traceFields, @sizes)
             AS d(account_id, mailbox_id, uid, modseq, trace_fields, size)
        """;

    private const string UpdateMailboxes = """
        UPDATE mailboxes b SET uid_next = d.uid_next, highest_modseq = d.modseq
        FROM unnest(@mailboxIds, @uidNexts, @modseqs) AS d(id, uid_next, modseq) WHERE b.id = d.id
        """;

    private const string UpdateAccounts = """
        UPDATE accounts a SET used_bytes = a.used_bytes + d.added
        FROM unnest(@accountIds, @added) AS d(id, added) WHERE a.id = d.id
        """;

    private const string NotifyMany = "SELECT pg_notify(@channel, payload) FROM unnest(@payloads) AS payload";

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
        var inboxes = await FindOrCreateInboxesAsync(accountIds, cancellationToken);
        return await WithDeadlockRetryAsync(() => DeliverOnceAsync(message, deliveries, inboxes, internalDate, cancellationToken));
    }

    private async Task<IReadOnlyList<DeliveryResult>> DeliverOnceAsync(IncomingMessage message, IReadOnlyList<MessageDelivery> deliveries,
        Dictionary<long, long> inboxes, DateTimeOffset internalDate, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var blobId = await StoreBlobAsync(connection, transaction, message, cancellationToken);

        var mailboxIds = inboxes.Values.Distinct().Order().ToArray();
        var mailboxes = (await connection.QueryAsync<(long Id, long UidNext, long HighestModSeq)>(new CommandDefinition(LockMailboxes,
                new { mailboxIds }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(m => m.Id, m => new MailboxCounters(m.UidNext, m.HighestModSeq + 1));
        var accounts = (await connection.QueryAsync<(long Id, bool Disabled, long? QuotaBytes, long UsedBytes)>(new CommandDefinition(LockAccounts,
                new { accountIds = inboxes.Keys.ToArray() }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(a => a.Id, a => new AccountUsage(a.Disabled, a.QuotaBytes, a.UsedBytes));

        var results = new DeliveryResult[deliveries.Count];
        var rows = new List<(long AccountId, long MailboxId, long Uid, long ModSeq, byte[] TraceFields, long Size)>();
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            var size = delivery.TraceFields.Length + message.Size;
            if (!inboxes.TryGetValue(delivery.AccountId, out var mailboxId) || !accounts.TryGetValue(delivery.AccountId, out var account)
                || !mailboxes.TryGetValue(mailboxId, out var counters))
            {
                results[i] = new DeliveryResult(DeliveryStatus.NoSuchAccount);
            }
            else if (account.Disabled)
            {
                results[i] = new DeliveryResult(DeliveryStatus.Disabled);
            }
            else if (account.QuotaBytes is { } quota && account.UsedBytes + account.Added + size > quota)
            {
                results[i] = new DeliveryResult(DeliveryStatus.MailboxFull);
            }
            else
            {
                var uid = counters.UidNext++;
                account.Added += size;
                rows.Add((delivery.AccountId, mailboxId, uid, counters.ModSeq, delivery.TraceFields.ToArray(), size));
                results[i] = new DeliveryResult(DeliveryStatus.Delivered, mailboxId, uid);
            }
        }

        if (rows.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return results;
        }

        await using (var insert = new NpgsqlCommand(InsertMessages, connection, transaction))
        {
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
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var changed = rows.Select(r => r.MailboxId).Distinct().ToArray();
        await connection.ExecuteAsync(new CommandDefinition(UpdateMailboxes, new
        {
            mailboxIds = changed,
            uidNexts = changed.Select(id => mailboxes[id].UidNext).ToArray(),
            modseqs = changed.Select(id => mailboxes[id].ModSeq).ToArray(),
        }, transaction, cancellationToken: cancellationToken));
        var charged = accounts.Where(a => a.Value.Added > 0).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(UpdateAccounts, new
        {
            accountIds = charged.Select(a => a.Key).ToArray(),
            added = charged.Select(a => a.Value.Added).ToArray(),
        }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(NotifyMany, new
        {
            channel = ChangeChannel,
            payloads = rows.GroupBy(r => r.MailboxId)
                .Select(g => MailboxChange.Payload(g.First().AccountId, g.Key, mailboxes[g.Key].ModSeq, mailboxes[g.Key].UidNext))
                .ToArray(),
        }, transaction, cancellationToken: cancellationToken));
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
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await using (var insert = new NpgsqlCommand(InsertBlob, connection, transaction))
            {
                insert.Parameters.AddWithValue("sha256", message.Sha256);
                insert.Parameters.AddWithValue("size", message.Size);
                insert.Parameters.AddWithValue("envelope", NpgsqlDbType.Jsonb, summary.EnvelopeJson);
                insert.Parameters.AddWithValue("bodyStructure", NpgsqlDbType.Jsonb, summary.BodyStructureJson);
                insert.Parameters.AddWithValue("subject", NpgsqlDbType.Text, (object?)summary.Subject ?? DBNull.Value);
                insert.Parameters.AddWithValue("sentDate", NpgsqlDbType.TimestampTz, (object?)summary.SentDate?.ToUniversalTime() ?? DBNull.Value);
                insert.Parameters.AddWithValue("messageId", NpgsqlDbType.Text, (object?)summary.MessageId ?? DBNull.Value);
                insert.Parameters.AddWithValue("headerText", summary.HeaderText);
                if (await insert.ExecuteScalarAsync(cancellationToken) is long inserted)
                {
                    await CopyChunksAsync(connection, inserted, message, cancellationToken);
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

    /// <summary>The INBOX of each account, creating the default mailboxes of an account that has none yet.</summary>
    private async Task<Dictionary<long, long>> FindOrCreateInboxesAsync(long[] accountIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inboxes = await QueryInboxesAsync(connection, accountIds, cancellationToken);
        var missing = accountIds.Where(a => !inboxes.ContainsKey(a)).ToList();
        if (missing.Count == 0)
        {
            return inboxes;
        }

        foreach (var accountId in missing)
        {
            try
            {
                await EnsureDefaultMailboxesAsync(connection, null, accountId, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                // The account was deleted meanwhile; its delivery reports NoSuchAccount.
            }
        }

        return await QueryInboxesAsync(connection, accountIds, cancellationToken);
    }

    private static async Task<Dictionary<long, long>> QueryInboxesAsync(NpgsqlConnection connection, long[] accountIds,
        CancellationToken cancellationToken) =>
        (await connection.QueryAsync<(long AccountId, long MailboxId)>(new CommandDefinition(SelectInboxes, new { accountIds },
            cancellationToken: cancellationToken)))
        .ToDictionary(r => r.AccountId, r => r.MailboxId);

    /// <summary>A locked mailbox's next UID and the MODSEQ of this transaction's change to it.</summary>
    private sealed class MailboxCounters(long uidNext, long modSeq)
    {
        public long UidNext { get; set; } = uidNext;

        public long ModSeq { get; } = modSeq;
    }

    /// <summary>A locked account's quota state and what this transaction adds to its usage.</summary>
    private sealed class AccountUsage(bool disabled, long? quotaBytes, long usedBytes)
    {
        public bool Disabled { get; } = disabled;

        public long? QuotaBytes { get; } = quotaBytes;

        public long UsedBytes { get; } = usedBytes;

        public long Added { get; set; }
    }
}
