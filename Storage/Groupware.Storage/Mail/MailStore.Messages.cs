using System.Data;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Groupware.Storage.Mail;

/// <summary>
/// Messages as an IMAP session sees them (RFC 9051 §6.3.2 SELECT, §6.4.5 FETCH, §6.4.6 STORE,
/// §6.4.7 COPY, §6.4.8 MOVE, §6.3.12 APPEND; RFC 7162 CONDSTORE and QRESYNC; RFC 3501 \Recent).
/// Every change takes one new MODSEQ per mailbox and transaction (RFC 7162 §3.1) and raises the
/// mailbox's HIGHESTMODSEQ to it, which sends the change feed's NOTIFY.
/// </summary>
public sealed partial class MailStore
{
    private const SystemFlags AllFlags = SystemFlags.Seen | SystemFlags.Answered | SystemFlags.Flagged | SystemFlags.Deleted | SystemFlags.Draft;

    private const string SelectCounters = """
        SELECT uid_validity, uid_next, highest_modseq, expunged_pruned_modseq FROM mailboxes
        WHERE account_id = @accountId AND id = @mailboxId AND selectable
        """;

    private const string SelectStates = """
        SELECT uid, modseq, system_flags, keyword_ids FROM messages
        WHERE account_id = @accountId AND mailbox_id = @mailboxId ORDER BY uid
        """;

    private const string SelectChangedStates = """
        SELECT uid, modseq, system_flags, keyword_ids FROM messages
        WHERE account_id = @accountId AND mailbox_id = @mailboxId AND modseq > @modSeq ORDER BY uid
        """;

    private const string SelectExpunged = """
        SELECT uid FROM expunged_messages WHERE account_id = @accountId AND mailbox_id = @mailboxId AND modseq > @modSeq ORDER BY uid
        """;

    private const string ResyncChangedStates = """
        SELECT uid, modseq, system_flags, keyword_ids FROM messages
        WHERE account_id = @accountId AND mailbox_id = @mailboxId AND modseq > @resyncSince ORDER BY uid
        """;

    private const string ResyncExpunged = """
        SELECT uid FROM expunged_messages WHERE account_id = @accountId AND mailbox_id = @mailboxId AND modseq > @resyncSince ORDER BY uid
        """;

    // Only when expunge records after @modSeq may have been pruned: then what is there tells what is gone.
    private const string SelectPresentIfPruned = """
        SELECT m.uid FROM messages m
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId
          AND EXISTS (SELECT 1 FROM mailboxes b WHERE b.account_id = @accountId AND b.id = @mailboxId AND b.expunged_pruned_modseq > @modSeq)
        ORDER BY m.uid
        """;

    private const string SelectPrunedModSeq = """
        SELECT expunged_pruned_modseq FROM mailboxes WHERE account_id = @accountId AND id = @mailboxId AND selectable
        """;

    private const string PeekRecent = """
        SELECT first_recent_uid, uid_next FROM mailboxes WHERE account_id = @accountId AND id = @mailboxId AND selectable
        """;

    private const string LockRecent = """
        SELECT first_recent_uid, uid_next FROM mailboxes WHERE account_id = @accountId AND id = @mailboxId AND selectable FOR UPDATE
        """;

    // Statements of their own after the lock: their snapshots see every delivery that committed before it.
    private const string SelectClaimed = """
        SELECT uid FROM messages WHERE account_id = @accountId AND mailbox_id = @mailboxId AND uid >= @from AND uid < @to ORDER BY uid
        """;

    private const string ClaimRecent = "UPDATE mailboxes SET first_recent_uid = @to WHERE account_id = @accountId AND id = @mailboxId";

    private const string SelectMetadata = $"""
        SELECT m.uid, m.modseq, m.system_flags, m.keyword_ids, m.size, m.internal_date, b.envelope::text,
               CASE WHEN @withStructure THEN b.body_structure::text ELSE '' END, length(m.trace_fields),
               COALESCE(m.saved_at, m.internal_date), {ObjectIds.EmailIdSql},
               CASE WHEN @withPreview THEN b.preview END, CASE WHEN @withPreview AND b.preview IS NULL THEN left(b.body_text, 1024) END
        FROM messages m JOIN blobs b ON b.id = m.blob_id
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = ANY(@uids)
        ORDER BY m.uid
        """;

    // The range's part of the trace fields and of the first chunk it needs, with the message's row.
    private const string SelectMessageRange = """
        SELECT m.size, substring(m.trace_fields FROM LEAST(@offset, 2147483646)::integer + 1 FOR @traceTake) AS trace_part, m.blob_id,
               length(m.trace_fields) AS trace_length,
               (SELECT count(*)::integer FROM blob_chunks c WHERE c.blob_id = m.blob_id) AS chunks,
               (SELECT substring(c.data FROM (r.blob_offset % @chunkSize)::integer + 1 FOR @take) FROM blob_chunks c
                WHERE c.blob_id = m.blob_id AND c.seq = r.blob_offset / @chunkSize) AS first_part
        FROM messages m, LATERAL (SELECT GREATEST(@offset - length(m.trace_fields), 0) AS blob_offset) AS r
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = @uid
        """;

