using Dapper;
using Npgsql;

namespace Groupware.Storage.Mail;

public sealed partial class MailStore
{
    private const string SelectBlobsOfMessages = """
        SELECT DISTINCT blob_id FROM messages
        WHERE account_id = @accountId AND mailbox_id = @mailboxId AND uid = ANY(@uids)
        ORDER BY blob_id
        """;

    // (system_flags & 8) <> 0 as the partial index messages_deleted spells it.
    private const string SelectBlobsOfDeleted = """
        SELECT DISTINCT blob_id FROM messages
        WHERE account_id = @accountId AND mailbox_id = @mailboxId AND (system_flags & 8) <> 0 AND (@uids::bigint[] IS NULL OR uid = ANY(@uids))
        ORDER BY blob_id
        """;

    private const string SelectBlobsOfMailbox = """
        SELECT DISTINCT blob_id FROM messages WHERE account_id = @accountId AND mailbox_id = @mailboxId ORDER BY blob_id
        """;

    private const string LockBlobs = "SELECT id FROM blobs WHERE id = ANY(@blobIds) ORDER BY id FOR UPDATE";

    private const string LockMailbox = """
        SELECT highest_modseq FROM mailboxes WHERE account_id = @accountId AND id = @mailboxId FOR UPDATE
        """;

    private const string LockSelectableMailbox = """
        SELECT highest_modseq FROM mailboxes WHERE account_id = @accountId AND id = @mailboxId AND selectable FOR UPDATE
        """;

    // Only messages whose blobs this transaction locked: one that arrived (or was flagged) after the
    // blobs were read is left for the caller to notice and go round again.
    private const string DeleteMessages = """
        DELETE FROM messages
        WHERE account_id = @accountId AND mailbox_id = @mailboxId AND blob_id = ANY(@blobIds)
          AND (@uids::bigint[] IS NULL OR uid = ANY(@uids)) AND (NOT @onlyDeleted OR (system_flags & 8) <> 0)
        RETURNING uid, size
        """;

    private const string RecordExpunges = """
        INSERT INTO expunged_messages (account_id, mailbox_id, uid, modseq)
        SELECT @accountId, @mailboxId, uid, @modseq FROM unnest(@uids) AS uid
        """;

    // Under the mailbox's lock, before this expunge's own records (whose expunged_at is now(), never
    // below it): the records older than the retention go, and the mailbox remembers the highest
    // MODSEQ among them, below which VANISHED (EARLIER) can no longer be told from the records alone.
    private const string PruneExpunges = """
        WITH pruned AS (
            DELETE FROM expunged_messages
            WHERE account_id = @accountId AND mailbox_id = @mailboxId AND expunged_at < now() - @retention
            RETURNING modseq
        )
        UPDATE mailboxes SET expunged_pruned_modseq = GREATEST(expunged_pruned_modseq, (SELECT max(modseq) FROM pruned))
        WHERE account_id = @accountId AND id = @mailboxId AND EXISTS (SELECT 1 FROM pruned)
        """;

    private const string RaiseModSeq = """
        UPDATE mailboxes SET highest_modseq = @modseq WHERE account_id = @accountId AND id = @mailboxId
        """;

    private const string ReleaseQuota = """
        UPDATE accounts SET used_bytes = GREATEST(0, used_bytes - @freed), used_messages = GREATEST(0, used_messages - @count) WHERE id = @accountId
        """;

    // The blobs were locked FOR UPDATE above, so no delivery can start referencing one now; these
    // new statements' snapshots see every reference made before. References first, of this account
    // only; then the shared content no account references any more (its chunks go by cascade).
    private const string DeleteUnusedBlobs = """
        DELETE FROM blob_references r WHERE r.account_id = @accountId AND r.blob_id = ANY(@blobIds)
            AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = r.account_id AND m.blob_id = r.blob_id);
        DELETE FROM blobs b WHERE b.id = ANY(@blobIds) AND NOT EXISTS (SELECT 1 FROM blob_references r WHERE r.blob_id = b.id);
        """;

    /// <summary>
    /// Removes messages in one transaction (POP3's UPDATE state is atomic): each removed UID is
    /// recorded with the expunge's MODSEQ for QRESYNC, the account's quota usage goes down, bodies
    /// no other message shares are deleted, and the mailbox's trigger sends a NOTIFY on commit.
    /// UIDs not (or no longer) present are ignored. Returns how many messages were removed.
    /// </summary>
    public async Task<int> ExpungeAsync(long accountId, long mailboxId, IReadOnlyCollection<long> uids, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return 0;
        }

