using Dapper;
using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>
/// The mailbox hierarchy (RFC 9051 §6.3.4-6.3.7, §6.3.11; RFC 6154 §3): CREATE with its
/// superiors, DELETE leaving <c>\Noselect</c> placeholders, RENAME of whole subtrees and of
/// INBOX, subscriptions by name, STATUS.
/// </summary>
public sealed partial class MailStore
{
    /// <summary>The special-use attributes of RFC 6154 §2, as stored.</summary>
    private static readonly string[] SpecialUses = [@"\All", @"\Archive", @"\Drafts", @"\Flagged", @"\Junk", @"\Sent", @"\Trash"];

    private const string SelectMailboxByName = """
        SELECT id, account_id AS accountid, name, uid_validity AS uidvalidity, uid_next AS uidnext,
               highest_modseq AS highestmodseq, special_use AS specialuse, selectable
        FROM mailboxes WHERE account_id = @accountId AND name = @name
        """;

    private const string SelectSubscriptions = "SELECT name FROM subscriptions WHERE account_id = @accountId ORDER BY name";

    private const string Subscribe = """
        INSERT INTO subscriptions (account_id, name) VALUES (@accountId, @name) ON CONFLICT DO NOTHING
        """;

    private const string Unsubscribe = "DELETE FROM subscriptions WHERE account_id = @accountId AND name = @name";

    // The named mailboxes and, with a subtree given, every inferior of it: all locked in id order in
    // one statement, so that two hierarchy changes of one account never wait for each other in a circle.
    private const string LockNamedMailboxes = """
        SELECT id, name, selectable, special_use AS specialuse, uid_next AS uidnext, highest_modseq AS highestmodseq,
               uid_validity AS uidvalidity
        FROM mailboxes
        WHERE account_id = @accountId
          AND (name = ANY(@names) OR (@subtreeFrom::text IS NOT NULL AND name ~>=~ @subtreeFrom AND name ~<~ @subtreeTo))
        ORDER BY id FOR UPDATE
        """;

    private const string SpecialUseTaken = """
        SELECT EXISTS (SELECT 1 FROM mailboxes WHERE account_id = @accountId AND special_use = @specialUse)
        """;

    // New superiors are ordinary selectable mailboxes; the last name gets the special use.
    private const string InsertMailboxes = """
        INSERT INTO mailboxes (account_id, name, special_use)
        SELECT @accountId, d.name, CASE WHEN d.name = @name THEN @specialUse END
        FROM unnest(@names) WITH ORDINALITY AS d(name, n) ORDER BY d.n
        ON CONFLICT (account_id, name) DO NOTHING
        RETURNING name
        """;

    // A placeholder becomes a mailbox again: a new incarnation, so a new UIDVALIDITY and UIDs from 1
    // (RFC 9051 §6.3.4 allows restarting UIDs only with a new UIDVALIDITY).
    private const string RevivePlaceholder = """
        UPDATE mailboxes SET selectable = true, special_use = @specialUse, uid_validity = nextval('mailbox_uid_validity'),
               uid_next = 1, first_recent_uid = 1, highest_modseq = highest_modseq + 1
        WHERE account_id = @accountId AND id = @id
        """;

    private const string HasInferiors = """
        SELECT EXISTS (SELECT 1 FROM mailboxes WHERE account_id = @accountId AND name ~>=~ @subtreeFrom AND name ~<~ @subtreeTo)
        """;

    private const string DeleteMailboxRow = "DELETE FROM mailboxes WHERE account_id = @accountId AND id = @id";

    // The messages are gone already (quota and blobs with them); what the old incarnation defined goes too.
    private const string MakePlaceholder = """
        DELETE FROM expunged_messages WHERE account_id = @accountId AND mailbox_id = @id;
        DELETE FROM mailbox_keywords WHERE account_id = @accountId AND mailbox_id = @id;
        UPDATE mailboxes SET selectable = false, special_use = NULL, highest_modseq = highest_modseq + 1
        WHERE account_id = @accountId AND id = @id;
        """;