    private const string LockTarget = """
        SELECT uid_validity, uid_next, highest_modseq, selectable FROM mailboxes WHERE account_id = @accountId AND id = @mailboxId FOR UPDATE
        """;

    private const string LockAccountQuota = """
        SELECT quota_bytes, used_bytes, quota_messages, used_messages FROM accounts WHERE id = @accountId FOR NO KEY UPDATE
        """;

    private const string InsertReference = """
        INSERT INTO blob_references (account_id, blob_id) VALUES (@accountId, @blobId) ON CONFLICT DO NOTHING
        """;

    private const string InsertAppended = """
        INSERT INTO messages (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date, system_flags, keyword_ids)
        VALUES (@accountId, @mailboxId, @uid, @modseq, @blobId, @size, @internalDate, @flags, @keywordIds)
        """;

    private const string UpdateAppendTarget = """
        UPDATE mailboxes SET uid_next = @uid + 1, highest_modseq = @modseq WHERE account_id = @accountId AND id = @mailboxId
        """;

    private const string SelectModified = """
        SELECT uid FROM messages
        WHERE account_id = @accountId AND mailbox_id = @mailboxId AND uid = ANY(@uids) AND modseq > @unchangedSince ORDER BY uid
        """;

    // One statement per kind of change; each leaves alone the messages it would not change (their
    // MODSEQ stays) and those that fail UNCHANGEDSINCE. Keyword ids stay ascending and distinct.
    private const string StoreAdd = """
        UPDATE messages m SET system_flags = n.flags, keyword_ids = n.keyword_ids, modseq = @modseq
        FROM (SELECT uid, system_flags | @flags AS flags, ARRAY(SELECT DISTINCT k FROM unnest(keyword_ids || @keywordIds) AS k ORDER BY k) AS keyword_ids
              FROM messages WHERE account_id = @accountId AND mailbox_id = @mailboxId AND uid = ANY(@uids)) AS n
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = n.uid
          AND (@unchangedSince::bigint IS NULL OR m.modseq <= @unchangedSince)
          AND (m.system_flags, m.keyword_ids) IS DISTINCT FROM (n.flags, n.keyword_ids)
        RETURNING m.uid, m.system_flags, m.keyword_ids
        """;

    private const string StoreRemove = """
        UPDATE messages m SET system_flags = n.flags, keyword_ids = n.keyword_ids, modseq = @modseq
        FROM (SELECT uid, system_flags & ~@flags AS flags, ARRAY(SELECT k FROM unnest(keyword_ids) AS k WHERE k <> ALL(@keywordIds) ORDER BY k) AS keyword_ids
              FROM messages WHERE account_id = @accountId AND mailbox_id = @mailboxId AND uid = ANY(@uids)) AS n
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = n.uid
          AND (@unchangedSince::bigint IS NULL OR m.modseq <= @unchangedSince)
          AND (m.system_flags, m.keyword_ids) IS DISTINCT FROM (n.flags, n.keyword_ids)
        RETURNING m.uid, m.system_flags, m.keyword_ids
        """;

    private const string StoreReplace = """
        UPDATE messages m SET system_flags = @flags, keyword_ids = @keywordIds, modseq = @modseq
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = ANY(@uids)
          AND (@unchangedSince::bigint IS NULL OR m.modseq <= @unchangedSince)
          AND (m.system_flags, m.keyword_ids) IS DISTINCT FROM (@flags, @keywordIds)
        RETURNING m.uid, m.system_flags, m.keyword_ids
        """;

    // Source and target in id order, in one statement (they may be one mailbox).
    private const string LockPair = """
        SELECT id, uid_validity, uid_next, highest_modseq, selectable FROM mailboxes
        WHERE account_id = @accountId AND id = ANY(@ids) ORDER BY id FOR UPDATE
        """;

    private const string SelectSourceMessages = """
        SELECT uid, size, keyword_ids FROM messages WHERE account_id = @accountId AND mailbox_id = @sourceId AND uid = ANY(@uids) ORDER BY uid
        """;

    // The copies get UIDs from @uidNext in source UID order, and their keywords mapped to the target's ids.
    private const string InsertCopies = """
        INSERT INTO messages (account_id, mailbox_id, uid, modseq, blob_id, trace_fields, size, internal_date, system_flags, keyword_ids)
        SELECT m.account_id, @targetId, @uidNext + row_number() OVER (ORDER BY m.uid) - 1, @modseq, m.blob_id, m.trace_fields, m.size,
               m.internal_date, m.system_flags,
               ARRAY(SELECT DISTINCT d.target FROM unnest(m.keyword_ids) AS k JOIN unnest(@sourceKeywords, @targetKeywords) AS d(source, target)
                     ON d.source = k ORDER BY d.target)
        FROM messages m WHERE m.account_id = @accountId AND m.mailbox_id = @sourceId AND m.uid = ANY(@uids)
        """;

