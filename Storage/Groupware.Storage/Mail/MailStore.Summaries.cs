using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Groupware.Storage.Mail;

public sealed partial class MailStore
{
    private const string SelectStaleSummaries = """
        SELECT id, size, (SELECT count(*)::integer FROM blob_chunks c WHERE c.blob_id = b.id) AS chunks
        FROM blobs b WHERE summary_version < @version ORDER BY id LIMIT @limit
        """;

    // One row, no other lock held: FOR NO KEY UPDATE of the row lets deliveries share the blob meanwhile.
    private const string UpdateSummary = """
        UPDATE blobs SET envelope = @envelope, body_structure = @bodyStructure, subject = @subject, sent_date = @sentDate, sent_day = @sentDay,
               message_id = @messageId, header_text = @headerText, body_text = @bodyText, summary_version = @version,
               sort_subject = @sortSubject, reply_or_forward = @replyOrForward, thread_references = @threadReferences, preview = @preview
        WHERE id = @id AND summary_version < @version
        """;

    /// <summary>
    /// Parses again, with the current <see cref="MessageSummary"/>, up to <paramref name="limit"/>
    /// blobs stored by an older version (<c>blobs.summary_version</c> below
    /// <see cref="MessageSummary.CurrentVersion"/>: content stored before migration 0006 has no part
    /// offsets, body text or sent day yet), and answers how many it updated; 0 once none is left.
    /// Meant for a maintenance loop or command after an upgrade; each blob is one short statement,
    /// and content larger than one chunk is spooled to <paramref name="spoolDirectory"/> to be parsed.
    /// </summary>
    public async Task<int> RefreshSummariesAsync(string spoolDirectory, int limit, CancellationToken cancellationToken)
    {
        List<(long Id, long Size, int Chunks)> stale;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            stale = (await connection.QueryAsync<(long, long, int)>(new CommandDefinition(SelectStaleSummaries,
                new { version = MessageSummary.CurrentVersion, limit }, cancellationToken: cancellationToken))).AsList();
        }

        var updated = 0;
        foreach (var (id, size, chunks) in stale)
        {
            MessageSummary summary;
            try
            {
                summary = await ParseStoredAsync(id, size, chunks, spoolDirectory, cancellationToken);
            }
            catch (IOException)
            {
                // Removed while it was being read: nothing left to refresh.
                continue;
            }

            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var update = new NpgsqlCommand(UpdateSummary, connection);
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("version", MessageSummary.CurrentVersion);
            update.Parameters.AddWithValue("envelope", NpgsqlDbType.Jsonb, summary.EnvelopeJson);
            update.Parameters.AddWithValue("bodyStructure", NpgsqlDbType.Jsonb, summary.BodyStructureJson);
            update.Parameters.AddWithValue("subject", NpgsqlDbType.Text, (object?)summary.Subject ?? DBNull.Value);
            update.Parameters.AddWithValue("sentDate", NpgsqlDbType.TimestampTz, (object?)summary.SentDate?.ToUniversalTime() ?? DBNull.Value);
            update.Parameters.AddWithValue("sentDay", NpgsqlDbType.Date,
                (object?)(summary.SentDate is { } sent ? DateOnly.FromDateTime(sent.DateTime) : null) ?? DBNull.Value);
            update.Parameters.AddWithValue("messageId", NpgsqlDbType.Text, (object?)summary.MessageId ?? DBNull.Value);
            update.Parameters.AddWithValue("headerText", summary.HeaderText);
            update.Parameters.AddWithValue("bodyText", summary.BodyText);
            AddSortKeysAndPreview(update.Parameters, summary);
            updated += await update.ExecuteNonQueryAsync(cancellationToken);
        }

        return updated;
    }

    /// <summary>The SORT and THREAD keys of a summary (RFC 5256) and its PREVIEW (RFC 8970) as the parameters of blobs' columns.</summary>
    private static void AddSortKeysAndPreview(NpgsqlParameterCollection parameters, MessageSummary summary)
    {
        parameters.AddWithValue("sortSubject", summary.Sort.Text ?? "");
        parameters.AddWithValue("replyOrForward", summary.Sort.IsReplyOrForward);
        parameters.AddWithValue("threadReferences", NpgsqlDbType.Array | NpgsqlDbType.Text, (summary.References ?? []).ToArray());
        parameters.AddWithValue("preview", MessagePreview.Of(summary.BodyText));
    }

    /// <summary>The summary of a stored blob, read chunk by chunk into memory (one chunk) or a private, unlinked spool file.</summary>
    private async Task<MessageSummary> ParseStoredAsync(long blobId, long size, int chunks, string spoolDirectory, CancellationToken cancellationToken)
    {
        await using var content = new MessageStream(dataSource, blobId, 0, chunks, [], null, size);
        if (size <= ChunkSize)
        {
            using var memory = new MemoryStream((int)size);
            await content.CopyToAsync(memory, cancellationToken);
            memory.Position = 0;
            return MessageSummary.Parse(memory);
        }

        await using var spool = new FileStream(Path.Combine(spoolDirectory, $"groupware-reparse-{Guid.NewGuid():N}.eml"), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        await content.CopyToAsync(spool, cancellationToken);
        spool.Position = 0;
        return MessageSummary.Parse(spool);
    }
}