    private const string RenameSubtree = """
        UPDATE mailboxes SET name = @to || substr(name, length(@from) + 1)
        WHERE account_id = @accountId AND (name = @from OR (name ~>=~ @subtreeFrom AND name ~<~ @subtreeTo))
        """;

    private const string CountMessages = "SELECT count(*) FROM messages WHERE account_id = @accountId AND mailbox_id = @id";

    private const string InsertRenamedInbox = """
        INSERT INTO mailboxes (account_id, name, uid_next, first_recent_uid)
        VALUES (@accountId, @name, @uidNext, 1)
        RETURNING id, uid_validity
        """;

    // The INBOX's messages, renumbered from 1 in UID order, with their flags, keywords (the keyword
    // table is copied, ids and all) and internal dates; then gone from the INBOX as expunges.
    private const string MoveInboxMessages = """
        INSERT INTO mailbox_keywords (account_id, mailbox_id, id, name)
        SELECT account_id, @targetId, id, name FROM mailbox_keywords WHERE account_id = @accountId AND mailbox_id = @inboxId;
        INSERT INTO messages (account_id, mailbox_id, uid, modseq, blob_id, trace_fields, size, internal_date, system_flags, keyword_ids)
        SELECT account_id, @targetId, row_number() OVER (ORDER BY uid), 1, blob_id, trace_fields, size, internal_date, system_flags, keyword_ids
        FROM messages WHERE account_id = @accountId AND mailbox_id = @inboxId;
        WITH moved AS (
            DELETE FROM messages WHERE account_id = @accountId AND mailbox_id = @inboxId RETURNING uid
        )
        INSERT INTO expunged_messages (account_id, mailbox_id, uid, modseq) SELECT @accountId, @inboxId, uid, @modseq FROM moved;
        UPDATE mailboxes SET highest_modseq = @modseq WHERE account_id = @accountId AND id = @inboxId;
        """;

    // The counters are the mailbox row's (Migrations/0017); only \Recent, a range of the primary key, is counted.
    private const string SelectStatus = """
        SELECT b.id AS mailboxid, b.message_count AS messages,
               (SELECT count(*) FROM messages m WHERE m.account_id = b.account_id AND m.mailbox_id = b.id AND m.uid >= b.first_recent_uid) AS recent,
               b.uid_next AS uidnext, b.uid_validity AS uidvalidity, b.unseen_count AS unseen, b.deleted_count AS deleted,
               b.message_bytes AS size, b.highest_modseq AS highestmodseq, b.deleted_bytes AS deletedsize
        FROM mailboxes b WHERE b.account_id = @accountId AND b.name = @name AND b.selectable
        """;