    private const string UpdateCopyTarget = """
        UPDATE mailboxes SET uid_next = @uidNext, highest_modseq = @modseq WHERE account_id = @accountId AND id = @targetId
        """;

    private const string ChargeQuota = "UPDATE accounts SET used_bytes = used_bytes + @added, used_messages = used_messages + @addedMessages WHERE id = @accountId";

    // The moved messages leave the source as expunges of the source's new MODSEQ.
    private const string DeleteMoved = "DELETE FROM messages WHERE account_id = @accountId AND mailbox_id = @mailboxId AND uid = ANY(@uids)";

    /// <summary>
    /// SELECT (RFC 9051 §6.3.2): the counters, the mailbox's keywords and every message's state in
    /// UID order, from one snapshot. Null when the mailbox does not exist (any more) or is a placeholder.
    /// </summary>
    public Task<MailboxSnapshot?> SnapshotAsync(long accountId, long mailboxId, CancellationToken cancellationToken) =>
        SnapshotAsync(accountId, mailboxId, null, cancellationToken);

    /// <summary>
    /// SELECT, and with <paramref name="resyncSince"/> SELECT (QRESYNC) (RFC 7162 §3.2.5): the
    /// snapshot and, from the same one, what changed after that MODSEQ (<see cref="MailboxSnapshot.Resync"/>),
    /// the changed messages and the expunge records found by their MODSEQ index, not by reading them all.
    /// </summary>
    public async Task<MailboxSnapshot?> SnapshotAsync(long accountId, long mailboxId, long? resyncSince, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        string[] statements = resyncSince is null
            ? [SelectCounters, SelectKeywords, SelectStates]
            : [SelectCounters, SelectKeywords, SelectStates, SelectChangedStates, SelectExpunged];
        await using var batch = Batch(connection, transaction, new { accountId, mailboxId, modSeq = resyncSince ?? 0 }, statements);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var (uidValidity, uidNext, highest, pruned) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        await reader.NextResultAsync(cancellationToken);
        var keywords = await MailboxKeywords.ReadAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var messages = await ReadStatesAsync(reader, keywords, cancellationToken);
        MailboxChanges? resync = null;
        if (resyncSince is not null)
        {
            await reader.NextResultAsync(cancellationToken);
            var changed = await ReadStatesAsync(reader, keywords, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var expunged = await ReadUidsAsync(reader, cancellationToken);
            resync = new MailboxChanges(uidNext, highest, keywords.Names, changed, expunged) { UidValidity = uidValidity, ExpungedPrunedModSeq = pruned };
        }

        return new MailboxSnapshot(uidValidity, uidNext, highest, keywords.Names, messages) { ExpungedPrunedModSeq = pruned, Resync = resync };
    }

    /// <summary>
    /// What changed since <paramref name="modSeq"/> (RFC 7162 §3.1.4.1, §3.2.5): messages new or
    /// with changed flags, and UIDs expunged, each with a higher MODSEQ, from one snapshot. Null
    /// when the mailbox does not exist (any more) or is a placeholder.
    /// </summary>
    public async Task<MailboxChanges?> ChangesSinceAsync(long accountId, long mailboxId, long modSeq, CancellationToken cancellationToken) =>
        (await ChangesSinceAsync(accountId, mailboxId, modSeq, null, cancellationToken))?.Changes;

    /// <summary>
    /// As <see cref="ChangesSinceAsync(long, long, long, CancellationToken)"/>, and with
    /// <paramref name="resyncSince"/> also what changed after that MODSEQ (SELECT (QRESYNC), RFC 7162
    /// §3.2.5), from the same snapshot: a view brought up to date from an older state this node kept,
    /// and what the client is told it missed, agree. Every part is found by the MODSEQ indexes.
    /// </summary>
    public async Task<(MailboxChanges Changes, MailboxChanges? Resync)?> ChangesSinceAsync(long accountId, long mailboxId, long modSeq,
        long? resyncSince, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        string[] statements = resyncSince is null
            ? [SelectCounters, SelectKeywords, SelectChangedStates, SelectExpunged, SelectPresentIfPruned]
            : [SelectCounters, SelectKeywords, SelectChangedStates, SelectExpunged, SelectPresentIfPruned, ResyncChangedStates, ResyncExpunged];
        await using var batch = Batch(connection, transaction, new { accountId, mailboxId, modSeq, resyncSince = resyncSince ?? 0 }, statements);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var (uidValidity, uidNext, highest, pruned) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        await reader.NextResultAsync(cancellationToken);
        var keywords = await MailboxKeywords.ReadAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var changed = await ReadStatesAsync(reader, keywords, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var expunged = await ReadUidsAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var present = await ReadUidsAsync(reader, cancellationToken);
        var changes = new MailboxChanges(uidNext, highest, keywords.Names, changed, expunged)
        {
            UidValidity = uidValidity,
            ExpungedPrunedModSeq = pruned,
            Present = modSeq < pruned ? present : null,
        };
        if (resyncSince is null)
        {
            return (changes, null);
        }

        await reader.NextResultAsync(cancellationToken);
        var resyncChanged = await ReadStatesAsync(reader, keywords, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var resyncExpunged = await ReadUidsAsync(reader, cancellationToken);
        return (changes, new MailboxChanges(uidNext, highest, keywords.Names, resyncChanged, resyncExpunged)
        {
            UidValidity = uidValidity,
            ExpungedPrunedModSeq = pruned,
        });
    }

    /// <summary>
    /// The UIDs expunged from the mailbox after <paramref name="modSeq"/> (UID FETCH ... (CHANGEDSINCE
    /// VANISHED), RFC 7162 §3.2.6), ascending, found by the records' MODSEQ index, and the MODSEQ below
    /// which records were pruned (<see cref="MailboxChanges.ExpungedPrunedModSeq"/>): when
    /// <paramref name="modSeq"/> is below it the list may be short. Null when the mailbox is gone.
    /// </summary>
    public async Task<(IReadOnlyList<long> Uids, long ExpungedPrunedModSeq)?> VanishedSinceAsync(long accountId, long mailboxId, long modSeq,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = Batch(connection, transaction, new { accountId, mailboxId, modSeq }, SelectPrunedModSeq, SelectExpunged);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var pruned = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        return (await ReadUidsAsync(reader, cancellationToken), pruned);
    }

    /// <summary>
    /// The UIDs that are \Recent for this session (RFC 3501 §2.3.2; IMAP4rev1 only): those that
    /// arrived since the last session claimed them, on any node. Exactly one session gets each: the
    /// claim moves the mailbox's first recent UID to UIDNEXT under the row lock, as Dovecot's index
    /// header does. Empty for a mailbox that is gone.
    /// </summary>
    public async Task<IReadOnlyList<long>> ClaimRecentAsync(long accountId, long mailboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // A look without the lock first: when one delivery wakes a thousand sessions of a mailbox, the
        // first claims what arrived and the others find nothing left, each without queueing for the
        // row (which deliveries need too). What arrives after this look is claimed when it is announced.
        var peek = (await connection.QueryAsync<(long From, long To)>(new CommandDefinition(PeekRecent, new { accountId, mailboxId },
            cancellationToken: cancellationToken))).ToList();
        if (peek is not [var seen] || seen.From >= seen.To)
        {
            return [];
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claim = (await connection.QueryAsync<(long From, long To)>(new CommandDefinition(LockRecent, new { accountId, mailboxId },
            transaction, cancellationToken: cancellationToken))).ToList();
        if (claim is not [var range] || range.From >= range.To)
        {
            return [];
        }

        var uids = new List<long>();
        await using (var batch = Batch(connection, transaction, new { accountId, mailboxId, from = range.From, to = range.To }, SelectClaimed,
                         ClaimRecent))
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                uids.Add(reader.GetInt64(0));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return uids;
    }

    /// <summary>
    /// The first UID that is still \Recent (RFC 3501 §2.3.2), without claiming anything: what EXAMINE
    /// shows as recent is the messages from it on. Null for a mailbox that is gone.
    /// </summary>
    public async Task<long?> FirstRecentUidAsync(long accountId, long mailboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(long From, long To)>(new CommandDefinition(PeekRecent, new { accountId, mailboxId },
            cancellationToken: cancellationToken))).ToList();
        return rows is [var row] ? row.From : null;
    }

    /// <summary>
    /// FETCH of everything but the octets (RFC 9051 §6.4.5) for many UIDs in one query, in UID
    /// order; UIDs not (or no longer) in the mailbox are simply absent.
    /// </summary>
    public Task<IReadOnlyList<MessageMetadata>> FetchAsync(long accountId, long mailboxId, IReadOnlyList<long> uids,
        CancellationToken cancellationToken) => FetchAsync(accountId, mailboxId, uids, withStructure: true, cancellationToken);

    /// <summary>
    /// As <see cref="FetchAsync(long, long, IReadOnlyList{long}, CancellationToken)"/>; without
    /// <paramref name="withStructure"/> the body structure is left empty, and not converted from jsonb.
    /// </summary>
    public Task<IReadOnlyList<MessageMetadata>> FetchAsync(long accountId, long mailboxId, IReadOnlyList<long> uids, bool withStructure,
        CancellationToken cancellationToken) => FetchAsync(accountId, mailboxId, uids, withStructure, withPreview: false, cancellationToken);

    /// <summary>As the overload without <paramref name="withPreview"/>; with it, <see cref="MessageMetadata.Preview"/> is read too.</summary>
    public async Task<IReadOnlyList<MessageMetadata>> FetchAsync(long accountId, long mailboxId, IReadOnlyList<long> uids, bool withStructure,
        bool withPreview, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Messages first, keywords second: a keyword is defined before any message holds it, so the
        // later snapshot knows every id the earlier one shows.
        await using var batch = Batch(connection, null, new { accountId, mailboxId, uids = uids.ToArray(), withStructure, withPreview },
            SelectMetadata, SelectKeywords);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(long Uid, long ModSeq, short Flags, short[] KeywordIds, long Size, DateTimeOffset InternalDate, string Envelope,
            string Structure, int Trace, DateTimeOffset Saved, string EmailId, string? Preview)>();
        string? PreviewOf(NpgsqlDataReader row) =>
            !row.IsDBNull(11) ? row.GetString(11) : row.IsDBNull(12) ? null : MessagePreview.Of(row.GetString(12));
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt16(2), reader.GetFieldValue<short[]>(3), reader.GetInt64(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6), reader.GetString(7), reader.GetInt32(8),
                reader.GetFieldValue<DateTimeOffset>(9), reader.GetString(10), PreviewOf(reader)));
        }

        await reader.NextResultAsync(cancellationToken);
        var keywords = await MailboxKeywords.ReadAsync(reader, cancellationToken);
        return rows.Select(r => new MessageMetadata(r.Uid, r.ModSeq, (SystemFlags)r.Flags, keywords.NamesOf(r.KeywordIds), r.Size, r.InternalDate,
            r.Envelope, r.Structure, r.Trace, r.Saved, r.EmailId, r.Preview)).ToList();
    }

