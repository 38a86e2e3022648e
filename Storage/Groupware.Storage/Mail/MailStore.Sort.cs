using System.Text;
using Dapper;
using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>A SORT key (RFC 5256 §3, RFC 5957 §3 DISPLAYFROM and DISPLAYTO).</summary>
public enum SortKey
{
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,
    DisplayFrom,
    DisplayTo,
}

/// <summary>One criterion of a SORT program: a key, ascending or (REVERSE) descending.</summary>
public readonly record struct SortCriterion(SortKey Key, bool Reverse);

/// <summary>
/// What THREAD needs of one message (RFC 5256 §3): its normalised Message-ID (null when it has none),
/// its references, its base subject and its sent date (the internal date when it has no Date field).
/// </summary>
public sealed record ThreadMessage(long Uid, string? MessageId, IReadOnlyList<string> References, BaseSubject Subject, DateTimeOffset SentDate);

public sealed partial class MailStore
{
    private const string SelectThreadMessages = """
        SELECT m.uid, b.message_id, b.thread_references, b.sort_subject, b.reply_or_forward, b.subject,
               COALESCE(b.sent_date, m.internal_date) AS sent
        FROM messages m JOIN blobs b ON b.id = m.blob_id
        WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = ANY(@uids)
        ORDER BY m.uid
        """;

    /// <summary>
    /// SORT (RFC 5256 §3): <paramref name="uids"/> of the mailbox in the order of <paramref name="criteria"/>,
    /// ties in UID order, which is the mailbox's order (the implicit "sequence number" criterion). Strings
    /// compare case-folded and by their octets, the empty string (an absent field) first. UIDs not in the
    /// mailbox are left out. One statement; the keys were computed when the messages were stored.
    /// </summary>
    public async Task<IReadOnlyList<long>> SortAsync(long accountId, long mailboxId, IReadOnlyList<long> uids, IReadOnlyList<SortCriterion> criteria,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (uids.Count == 0)
        {
            return [];
        }

        var sql = new StringBuilder("""
            SELECT m.uid FROM messages m JOIN blobs b ON b.id = m.blob_id
            WHERE m.account_id = @accountId AND m.mailbox_id = @mailboxId AND m.uid = ANY(@uids)
            ORDER BY
            """);
        foreach (var criterion in criteria)
        {
            sql.Append(' ').Append(SortExpression(criterion.Key)).Append(criterion.Reverse ? " DESC," : " ASC,");
        }

        sql.Append(" m.uid");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(sql.ToString(), new { accountId, mailboxId, uids = uids.ToArray() },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>THREAD (RFC 5256 §3): what the threading algorithms need of these messages, in UID order.</summary>
    public async Task<IReadOnlyList<ThreadMessage>> ThreadMessagesAsync(long accountId, long mailboxId, IReadOnlyList<long> uids,
        CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Uid, string? MessageId, string[] References, string? SortSubject, bool ReplyOrForward,
            string? Subject, DateTime Sent)>(new CommandDefinition(SelectThreadMessages, new { accountId, mailboxId, uids = uids.ToArray() },
            cancellationToken: cancellationToken));
        return rows.Select(r => new ThreadMessage(r.Uid, MessageIds.Normalize(r.MessageId), r.References,

            // Content stored before summary version 3 has no sort subject yet: computed here until it is refreshed.
            r.SortSubject is { } sorted ? new BaseSubject(sorted, r.ReplyOrForward) : BaseSubject.Of(r.Subject),
            new DateTimeOffset(DateTime.SpecifyKind(r.Sent, DateTimeKind.Utc)))).ToList();
    }

    /// <summary>
    /// The ORDER BY expression of a key: constants only, never client text. Addresses are the first of
    /// the field in the stored ENVELOPE (RFC 5256: its addr-mailbox; RFC 5957 §3: its display name, or
    /// its addr-spec when it has none).
    /// </summary>
    private static string SortExpression(SortKey key) => key switch
    {
        SortKey.Arrival => "m.internal_date",
        SortKey.Date => "COALESCE(b.sent_date, m.internal_date)",
        SortKey.Size => "m.size",
        SortKey.Subject => "COALESCE(b.sort_subject, upper(COALESCE(b.subject, ''))) COLLATE \"C\"",
        SortKey.From => Mailbox("from"),
        SortKey.To => Mailbox("to"),
        SortKey.Cc => Mailbox("cc"),
        SortKey.DisplayFrom => Display("from"),
        _ => Display("to"),
    };

    // The first address as ENVELOPE lists it (RFC 9051 §7.5.2): a group comes first as its start marker,
    // whose mailbox is the group's name (MessageSummary stores it as "group"), so "To: a: x@y.org;" sorts
    // as "a", as Dovecot does (imaptest's sort-addresses and sort-display-to).
    private static string Mailbox(string field) =>
        $"upper(COALESCE(b.envelope -> '{field}' -> 0 ->> 'mailbox', b.envelope -> '{field}' -> 0 ->> 'group', '')) COLLATE \"C\"";

    private static string Display(string field) =>
        $"upper(COALESCE(b.envelope -> '{field}' -> 0 ->> 'name', " +
        $"(b.envelope -> '{field}' -> 0 ->> 'mailbox') || COALESCE('@' || (b.envelope -> '{field}' -> 0 ->> 'host'), ''), " +
        $"b.envelope -> '{field}' -> 0 ->> 'group', '')) COLLATE \"C\"";
}