    /// <summary>The names the account subscribed to (RFC 9051 §6.3.7), in name order; they need not exist.</summary>
    public async Task<IReadOnlyList<string>> ListSubscriptionsAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(SelectSubscriptions, new { accountId },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// SUBSCRIBE or UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8) a name, whether or not a mailbox has it;
    /// idempotent. Subscriptions stay when their mailbox is deleted or renamed (§6.3.6 note). False
    /// when the name could never name a mailbox (<see cref="MailboxNames.IsValid"/>): NO.
    /// </summary>
    public async Task<bool> SetSubscribedAsync(long accountId, string name, bool subscribed, CancellationToken cancellationToken)
    {
        name = MailboxNames.Normalize(name);
        if (!MailboxNames.IsValid(name))
        {
            return false;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(subscribed ? Subscribe : Unsubscribe, new { accountId, name },
            cancellationToken: cancellationToken));
        return true;
    }

    /// <summary>
    /// The mailbox of that name (any case of INBOX is the inbox), placeholders included; null when
    /// there is none. Asking for INBOX creates the default mailboxes if the account has none yet.
    /// </summary>
    public async Task<Mailbox?> FindMailboxAsync(long accountId, string name, CancellationToken cancellationToken)
    {
        name = MailboxNames.Normalize(name);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindMailboxAsync(connection, accountId, name, cancellationToken);
    }

    /// <summary>
    /// STATUS of a selectable mailbox (RFC 9051 §6.3.11); null when there is none of that name or it
    /// is a placeholder. Read in one statement, so the numbers agree with each other.
    /// </summary>
    public async Task<MailboxStatus?> StatusAsync(long accountId, string name, CancellationToken cancellationToken)
    {
        name = MailboxNames.Normalize(name);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (MailboxNames.IsInbox(name))
        {
            await FindMailboxAsync(connection, accountId, name, cancellationToken);
        }

        return await connection.QuerySingleOrDefaultAsync<MailboxStatus>(new CommandDefinition(SelectStatus, new { accountId, name },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// CREATE (RFC 9051 §6.3.4) with an optional RFC 6154 §3 special use (any case, e.g. <c>\sent</c>):
    /// creates the mailbox and any missing superior names as ordinary mailboxes; a trailing
    /// separator is dropped. A <c>\Noselect</c> placeholder of that name becomes a mailbox with a new
    /// UIDVALIDITY. One mailbox per special use and account.
    /// </summary>
    public async Task<CreateMailboxResult> CreateMailboxAsync(long accountId, string name, string? specialUse, CancellationToken cancellationToken)
    {
        name = MailboxNames.Normalize(name);
        if (name.Length > 1 && name[^1] == MailboxNames.Separator)
        {
            name = name[..^1];
        }

        if (!MailboxNames.IsValid(name))
        {
            return CreateMailboxResult.InvalidName;
        }

        if (specialUse is not null)
        {
            specialUse = SpecialUses.FirstOrDefault(s => s.Equals(specialUse, StringComparison.OrdinalIgnoreCase));
            if (specialUse is null)
            {
                return CreateMailboxResult.UnknownSpecialUse;
            }
        }

        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            // The defaults first, so that INBOX and the default special uses exist before anything a client makes.
            await FindMailboxAsync(connection, accountId, DefaultMailboxes.Inbox, cancellationToken);
        }

        if (MailboxNames.IsInbox(name))
        {
            return CreateMailboxResult.AlreadyExists;
        }

        var names = MailboxNames.Superiors(name).Append(name).ToArray();
        return await WithDeadlockRetryAsync(async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var locked = await LockNamedAsync(connection, transaction, accountId, names, null, cancellationToken);
                var existing = locked.GetValueOrDefault(name);
                if (existing is { Selectable: true })
                {
                    return CreateMailboxResult.AlreadyExists;
                }

                if (specialUse is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(SpecialUseTaken,
                        new { accountId, specialUse }, transaction, cancellationToken: cancellationToken)))
                {
                    return CreateMailboxResult.SpecialUseInUse;
                }

                try
                {
                    if (existing is not null)
                    {
                        await connection.ExecuteAsync(new CommandDefinition(RevivePlaceholder, new { accountId, existing.Id, specialUse }, transaction,
                            cancellationToken: cancellationToken));
                    }
                    else
                    {
                        var (complete, inserted) = await InsertMissingAsync(connection, transaction, accountId, names, locked, specialUse,
                            cancellationToken);
                        if (!complete && attempt < 10)
                        {
                            continue;
                        }

                        if (!inserted.Contains(name))
                        {
                            // Another CREATE of the same name committed first.
                            return CreateMailboxResult.AlreadyExists;
                        }
                    }
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "mailboxes_special_use")
                {
                    return CreateMailboxResult.SpecialUseInUse;
                }

                await transaction.CommitAsync(cancellationToken);
                return CreateMailboxResult.Created;
            }
        });
    }