    /// <summary>
    /// <paramref name="length"/> octets of a message from <paramref name="offset"/> (in the message:
    /// trace fields, then content; see <see cref="MessageMetadata.TraceLength"/>), cut at its end:
    /// BODY[section]&lt;partial&gt; without reading the rest. Only the chunks that hold the range are
    /// fetched, the first with the message's row and each later one as the reader gets to it.
    /// </summary>
    /// <exception cref="MessageNotFoundException">No such message in that account's mailbox.</exception>
    public async Task<Stream> OpenMessageRangeAsync(long accountId, long mailboxId, long uid, long offset, long length,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectMessageRange, connection);
        command.Parameters.AddWithValue("accountId", accountId);
        command.Parameters.AddWithValue("mailboxId", mailboxId);
        command.Parameters.AddWithValue("uid", uid);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("traceTake", (int)Math.Min(length, int.MaxValue));
        command.Parameters.AddWithValue("take", (int)Math.Min(length, ChunkSize));
        command.Parameters.AddWithValue("chunkSize", (long)ChunkSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new MessageNotFoundException($"no message with UID {uid} in mailbox {mailboxId} of account {accountId}");
        }

        var size = reader.GetInt64(0);
        var tracePart = await reader.GetFieldValueAsync<byte[]>(1, cancellationToken);
        var blobId = reader.GetInt64(2);
        var traceLength = reader.GetInt32(3);
        var chunks = reader.GetInt32(4);
        var firstPart = await reader.IsDBNullAsync(5, cancellationToken) ? null : await reader.GetFieldValueAsync<byte[]>(5, cancellationToken);
        var end = Math.Min(size, offset > size - length ? size : offset + length);
        if (offset >= end)
        {
            return new MemoryStream([], writable: false);
        }

