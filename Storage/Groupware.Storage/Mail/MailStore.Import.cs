using Dapper;
using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>One message of an import: its UID in the source (0 when the source gave it none) and what APPEND would store.</summary>
public sealed record ImportedMessage(long Uid, AppendedMessage Message);

/// <summary>What <see cref="MailStore.PrepareImportAsync"/> found.</summary>
public enum ImportMailboxStatus
{
    /// <summary>The mailbox exists with the source's UIDVALIDITY (or with its own, when the source gave none).</summary>
    Ready,

    /// <summary>Not a valid mailbox name.</summary>
    InvalidName,

    /// <summary>The mailbox already holds messages under another UIDVALIDITY: importing into it would break every client's cache.</summary>
    UidValidityConflict,
}

/// <summary>The mailbox an import fills, as it stands before the import.</summary>
public sealed record ImportMailboxResult(ImportMailboxStatus Status, Mailbox? Mailbox = null);

/// <summary>What one <see cref="MailStore.ImportAsync"/> batch did: messages stored, and those already there (or behind UIDNEXT) left alone.</summary>
public sealed record ImportBatchResult(int Imported, int Skipped);

/// <summary>
/// Import from another server (Dovecot's Maildir++ today) keeping UIDVALIDITY and UIDs (RFC 9051
/// §2.3.1.1), so that a client's cache stays valid and nothing is downloaded again.
/// </summary>
public sealed partial class MailStore
{
    /// <summary>The largest UID (RFC 9051 §2.3.1.1: a 32-bit value).</summary>
    private const long MaxUid = uint.MaxValue;

    private const string AdoptUidValidity = """
        UPDATE mailboxes SET uid_validity = @uidValidity
        WHERE account_id = @accountId AND id = @mailboxId AND uid_next = 1
          AND NOT EXISTS (SELECT 1 FROM messages WHERE account_id = @accountId AND mailbox_id = @mailboxId)
        """;

    private const string ContentPresent = """
        SELECT EXISTS (SELECT 1 FROM messages m JOIN blobs b ON b.id = m.blob_id
                       WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND b.sha256 = @sha256)
        """;

    /// <summary>
    /// Creates the mailbox an import fills if it is missing (superiors too, as CREATE does) and gives
    /// it the source's UIDVALIDITY while nothing was ever stored in it (a new account's default
    /// mailboxes included). A mailbox that already has the source's value is ready as it is, which
    /// makes a second run of the same import a no-op.
    /// </summary>
    public async Task<ImportMailboxResult> PrepareImportAsync(long accountId, string name, long? uidValidity, CancellationToken cancellationToken)
    {
        var created = await CreateMailboxAsync(accountId, name, null, cancellationToken);
        if (created is CreateMailboxResult.InvalidName)
        {
            return new ImportMailboxResult(ImportMailboxStatus.InvalidName);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var mailbox = await FindMailboxAsync(connection, accountId, MailboxNames.Normalize(name), cancellationToken);
        if (mailbox is not { Selectable: true })
        {
            return new ImportMailboxResult(ImportMailboxStatus.InvalidName);
        }

        if (uidValidity is not { } wanted || wanted == mailbox.UidValidity)
        {
            return new ImportMailboxResult(ImportMailboxStatus.Ready, mailbox);
        }

        var adopted = await connection.ExecuteAsync(new CommandDefinition(AdoptUidValidity,
            new { accountId, mailboxId = mailbox.Id, uidValidity = wanted }, cancellationToken: cancellationToken));
        return adopted == 1
            ? new ImportMailboxResult(ImportMailboxStatus.Ready, mailbox with { UidValidity = wanted })
            : new ImportMailboxResult(ImportMailboxStatus.UidValidityConflict, mailbox);
    }

    /// <summary>
    /// Stores a batch of imported messages in one transaction, in the order given (ascending source
    /// UIDs): a message with a UID at or above the mailbox's UIDNEXT gets exactly that UID; one below
    /// it is already imported (or was expunged at the source) and is skipped, so an interrupted
    /// import resumes where it stopped and a repeated one stores nothing twice. A message without a
    /// source UID gets the next UID unless the mailbox already holds its content. UIDNEXT ends at
    /// least at <paramref name="sourceUidNext"/>. The quota is charged but not enforced: mail a user
    /// already had is never refused on the way in.
    /// </summary>
    public async Task<ImportBatchResult> ImportAsync(long accountId, long mailboxId, IReadOnlyList<ImportedMessage> messages, long sourceUidNext,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return await WithDeadlockRetryAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var target = (await connection.QueryAsync<(long UidValidity, long UidNext, long HighestModSeq, bool Selectable)>(
                new CommandDefinition(LockTarget, new { accountId, mailboxId }, transaction, cancellationToken: cancellationToken))).ToList();
            if (target is not [{ Selectable: true } locked])
            {
                throw new InvalidOperationException($"mailbox {mailboxId} of account {accountId} is gone or not selectable");
            }

            var uidNext = locked.UidNext;
            var chosen = new List<(long Uid, AppendedMessage Message)>();
            foreach (var (uid, message) in messages)
            {
                if (uid > 0 ? uid < uidNext : await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ContentPresent,
                        new { accountId, mailboxId, sha256 = message.Message.Sha256 }, transaction, cancellationToken: cancellationToken)))
                {
                    continue;
                }

                var assigned = uid > 0 ? uid : uidNext;
                if (assigned > MaxUid)
                {
                    throw new InvalidOperationException($"UID {assigned} is beyond the largest one IMAP allows ({MaxUid})");
                }

                chosen.Add((assigned, message));
                uidNext = assigned + 1;
            }

            var finalUidNext = Math.Max(uidNext, Math.Min(sourceUidNext, MaxUid + 1));
            if (chosen.Count == 0 && finalUidNext == locked.UidNext)
            {
                return new ImportBatchResult(0, messages.Count);
            }

            var modseq = locked.HighestModSeq + 1;
            var keywords = chosen.SelectMany(m => m.Message.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var table = await LoadKeywordsAsync(connection, transaction, accountId, mailboxId, keywords, cancellationToken);
            await using (var write = new NpgsqlBatch(connection, transaction))
            {
                foreach (var (uid, message) in chosen)
                {
                    var blobId = await StoreBlobAsync(connection, transaction, message.Message, cancellationToken);
                    AddAppended(write, accountId, mailboxId, uid, modseq, blobId, message, table);
                }

                // UIDNEXT never goes down: finalUidNext is at least the UIDNEXT read under the lock.
                Add(write, UpdateAppendTarget, new { accountId, mailboxId, uid = finalUidNext - 1, modseq });
                Add(write, ChargeQuota, new { accountId, added = chosen.Sum(m => m.Message.Message.Size), addedMessages = (long)chosen.Count });
                await write.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return new ImportBatchResult(chosen.Count, messages.Count - chosen.Count);
        });
    }
}