        // A UID's blob never changes and a UID is never given twice: the blobs read first are all there will be.
        var removed = await ExpungeWhereAsync(accountId, mailboxId, uids.Distinct().ToArray(), onlyDeleted: false, cancellationToken);
        return removed.Count;
    }

    /// <summary>
    /// EXPUNGE (RFC 9051 §6.4.3), or UID EXPUNGE (§6.4.9) when <paramref name="onlyUids"/> is given:
    /// removes the messages that have \Deleted at the moment the mailbox is locked, as
    /// <see cref="ExpungeAsync"/> does, and returns their UIDs in ascending order.
    /// </summary>
    public async Task<IReadOnlyList<long>> ExpungeDeletedAsync(long accountId, long mailboxId, IReadOnlyList<long>? onlyUids,
        CancellationToken cancellationToken)
    {
        if (onlyUids is { Count: 0 })
        {
            return [];
        }

        return await ExpungeWhereAsync(accountId, mailboxId, onlyUids?.Distinct().ToArray(), onlyDeleted: true, cancellationToken);
    }

    private async Task<IReadOnlyList<long>> ExpungeWhereAsync(long accountId, long mailboxId, long[]? uids, bool onlyDeleted,
        CancellationToken cancellationToken)
    {
        var select = onlyDeleted ? SelectBlobsOfDeleted : SelectBlobsOfMessages;
        return await WithBlobsLockedAsync(select, new { accountId, mailboxId, uids }, recheck: onlyDeleted,
            (connection, transaction) => LockMailboxAsync(connection, transaction, accountId, mailboxId, cancellationToken),
            async (connection, transaction, blobIds, highest) =>
            {
                var removed = await RemoveMessagesAsync(connection, transaction, accountId, mailboxId, blobIds, uids, onlyDeleted,
                    highest + 1, cancellationToken);
                if (removed.Count > 0)
                {
                    await connection.ExecuteAsync(new CommandDefinition(RaiseModSeq, new { accountId, mailboxId, modseq = highest + 1 },
                        transaction, cancellationToken: cancellationToken));
                }

                return (IReadOnlyList<long>)removed.Select(r => r.Uid).Order().ToList();
            }, [], cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction that holds, in the lock order, the blob rows of
    /// the messages <paramref name="selectBlobs"/> finds FOR UPDATE and then the mailbox rows
    /// <paramref name="lockMailboxes"/> locks (it answers the HIGHESTMODSEQ of the mailbox whose
    /// messages go, or null when it is gone). With <paramref name="recheck"/>, the set is read again
    /// under the mailbox's lock (when more messages may have come to match meanwhile: new ones, or
    /// newly \Deleted), and the transaction starts over if a blob is missing from the locked ones.
    /// Answers <paramref name="none"/> when the mailbox is gone.
    /// </summary>
    private async Task<T> WithBlobsLockedAsync<T>(string selectBlobs, object keys, bool recheck,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<long?>> lockMailboxes, Func<NpgsqlConnection, NpgsqlTransaction, long[], long, Task<T>> body,
        T none, CancellationToken cancellationToken) =>
        await WithDeadlockRetryAsync(async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var blobIds = (await connection.QueryAsync<long>(new CommandDefinition(selectBlobs, keys, transaction,
                    cancellationToken: cancellationToken))).ToArray();
                if (blobIds.Length > 0)
                {
                    await connection.ExecuteAsync(new CommandDefinition(LockBlobs, new { blobIds }, transaction, cancellationToken: cancellationToken));
                }

                var highest = await lockMailboxes(connection, transaction);
                if (highest is null)
                {
                    return none;
                }

                if (recheck)
                {
                    var now = await connection.QueryAsync<long>(new CommandDefinition(selectBlobs, keys, transaction,
                        cancellationToken: cancellationToken));
                    if (now.Except(blobIds).Any())
                    {
                        if (attempt < 10)
                        {
                            continue;
                        }

                        throw new InvalidOperationException($"the messages of mailbox {keys} kept getting new bodies while they were being removed");
                    }
                }

                var result = await body(connection, transaction, blobIds, highest.Value);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
        });

    /// <summary>Locks a mailbox's row FOR UPDATE and answers its HIGHESTMODSEQ; null when it is gone (or, if asked, a placeholder).</summary>
    private static async Task<long?> LockMailboxAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long accountId, long mailboxId,
        CancellationToken cancellationToken, bool selectable = false) =>
        await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(selectable ? LockSelectableMailbox : LockMailbox,
            new { accountId, mailboxId }, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// Deletes messages of a mailbox whose blobs this transaction holds FOR UPDATE (all of them, or
    /// <paramref name="uids"/>, or only the \Deleted ones), records them as expunged with
    /// <paramref name="expungeModSeq"/> unless it is null, lowers the account's quota usage, and
    /// deletes the blob references and blobs nothing uses any more. The caller raises the mailbox's
    /// MODSEQ (or deletes it).
    /// </summary>
    private async Task<List<(long Uid, long Size)>> RemoveMessagesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        long accountId, long mailboxId, long[] blobIds, long[]? uids, bool onlyDeleted, long? expungeModSeq, CancellationToken cancellationToken)
    {
        if (blobIds.Length == 0)
        {
            return [];
        }

        var removed = (await connection.QueryAsync<(long Uid, long Size)>(new CommandDefinition(DeleteMessages,
            new { accountId, mailboxId, blobIds, uids, onlyDeleted }, transaction, cancellationToken: cancellationToken))).AsList();
        if (removed.Count == 0)
        {
            return removed;
        }

        if (expungeModSeq is { } modseq)
        {
            await connection.ExecuteAsync(new CommandDefinition(PruneExpunges, new { accountId, mailboxId, retention = _options.ExpungedUidRetention },
                transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(RecordExpunges,
                new { accountId, mailboxId, uids = removed.Select(r => r.Uid).ToArray(), modseq }, transaction, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(ReleaseQuota, new { accountId, freed = removed.Sum(r => r.Size), count = (long)removed.Count }, transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(DeleteUnusedBlobs, new { accountId, blobIds }, transaction,
            cancellationToken: cancellationToken));
        return removed;
    }
}