        if (end <= traceLength)
        {
            return new MemoryStream(tracePart, 0, (int)(end - offset), writable: false);
        }

        var blobOffset = Math.Max(offset - traceLength, 0);
        return new MessageStream(dataSource, blobId, (int)(blobOffset / ChunkSize) + 1, chunks, tracePart, firstPart, end - offset);
    }

    /// <summary>
    /// APPEND (RFC 9051 §6.3.12) of a complete, spooled message: stored like a delivery (one blob per
    /// content, shared), without trace fields, with the given flags, keywords (those that cannot be
    /// stored are left out; see <see cref="MaxKeywordsPerMailbox"/>) and internal date, within the
    /// account's quota.
    /// </summary>
    public Task<AppendResult> AppendAsync(long accountId, string mailboxName, IncomingMessage message, SystemFlags flags,
        IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken cancellationToken) =>
        AppendAsync(accountId, mailboxName, [new AppendedMessage(message, flags, keywords, internalDate)], cancellationToken);

    /// <summary>
    /// APPEND of one message or, MULTIAPPEND (RFC 3502 §6.3.11), of several, all or none: one
    /// transaction gives them consecutive UIDs in the order given, one MODSEQ, and charges the quota
    /// (STORAGE and MESSAGE) for all of them at once; if they do not all fit, none is stored.
    /// </summary>
    public async Task<AppendResult> AppendAsync(long accountId, string mailboxName, IReadOnlyList<AppendedMessage> messages,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfZero(messages.Count);
        var name = MailboxNames.Normalize(mailboxName);
        Mailbox? mailbox;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            mailbox = MailboxNames.IsValid(name) ? await FindMailboxAsync(connection, accountId, name, cancellationToken) : null;
        }

        if (mailbox is null)
        {
            return new AppendResult(AppendStatus.NoSuchMailbox);
        }

        if (!mailbox.Selectable)
        {
            return new AppendResult(AppendStatus.NotSelectable);
        }

        return await WithDeadlockRetryAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var blobIds = new long[messages.Count];
            for (var i = 0; i < messages.Count; i++)
            {
                blobIds[i] = await StoreBlobAsync(connection, transaction, messages[i].Message, cancellationToken);
            }

            var target = (await connection.QueryAsync<(long UidValidity, long UidNext, long HighestModSeq, bool Selectable)>(
                new CommandDefinition(LockTarget, new { accountId, mailboxId = mailbox.Id }, transaction, cancellationToken: cancellationToken))).ToList();
            if (target is not [var locked])
            {
                return new AppendResult(AppendStatus.NoSuchMailbox);
            }

            if (!locked.Selectable)
            {
                return new AppendResult(AppendStatus.NotSelectable);
            }

            var keywords = messages.SelectMany(m => m.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var table = await LoadKeywordsAsync(connection, transaction, accountId, mailbox.Id, keywords, cancellationToken);
            var added = messages.Sum(m => m.Message.Size);
            if (!await HasRoomAsync(connection, transaction, accountId, added, messages.Count, cancellationToken))
            {
                return new AppendResult(AppendStatus.OverQuota);
            }

            var modseq = locked.HighestModSeq + 1;
            var last = locked.UidNext + messages.Count - 1;
            await using (var write = new NpgsqlBatch(connection, transaction))
            {
                for (var i = 0; i < messages.Count; i++)
                {
                    AddAppended(write, accountId, mailbox.Id, locked.UidNext + i, modseq, blobIds[i], messages[i], table);
                }

                Add(write, UpdateAppendTarget, new { accountId, mailboxId = mailbox.Id, uid = last, modseq });
                Add(write, ChargeQuota, new { accountId, added, addedMessages = (long)messages.Count });
                await write.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return new AppendResult(AppendStatus.Appended, locked.UidValidity, locked.UidNext, messages.Count);
        });
    }

    /// <summary>
    /// STORE (RFC 9051 §6.4.6) with UNCHANGEDSINCE (RFC 7162 §3.1.3) when given: adds, removes or
    /// replaces system flags and keywords of the messages with these UIDs. Every message it changes
    /// gets the transaction's one new MODSEQ; a message it would not change keeps its MODSEQ and is
    /// not in <see cref="StoreResult.Updated"/>. A message whose MODSEQ is above
    /// <paramref name="unchangedSince"/> is left alone and listed in <see cref="StoreResult.Modified"/>
    /// (so is every message for UNCHANGEDSINCE 0). UIDs not in the mailbox are ignored.
    /// </summary>
    public async Task<StoreResult> StoreFlagsAsync(long accountId, long mailboxId, IReadOnlyList<long> uids, FlagChange change, SystemFlags flags,
        IReadOnlyList<string> keywords, long? unchangedSince, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return StoreResult.Nothing;
        }

        var uidArray = uids.Distinct().ToArray();
        var valid = keywords.Where(IsValidKeyword).ToList();
        var refused = keywords.Where(k => !IsValidKeyword(k)).ToList();
        return await WithDeadlockRetryAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var highest = await LockMailboxAsync(connection, transaction, accountId, mailboxId, cancellationToken, selectable: true);
            if (highest is null)
            {
                return StoreResult.Nothing;
            }

            var table = await LoadKeywordsAsync(connection, transaction, accountId, mailboxId, change == FlagChange.Remove ? [] : valid,
                cancellationToken);
            var keywordIds = table.IdsOf(valid);
            var notStored = change == FlagChange.Remove ? refused : [.. refused, .. valid.Where(k => table.Find(k) is null)];
            var modified = unchangedSince is { } since
                ? (await connection.QueryAsync<long>(new CommandDefinition(SelectModified, new { accountId, mailboxId, uids = uidArray, unchangedSince = since },
                    transaction, cancellationToken: cancellationToken))).AsList()
                : [];

            var modseq = highest.Value + 1;
            await using var store = new NpgsqlCommand(change switch
            {
                FlagChange.Add => StoreAdd,
                FlagChange.Remove => StoreRemove,
                _ => StoreReplace,
            }, connection, transaction);
            store.Parameters.AddWithValue("accountId", accountId);
            store.Parameters.AddWithValue("mailboxId", mailboxId);
            store.Parameters.AddWithValue("uids", uidArray);
            store.Parameters.AddWithValue("modseq", modseq);
            store.Parameters.AddWithValue("flags", NpgsqlDbType.Smallint, (short)(flags & AllFlags));
            store.Parameters.AddWithValue("keywordIds", NpgsqlDbType.Array | NpgsqlDbType.Smallint, keywordIds);
            store.Parameters.AddWithValue("unchangedSince", NpgsqlDbType.Bigint, (object?)unchangedSince ?? DBNull.Value);
            var updated = new List<MessageState>();
            await using (var reader = await store.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    updated.Add(new MessageState(reader.GetInt64(0), modseq, (SystemFlags)reader.GetInt16(1),
                        table.NamesOf(reader.GetFieldValue<short[]>(2))));
                }
            }

            if (updated.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(RaiseModSeq, new { accountId, mailboxId, modseq }, transaction,
                    cancellationToken: cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
            return new StoreResult(updated.OrderBy(u => u.Uid).ToList(), modified, notStored, updated.Count > 0 ? highest.Value : 0);
        });
    }

    /// <summary>
    /// COPY (RFC 9051 §6.4.7): copies of the messages with these UIDs go to the mailbox of that
    /// name, with new UIDs in source UID order, their flags, keywords (as the target's, created there
    /// where missing; those beyond <see cref="MaxKeywordsPerMailbox"/> are not kept) and internal
    /// dates, sharing their bodies; within the account's quota. UIDs no longer in the source, or a
    /// source that is gone, copy nothing: <see cref="CopyStatus.Copied"/> with empty lists.
    /// </summary>
    public Task<CopyResult> CopyAsync(long accountId, long sourceMailboxId, IReadOnlyList<long> uids, string targetName,
        CancellationToken cancellationToken) => TransferAsync(accountId, sourceMailboxId, uids, targetName, move: false, cancellationToken);

    /// <summary>
    /// MOVE (RFC 6851, RFC 9051 §6.4.8): as <see cref="CopyAsync"/>, and in the same transaction the
    /// originals are expunged from the source (recorded with the source's new MODSEQ). Moving adds
    /// nothing to the account's usage, so it is never over quota.
    /// </summary>
    public Task<CopyResult> MoveAsync(long accountId, long sourceMailboxId, IReadOnlyList<long> uids, string targetName,
        CancellationToken cancellationToken) => TransferAsync(accountId, sourceMailboxId, uids, targetName, move: true, cancellationToken);

    private async Task<CopyResult> TransferAsync(long accountId, long sourceId, IReadOnlyList<long> uids, string targetName, bool move,
        CancellationToken cancellationToken)
    {
        var name = MailboxNames.Normalize(targetName);
        Mailbox? target;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            target = MailboxNames.IsValid(name) ? await FindMailboxAsync(connection, accountId, name, cancellationToken) : null;
        }

        if (target is null)
        {
            return CopyResult.Refused(CopyStatus.NoSuchMailbox);
        }

        if (!target.Selectable)
        {
            return CopyResult.Refused(CopyStatus.NotSelectable);
        }

        var uidArray = uids.Distinct().ToArray();
        return await WithDeadlockRetryAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var locked = (await connection.QueryAsync<(long Id, long UidValidity, long UidNext, long HighestModSeq, bool Selectable)>(
                new CommandDefinition(LockPair, new { accountId, ids = new[] { sourceId, target.Id } }, transaction,
                    cancellationToken: cancellationToken))).ToDictionary(m => m.Id);
            if (!locked.TryGetValue(target.Id, out var to))
            {
                return CopyResult.Refused(CopyStatus.NoSuchMailbox);
            }

            if (!to.Selectable)
            {
                return CopyResult.Refused(CopyStatus.NotSelectable);
            }

            var sources = locked.ContainsKey(sourceId)
                ? (await connection.QueryAsync<(long Uid, long Size, short[] KeywordIds)>(new CommandDefinition(SelectSourceMessages,
                    new { accountId, sourceId, uids = uidArray }, transaction, cancellationToken: cancellationToken))).AsList()
                : [];
            if (sources.Count == 0)
            {
                return new CopyResult(CopyStatus.Copied, to.UidValidity, [], [], []);
            }

            // The target's ids for the source's keywords that its messages hold.
            var sourceKeywords = await ReadKeywordsAsync(connection, transaction, accountId, sourceId, cancellationToken);
            var used = sources.SelectMany(s => s.KeywordIds).Distinct().Order().ToArray();
            var usedNames = sourceKeywords.NamesOf(used);
            var targetKeywords = await LoadKeywordsAsync(connection, transaction, accountId, target.Id, usedNames, cancellationToken);
            var pairs = used.Select(id => (Source: id, Target: sourceKeywords.NamesOf([id]) is [var kw] ? targetKeywords.Find(kw) : null))
                .Where(p => p.Target is not null).ToList();

            var added = sources.Sum(s => s.Size);
            if (!move && !await HasRoomAsync(connection, transaction, accountId, added, sources.Count, cancellationToken))
            {
                return CopyResult.Refused(CopyStatus.OverQuota);
            }

            var sameMailbox = sourceId == target.Id;
            var targetModSeq = to.HighestModSeq + 1;
            var sourceUids = sources.Select(s => s.Uid).ToArray();
            await using (var write = new NpgsqlBatch(connection, transaction))
            {
                var copy = new NpgsqlBatchCommand(InsertCopies);
                copy.Parameters.AddWithValue("accountId", accountId);
                copy.Parameters.AddWithValue("sourceId", sourceId);
                copy.Parameters.AddWithValue("targetId", target.Id);
                copy.Parameters.AddWithValue("uids", sourceUids);
                copy.Parameters.AddWithValue("uidNext", to.UidNext);
                copy.Parameters.AddWithValue("modseq", targetModSeq);
                copy.Parameters.AddWithValue("sourceKeywords", NpgsqlDbType.Array | NpgsqlDbType.Smallint, pairs.Select(p => p.Source).ToArray());
                copy.Parameters.AddWithValue("targetKeywords", NpgsqlDbType.Array | NpgsqlDbType.Smallint, pairs.Select(p => p.Target!.Value).ToArray());
                write.BatchCommands.Add(copy);

                if (move)
                {
                    // One MODSEQ per mailbox and transaction: a move within one mailbox uses the target's.
                    var expunged = new { accountId, mailboxId = sourceId, uids = sourceUids, modseq = sameMailbox ? targetModSeq : locked[sourceId].HighestModSeq + 1 };
                    Add(write, DeleteMoved, expunged);
                    Add(write, PruneExpunges, new { accountId, mailboxId = sourceId, retention = _options.ExpungedUidRetention });
                    Add(write, RecordExpunges, expunged);
                    if (!sameMailbox)
                    {
                        Add(write, RaiseModSeq, expunged);
                    }
                }

                Add(write, UpdateCopyTarget, new { accountId, targetId = target.Id, uidNext = to.UidNext + sources.Count, modseq = targetModSeq });
                if (!move)
                {
                    Add(write, ChargeQuota, new { accountId, added, addedMessages = (long)sources.Count });
                }

                await write.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            var targetUids = Enumerable.Range(0, sources.Count).Select(i => to.UidNext + i).ToList();
            return new CopyResult(CopyStatus.Copied, to.UidValidity, sourceUids, targetUids, move ? sourceUids : []);
        });
    }

    /// <summary>
    /// Locks the account (after the mailboxes, in the lock order) and tells whether <paramref name="messages"/> more
    /// messages of <paramref name="adding"/> octets in all fit its quota (STORAGE and MESSAGE, RFC 9208 §5).
    /// </summary>
    private static async Task<bool> HasRoomAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long accountId, long adding,
        long messages, CancellationToken cancellationToken)
    {
        var account = (await connection.QueryAsync<(long? QuotaBytes, long UsedBytes, long? QuotaMessages, long UsedMessages)>(
            new CommandDefinition(LockAccountQuota, new { accountId }, transaction, cancellationToken: cancellationToken))).ToList();
        return account is [var a]
            && (a.QuotaBytes is not { } quota || a.UsedBytes + adding <= quota)
            && (a.QuotaMessages is not { } limit || a.UsedMessages + messages <= limit);
    }

    private static async Task<List<MessageState>> ReadStatesAsync(NpgsqlDataReader reader, MailboxKeywords keywords, CancellationToken cancellationToken)
    {
        var states = new List<MessageState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            states.Add(new MessageState(reader.GetInt64(0), reader.GetInt64(1), (SystemFlags)reader.GetInt16(2),
                keywords.NamesOf(reader.GetFieldValue<short[]>(3))));
        }

        return states;
    }

    private static async Task<List<long>> ReadUidsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var uids = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            uids.Add(reader.GetInt64(0));
        }

        return uids;
    }

    /// <summary>
    /// A batch of statements, one round trip, that all take their parameters from the properties of
    /// <paramref name="parameters"/> (each statement those it names).
    /// </summary>
    private static NpgsqlBatch Batch(NpgsqlConnection connection, NpgsqlTransaction? transaction, object parameters, params string[] statements)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        foreach (var statement in statements)
        {
            Add(batch, statement, parameters);
        }

        return batch;
    }

    /// <summary>Adds the row of one appended (or imported) message and its blob reference to <paramref name="write"/>.</summary>
    private static void AddAppended(NpgsqlBatch write, long accountId, long mailboxId, long uid, long modseq, long blobId, AppendedMessage message,
        MailboxKeywords keywords)
    {
        var row = new
        {
            accountId,
            mailboxId,
            uid,
            modseq,
            blobId,
            size = message.Message.Size,
            internalDate = message.InternalDate.ToUniversalTime(),
            flags = (short)(message.Flags & AllFlags),
            keywordIds = keywords.IdsOf(message.Keywords),
        };
        Add(write, InsertReference, row);
        Add(write, InsertAppended, row);
    }

    /// <summary>Adds one statement to <paramref name="batch"/> with the properties of <paramref name="parameters"/> it names.</summary>
    private static void Add(NpgsqlBatch batch, string statement, object parameters)
    {
        var command = new NpgsqlBatchCommand(statement);
        foreach (var property in parameters.GetType().GetProperties())
        {
            if (Names(statement, property.Name))
            {
                command.Parameters.AddWithValue(property.Name, property.GetValue(parameters) ?? DBNull.Value);
            }
        }

        batch.BatchCommands.Add(command);
    }

    /// <summary>Whether <paramref name="statement"/> has the parameter <c>@name</c> (not merely one whose name starts so).</summary>
    private static bool Names(string statement, string name)
    {
        for (var at = statement.IndexOf('@' + name, StringComparison.Ordinal); at >= 0;
             at = statement.IndexOf('@' + name, at + 1, StringComparison.Ordinal))
        {
            var next = at + name.Length + 1;
            if (next == statement.Length || !(char.IsLetterOrDigit(statement[next]) || statement[next] == '_'))
            {
                return true;
            }
        }

        return false;
    }
}