    /// <summary>
    /// DELETE (RFC 9051 §6.3.5). The mailbox's messages are removed (quota usage down, bodies nothing
    /// else uses deleted; no expunges are recorded, since the mailbox is gone). A mailbox with
    /// inferiors keeps its name as a <c>\Noselect</c> placeholder; a placeholder goes only once it
    /// has none, and so do placeholder superiors left without inferiors. Subscriptions stay.
    /// </summary>
    public async Task<DeleteMailboxResult> DeleteMailboxAsync(long accountId, string name, CancellationToken cancellationToken)
    {
        name = MailboxNames.Normalize(name);
        if (MailboxNames.IsInbox(name))
        {
            return DeleteMailboxResult.IsInbox;
        }

        if (!MailboxNames.IsValid(name))
        {
            return DeleteMailboxResult.NoSuchMailbox;
        }

        Mailbox? found;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            found = await FindMailboxAsync(connection, accountId, name, cancellationToken);
        }

        if (found is null)
        {
            return DeleteMailboxResult.NoSuchMailbox;
        }

        var superiors = MailboxNames.Superiors(name);
        var (subtreeFrom, subtreeTo) = MailboxNames.InferiorRange(name);
        Dictionary<string, LockedMailbox> locked = [];
        return await WithBlobsLockedAsync(SelectBlobsOfMailbox, new { accountId, mailboxId = found.Id }, recheck: true,
            async (connection, transaction) =>
            {
                locked = await LockNamedAsync(connection, transaction, accountId, [.. superiors, name], null, cancellationToken);
                return locked.TryGetValue(name, out var mailbox) && mailbox.Id == found.Id ? mailbox.HighestModSeq : null;
            },
            async (connection, transaction, blobIds, _) =>
            {
                var mailbox = locked[name];
                var inferiors = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(HasInferiors,
                    new { accountId, subtreeFrom, subtreeTo }, transaction, cancellationToken: cancellationToken));
                if (!mailbox.Selectable && inferiors)
                {
                    return DeleteMailboxResult.PlaceholderHasChildren;
                }

                await RemoveMessagesAsync(connection, transaction, accountId, mailbox.Id, blobIds, null, onlyDeleted: false, expungeModSeq: null,
                    cancellationToken);
                if (inferiors)
                {
                    await connection.ExecuteAsync(new CommandDefinition(MakePlaceholder, new { accountId, mailbox.Id }, transaction,
                        cancellationToken: cancellationToken));
                    return DeleteMailboxResult.BecamePlaceholder;
                }

                await connection.ExecuteAsync(new CommandDefinition(DeleteMailboxRow, new { accountId, mailbox.Id }, transaction,
                    cancellationToken: cancellationToken));
                await RemoveEmptyPlaceholdersAsync(connection, transaction, accountId, superiors, locked, cancellationToken);
                return DeleteMailboxResult.Deleted;
            }, DeleteMailboxResult.NoSuchMailbox, cancellationToken);
    }

    /// <summary>
    /// RENAME (RFC 9051 §6.3.6): the mailbox and all its inferiors get the new name, keeping their
    /// ids, UIDVALIDITY, UIDs and special use; missing superiors of the new name are created, and
    /// placeholders left without inferiors at the old place go. Renaming INBOX instead moves its
    /// messages (flags, keywords and internal dates kept, new UIDs from 1) into a new mailbox of the
    /// new name and leaves INBOX, with its inferiors, where it is. Subscriptions stay as they are.
    /// </summary>
    public async Task<RenameMailboxResult> RenameMailboxAsync(long accountId, string from, string to, CancellationToken cancellationToken)
    {
        from = MailboxNames.Normalize(from);
        to = MailboxNames.Normalize(to);
        if (!MailboxNames.IsValid(from))
        {
            return RenameMailboxResult.NoSuchMailbox;
        }

        if (!MailboxNames.IsValid(to))
        {
            return RenameMailboxResult.InvalidName;
        }

        if (MailboxNames.IsInbox(to) || from == to)
        {
            return RenameMailboxResult.TargetExists;
        }

        if (MailboxNames.IsInbox(from))
        {
            return await RenameInboxAsync(accountId, to, cancellationToken);
        }

        if (MailboxNames.IsWithin(to, from))
        {
            return RenameMailboxResult.InvalidName;
        }

        var fromSuperiors = MailboxNames.Superiors(from);
        var toSuperiors = MailboxNames.Superiors(to);
        var (subtreeFrom, subtreeTo) = MailboxNames.InferiorRange(from);
        return await WithDeadlockRetryAsync(async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var locked = await LockNamedAsync(connection, transaction, accountId, [from, to, .. fromSuperiors, .. toSuperiors], from,
                    cancellationToken);
                if (!locked.ContainsKey(from))
                {
                    return RenameMailboxResult.NoSuchMailbox;
                }

                if (locked.ContainsKey(to))
                {
                    return RenameMailboxResult.TargetExists;
                }

                // Deeper or longer names than allowed must not come in through a rename either.
                if (locked.Keys.Where(n => MailboxNames.IsWithin(n, from)).Any(n => !MailboxNames.IsValid(to + n[from.Length..])))
                {
                    return RenameMailboxResult.InvalidName;
                }

                try
                {
                    await connection.ExecuteAsync(new CommandDefinition(RenameSubtree,
                        new { accountId, from, to, subtreeFrom, subtreeTo }, transaction, cancellationToken: cancellationToken));
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    return RenameMailboxResult.TargetExists;
                }

                if (!(await InsertMissingAsync(connection, transaction, accountId, [.. toSuperiors], locked, null, cancellationToken)).Complete
                    && attempt < 10)
                {
                    continue;
                }

                await RemoveEmptyPlaceholdersAsync(connection, transaction, accountId, fromSuperiors, locked, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return RenameMailboxResult.Renamed;
            }
        });
    }

    /// <summary>RENAME of INBOX (RFC 9051 §6.3.6): its messages move to a new mailbox; INBOX stays, empty, with its UIDVALIDITY.</summary>
    private async Task<RenameMailboxResult> RenameInboxAsync(long accountId, string to, CancellationToken cancellationToken)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await FindMailboxAsync(connection, accountId, DefaultMailboxes.Inbox, cancellationToken);
        }

        var toSuperiors = MailboxNames.Superiors(to);
        return await WithDeadlockRetryAsync(async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var locked = await LockNamedAsync(connection, transaction, accountId, [DefaultMailboxes.Inbox, to, .. toSuperiors], null,
                    cancellationToken);
                if (!locked.TryGetValue(DefaultMailboxes.Inbox, out var inbox))
                {
                    return RenameMailboxResult.NoSuchMailbox;
                }

                if (locked.ContainsKey(to))
                {
                    return RenameMailboxResult.TargetExists;
                }

                if (!(await InsertMissingAsync(connection, transaction, accountId, [.. toSuperiors], locked, null, cancellationToken)).Complete
                    && attempt < 10)
                {
                    continue;
                }

                var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountMessages, new { accountId, inbox.Id }, transaction,
                    cancellationToken: cancellationToken));
                long targetId;
                try
                {
                    (targetId, _) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(InsertRenamedInbox,
                        new { accountId, name = to, uidNext = count + 1 }, transaction, cancellationToken: cancellationToken));
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    return RenameMailboxResult.TargetExists;
                }

                await connection.ExecuteAsync(new CommandDefinition(MoveInboxMessages,
                    new { accountId, inboxId = inbox.Id, targetId, modseq = inbox.HighestModSeq + 1 }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                return RenameMailboxResult.Renamed;
            }
        });
    }

    /// <summary>The mailbox of a normalised name; for INBOX, creates the default mailboxes first if it is missing.</summary>
    private static async Task<Mailbox?> FindMailboxAsync(NpgsqlConnection connection, long accountId, string name, CancellationToken cancellationToken)
    {
        var mailbox = await connection.QuerySingleOrDefaultAsync<Mailbox>(new CommandDefinition(SelectMailboxByName, new { accountId, name },
            cancellationToken: cancellationToken));
        if (mailbox is null && name == DefaultMailboxes.Inbox)
        {
            await EnsureDefaultMailboxesAsync(connection, null, accountId, cancellationToken);
            mailbox = await connection.QuerySingleOrDefaultAsync<Mailbox>(new CommandDefinition(SelectMailboxByName, new { accountId, name },
                cancellationToken: cancellationToken));
        }

        return mailbox;
    }

    private static async Task<Dictionary<string, LockedMailbox>> LockNamedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        long accountId, string[] names, string? subtreeOf, CancellationToken cancellationToken)
    {
        var (subtreeFrom, subtreeTo) = subtreeOf is null ? (null, null) : MailboxNames.InferiorRange(subtreeOf);
        var rows = await connection.QueryAsync<LockedMailbox>(new CommandDefinition(LockNamedMailboxes,
            new { accountId, names = names.Distinct().ToArray(), subtreeFrom, subtreeTo }, transaction, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// Inserts those of <paramref name="names"/> (outermost first) that were not locked, the last
    /// with <paramref name="specialUse"/>, and answers which it inserted. Not complete when one of
    /// them was inserted by a concurrent transaction meanwhile and is gone again before this one
    /// could lock it: a superior that must exist might not, and the caller starts over.
    /// </summary>
    private static async Task<(bool Complete, HashSet<string> Inserted)> InsertMissingAsync(NpgsqlConnection connection,
        NpgsqlTransaction transaction, long accountId, string[] names, Dictionary<string, LockedMailbox> locked, string? specialUse,
        CancellationToken cancellationToken)
    {
        var missing = names.Where(n => !locked.ContainsKey(n)).ToArray();
        if (missing.Length == 0)
        {
            return (true, []);
        }

        var inserted = (await connection.QueryAsync<string>(new CommandDefinition(InsertMailboxes,
            new { accountId, names = missing, name = names[^1], specialUse }, transaction, cancellationToken: cancellationToken))).ToHashSet();
        var raced = missing.Where(n => !inserted.Contains(n)).ToArray();
        if (raced.Length == 0)
        {
            return (true, inserted);
        }

        // Created meanwhile by another transaction, committed: hold them too, so no DELETE takes them now.
        var held = await LockNamedAsync(connection, transaction, accountId, raced, null, cancellationToken);
        foreach (var (name, mailbox) in held)
        {
            locked[name] = mailbox;
        }

        return (held.Count == raced.Length, inserted);
    }

    /// <summary>Deletes, innermost first, the placeholders among <paramref name="superiors"/> (locked) that have no inferiors left.</summary>
    private static async Task RemoveEmptyPlaceholdersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long accountId,
        IReadOnlyList<string> superiors, Dictionary<string, LockedMailbox> locked, CancellationToken cancellationToken)
    {
        foreach (var superior in superiors.Reverse())
        {
            if (!locked.TryGetValue(superior, out var mailbox) || mailbox.Selectable)
            {
                return;
            }

            var (subtreeFrom, subtreeTo) = MailboxNames.InferiorRange(superior);
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(HasInferiors, new { accountId, subtreeFrom, subtreeTo }, transaction,
                    cancellationToken: cancellationToken)))
            {
                return;
            }

            await connection.ExecuteAsync(new CommandDefinition(DeleteMailboxRow, new { accountId, mailbox.Id }, transaction,
                cancellationToken: cancellationToken));
        }
    }

    /// <summary>A mailbox row held FOR UPDATE by a hierarchy change; Dapper sets the properties by column name.</summary>
    private sealed class LockedMailbox
    {
        public long Id { get; set; }

        public string Name { get; set; } = "";

        public bool Selectable { get; set; }

        public string? SpecialUse { get; set; }

        public long UidNext { get; set; }

        public long HighestModSeq { get; set; }

        public long UidValidity { get; set; }
    }
}
