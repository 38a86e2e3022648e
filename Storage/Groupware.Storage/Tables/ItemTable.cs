using System.Globalization;
using System.Text;
using Groupware.Storage.Mail;
using Npgsql;

namespace Groupware.Storage.Tables;

/// <summary>The columns an item table shows, restricts and sorts by; each is an indexed or stored column, never a parse.</summary>
public enum TableColumn
{
    Uid,
    ModSeq,
    Subject,
    From,
    To,
    SentDate,
    ReceivedDate,
    Size,
    MessageFlags,
    Read,
    Flagged,
    MessageId,
    Preview,
    // Calendar objects.
    ObjectName,
    ETag,
    Start,
    End,
    ICalUid,
    Component,
}

/// <summary>What a column's values are.</summary>
public enum ColumnType
{
    Text,
    Number,
    Boolean,
    Time,
}

/// <summary>Which table a query reads: a mail folder's messages or a calendar's objects.</summary>
public enum TableKind
{
    Mail,
    Calendar,
}

/// <summary>How a property restriction compares.</summary>
public enum Relation
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>A node of a restriction tree (MAPI's SRestriction), turned into one parameterised WHERE clause.</summary>
public abstract record TableRestriction;

public sealed record AllOf(IReadOnlyList<TableRestriction> Restrictions) : TableRestriction;

public sealed record AnyOf(IReadOnlyList<TableRestriction> Restrictions) : TableRestriction;

public sealed record Negation(TableRestriction Restriction) : TableRestriction;

/// <summary>The column compares with a value of its type (string, long, bool or DateTimeOffset).</summary>
public sealed record PropertyCompare(TableColumn Column, Relation Relation, object Value) : TableRestriction;

/// <summary>A text column contains the substring.</summary>
public sealed record ContentMatch(TableColumn Column, string Substring, bool IgnoreCase) : TableRestriction;

/// <summary>The message flags have every bit of <paramref name="Mask"/> set, or (<paramref name="AllSet"/> false) none.</summary>
public sealed record BitmaskMatch(int Mask, bool AllSet) : TableRestriction;

/// <summary>The column has a value.</summary>
public sealed record Exists(TableColumn Column) : TableRestriction;

/// <summary>The item's octets compare so with <paramref name="Size"/>.</summary>
public sealed record SizeCompare(Relation Relation, long Size) : TableRestriction;

/// <summary>
/// Calendar objects with an occurrence overlapping [Start, End) by their indexed bounds (RFC 4791
/// §9.9); messages received in [Start, End). A null bound is open.
/// </summary>
public sealed record TimeRange(DateTimeOffset? Start, DateTimeOffset? End) : TableRestriction;

/// <summary>One sort key.</summary>
public readonly record struct TableSort(TableColumn Column, bool Descending);

/// <summary>
/// Where a keyset page starts: after the row whose sort key values (one per <see cref="TableQuery.Sort"/> key, null where
/// the row has none) and key (UID, or calendar object name) these are.
/// </summary>
public sealed record TableKeyset(IReadOnlyList<object?> SortKeys, string Key);

/// <summary>
/// A table query: which folder, what to show, which rows, in which order, which page. A page starts
/// <paramref name="Offset"/> rows in, or, with <paramref name="After"/>, right after a row an earlier page ended with.
/// </summary>
public sealed record TableQuery(TableKind Kind, long AccountId, long FolderId, IReadOnlyList<TableColumn> Columns, TableRestriction? Restriction,
    IReadOnlyList<TableSort> Sort, int Offset, int Limit, TableKeyset? After = null);

/// <summary>
/// A row: the item's key (UID, or calendar object name), one value per column (null when it has none), and its
/// values of the query's sort keys, from which a keyset page after it starts.
/// </summary>
public sealed record TableRow(string Key, IReadOnlyList<object?> Values, IReadOnlyList<object?> SortKeys);

/// <summary>
/// A page of rows, the number of rows the restriction matches in the whole folder, and whether more rows follow the
/// page in its order.
/// </summary>
public sealed record TablePage(IReadOnlyList<TableRow> Rows, long Total, bool More);

/// <summary>
/// The SQL of an item table (groupware.rpc.v1 Items.Query): the columns map to stored, indexed
/// columns of messages and blobs (Migrations 0003, 0006, 0011, 0013, 0015) or of calendar_objects
/// (0007); restrictions become one WHERE clause with every value a parameter, and the page and the
/// total come from two statements read in one snapshot.
/// </summary>
public static class ItemTable
{
    private const string MailFrom = "messages m JOIN blobs b ON b.id = m.blob_id";
    private const string CalendarFrom = "calendar_objects o";

    /// <summary>The SQL expression and type of a column in a table, or null when that table has no such column.</summary>
    public static (string Sql, ColumnType Type)? Column(TableKind kind, TableColumn column) => kind switch
    {
        TableKind.Mail => column switch
        {
            TableColumn.Uid => ("m.uid", ColumnType.Number),
            TableColumn.ModSeq => ("m.modseq", ColumnType.Number),
            TableColumn.Subject => ("b.subject", ColumnType.Text),
            TableColumn.From => ("NULLIF(concat_ws(' ', NULLIF(b.envelope -> 'from' -> 0 ->> 'name', ''), '<' || concat_ws('@', b.envelope -> 'from' -> 0 ->> 'mailbox', " +
                "b.envelope -> 'from' -> 0 ->> 'host') || '>'), '<>')", ColumnType.Text),
            TableColumn.To => ("(SELECT string_agg(concat_ws('@', a ->> 'mailbox', a ->> 'host'), ', ') FROM jsonb_array_elements(" +
                "CASE WHEN jsonb_typeof(b.envelope -> 'to') = 'array' THEN b.envelope -> 'to' ELSE '[]'::jsonb END) AS a)", ColumnType.Text),
            TableColumn.SentDate => ("b.sent_date", ColumnType.Time),
            TableColumn.ReceivedDate => ("m.internal_date", ColumnType.Time),
            TableColumn.Size => ("m.size", ColumnType.Number),
            TableColumn.MessageFlags => ("m.system_flags::bigint", ColumnType.Number),
            TableColumn.Read => ("((m.system_flags & 1) <> 0)", ColumnType.Boolean),
            TableColumn.Flagged => ("((m.system_flags & 4) <> 0)", ColumnType.Boolean),
            TableColumn.MessageId => ("b.message_id", ColumnType.Text),
            TableColumn.Preview => ("b.preview", ColumnType.Text),
            _ => null,
        },
        _ => column switch
        {
            TableColumn.ObjectName => ("o.name", ColumnType.Text),
            TableColumn.ETag => ("o.etag", ColumnType.Text),
            TableColumn.Start => ("o.first_start", ColumnType.Time),
            TableColumn.End => ("o.last_end", ColumnType.Time),
            TableColumn.ICalUid => ("o.uid", ColumnType.Text),
            TableColumn.Component => ("o.component", ColumnType.Text),
            TableColumn.Size => ("o.size::bigint", ColumnType.Number),
            _ => null,
        },
    };

    /// <summary>
    /// Whether a column is never NULL (a NOT NULL column of Migrations/0003 or 0007, or an expression over them): a
    /// keyset over such columns alone is one row comparison an index can serve.
    /// </summary>
    private static bool IsNeverNull(TableKind kind, TableColumn column) => kind switch
    {
        TableKind.Mail => column is TableColumn.Uid or TableColumn.ModSeq or TableColumn.ReceivedDate or TableColumn.Size or TableColumn.MessageFlags
            or TableColumn.Read or TableColumn.Flagged,
        _ => column is TableColumn.ObjectName or TableColumn.ETag or TableColumn.ICalUid or TableColumn.Component or TableColumn.Size,
    };

    /// <summary>
    /// The statements of a query, to run in one snapshot: the page, and the count of every row the
    /// restriction matches. The page is its own statement so that the columns, and the join to the
    /// shared content, are computed for its rows only, and so that an order an index has (received
    /// date or size, then UID: Migrations/0015) is read from it and stops after the page. The count
    /// joins the content only when the restriction needs it. The page selects the key, the columns and then the sort
    /// keys, and one row more than the limit, which tells whether more follow. A keyset page (<see cref="TableQuery.After"/>)
    /// starts after its row by a comparison of the sort keys and the key (see <see cref="AppendKeyset"/>), so that the
    /// thousandth page reads as few index entries as the first. Every column and restriction must be one
    /// <see cref="Column"/> knows for the table.
    /// </summary>
    public static (string PageSql, string CountSql, IReadOnlyList<NpgsqlParameter> Parameters) Build(TableQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parameters = new List<NpgsqlParameter>
        {
            new("accountId", query.AccountId),
            new("folderId", query.FolderId),
            new("offset", query.Offset),
            // One more than the page, so the store knows whether more rows follow without counting past it.
            new("limit", query.Limit + 1),
        };
        var mail = query.Kind == TableKind.Mail;
        var where = new StringBuilder(mail ? " WHERE m.account_id = @accountId AND m.mailbox_id = @folderId" : " WHERE o.account_id = @accountId AND o.calendar_id = @folderId");
        if (query.Restriction is { } restriction)
        {
            where.Append(" AND ");
            Where(where, query.Kind, restriction, parameters);
        }

        var descending = query.Sort.Count > 0 && query.Sort[0].Descending;
        var page = new StringBuilder("SELECT ").Append(mail ? "m.uid::text" : "o.name");
        foreach (var column in query.Columns.Concat(query.Sort.Select(s => s.Column)))
        {
            page.Append(", ").Append(Require(query.Kind, column).Sql);
        }

        page.Append(" FROM ").Append(mail ? MailFrom : CalendarFrom).Append(where);
        if (query.After is { } after)
        {
            page.Append(" AND ");
            AppendKeyset(page, query, after, descending, parameters);
        }

        page.Append(" ORDER BY ");
        foreach (var sort in query.Sort)
        {
            // PostgreSQL's default NULL placement (after every value ascending) keeps the order an index's.
            page.Append(Require(query.Kind, sort.Column).Sql).Append(sort.Descending ? " DESC, " : " ASC, ");
        }

        page.Append(mail ? "m.uid" : "o.name").Append(descending ? " DESC" : " ASC").Append(" OFFSET @offset LIMIT @limit");
        var needsContent = mail && where.ToString().Contains("b.", StringComparison.Ordinal);
        var count = (mail ? CountedTotal(query.Restriction) : null) is { } counter
            ? $"SELECT COALESCE((SELECT {counter} FROM mailboxes b WHERE b.account_id = @accountId AND b.id = @folderId), 0)"
            : "SELECT count(*) FROM " + (mail ? needsContent ? MailFrom : "messages m" : CalendarFrom) + where;
        return (page.ToString(), count, parameters);
    }

    /// <summary>
    /// The total of a mail table from the counters of its mailbox row (Migrations/0017) where the
    /// restriction is one they keep: none, unread or read, \Deleted or not (the list views of a
    /// client); null for every other restriction, which is counted.
    /// </summary>
    private static string? CountedTotal(TableRestriction? restriction) => restriction switch
    {
        null => "b.message_count",
        BitmaskMatch { Mask: (int)SystemFlags.Seen, AllSet: false } => "b.unseen_count",
        BitmaskMatch { Mask: (int)SystemFlags.Seen, AllSet: true } => "b.message_count - b.unseen_count",
        BitmaskMatch { Mask: (int)SystemFlags.Deleted, AllSet: true } => "b.deleted_count",
        BitmaskMatch { Mask: (int)SystemFlags.Deleted, AllSet: false } => "b.message_count - b.deleted_count",
        _ => null,
    };

    /// <summary>
    /// The rows after a keyset's row in the query's order: each sort key in its own direction, with PostgreSQL's NULL
    /// placement (NULL after every value ascending, before every value descending), then the key in the first sort key's
    /// direction. When every key is never NULL and all run one way, this is one row comparison,
    /// <c>(m.internal_date, m.uid) &lt; (@d, @u)</c>, which PostgreSQL reads as a range of an index on those columns after
    /// the account and folder (Migrations/0015: date or size, then UID), stopping after the page. Otherwise it is the same
    /// order spelled out key by key: after on the first key, or equal on it and after on the rest.
    /// </summary>
    private static void AppendKeyset(StringBuilder sql, TableQuery query, TableKeyset after, bool descending, List<NpgsqlParameter> parameters)
    {
        if (after.SortKeys.Count != query.Sort.Count)
        {
            throw new ArgumentException($"the keyset has {after.SortKeys.Count} sort keys, the query {query.Sort.Count}", nameof(query));
        }

        var mail = query.Kind == TableKind.Mail;
        var keys = new List<(string Sql, ColumnType Type, bool Descending, bool NeverNull, object? Value)>(query.Sort.Count + 1);
        for (var i = 0; i < query.Sort.Count; i++)
        {
            var (column, type) = Require(query.Kind, query.Sort[i].Column);
            keys.Add((column, type, query.Sort[i].Descending, IsNeverNull(query.Kind, query.Sort[i].Column), after.SortKeys[i]));
        }

        object key = mail
            ? long.TryParse(after.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid : throw new ArgumentException("not a UID", nameof(query))
            : after.Key;
        keys.Add((mail ? "m.uid" : "o.name", mail ? ColumnType.Number : ColumnType.Text, descending, NeverNull: true, Value: key));

        if (keys.All(k => k.NeverNull && k.Value is not null && k.Descending == descending))
        {
            sql.Append('(').AppendJoin(", ", keys.Select(k => k.Sql)).Append(descending ? ") < (" : ") > (")
                .AppendJoin(", ", keys.Select(k => Parameter(parameters, Typed(k.Type, k.Value!)))).Append(')');
            return;
        }

        var open = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var (column, type, down, neverNull, value) = keys[i];
            var last = i == keys.Count - 1;
            var parameter = value is null ? null : Parameter(parameters, Typed(type, value));
            var later = (down, parameter) switch
            {
                (false, null) => "false",
                (false, _) => neverNull ? $"{column} > {parameter}" : $"({column} > {parameter} OR {column} IS NULL)",
                (true, null) => $"{column} IS NOT NULL",
                (true, _) => $"{column} < {parameter}",
            };
            sql.Append('(').Append(later);
            if (!last)
            {
                sql.Append(" OR (").Append(parameter is null ? $"{column} IS NULL" : $"{column} = {parameter}").Append(" AND ");
                open++;
            }
        }

        sql.Append(new string(')', 2 * open + 1));
    }

    private static (string Sql, ColumnType Type) Require(TableKind kind, TableColumn column) =>
        Column(kind, column) ?? throw new ArgumentException($"{column} is not a column of {kind} tables", nameof(column));

    private static void Where(StringBuilder sql, TableKind kind, TableRestriction restriction, List<NpgsqlParameter> parameters)
    {
        switch (restriction)
        {
            case AllOf all:
                Join(sql, kind, all.Restrictions, " AND ", "true", parameters);
                break;
            case AnyOf any:
                Join(sql, kind, any.Restrictions, " OR ", "false", parameters);
                break;
            case Negation not:
                // COALESCE: a comparison with a missing value is false, and so is its negation's input.
                sql.Append("NOT COALESCE((");
                Where(sql, kind, not.Restriction, parameters);
                sql.Append("), false)");
                break;
            case PropertyCompare compare:
            {
                var (column, type) = Require(kind, compare.Column);
                sql.Append('(').Append(column).Append(' ').Append(Operator(compare.Relation)).Append(' ')
                    .Append(Parameter(parameters, Typed(type, compare.Value))).Append(')');
                break;
            }

            case ContentMatch content:
            {
                var (column, type) = Require(kind, content.Column);
                if (type != ColumnType.Text)
                {
                    throw new ArgumentException($"{content.Column} is not text", nameof(restriction));
                }

                var value = Parameter(parameters, content.Substring);
                sql.Append(content.IgnoreCase
                    ? $"(strpos(lower({column}), lower({value})) > 0)"
                    : $"(strpos({column}, {value}) > 0)");
                break;
            }

            case BitmaskMatch bits:
            {
                Require(kind, TableColumn.MessageFlags);
                // The mask is a number of five bits, written as a literal so that the test reads as the partial indexes
                // of Migrations/0006 are defined ((system_flags & 1) = 0 for unread): the planner can count from them.
                var mask = (bits.Mask & 31).ToString(CultureInfo.InvariantCulture);
                sql.Append(bits.AllSet ? $"((m.system_flags & {mask}) = {mask})" : $"((m.system_flags & {mask}) = 0)");
                break;
            }

            case Exists exists:
                sql.Append('(').Append(Require(kind, exists.Column).Sql).Append(" IS NOT NULL)");
                break;
            case SizeCompare size:
                sql.Append('(').Append(Require(kind, TableColumn.Size).Sql).Append(' ').Append(Operator(size.Relation)).Append(' ')
                    .Append(Parameter(parameters, size.Size)).Append(')');
                break;
            case TimeRange range:
            {
                var start = Parameter(parameters, range.Start?.UtcDateTime ?? (object)DBNull.Value, NpgsqlTypes.NpgsqlDbType.TimestampTz);
                var end = Parameter(parameters, range.End?.UtcDateTime ?? (object)DBNull.Value, NpgsqlTypes.NpgsqlDbType.TimestampTz);
                sql.Append(kind == TableKind.Mail
                    ? $"(({start} IS NULL OR m.internal_date >= {start}) AND ({end} IS NULL OR m.internal_date < {end}))"
                    // As CalendarStore.FindCandidatesAsync: objects without time and open-ended ones overlap every range.
                    : $"(o.first_start IS NULL OR (({end} IS NULL OR o.first_start < {end}) AND ({start} IS NULL OR o.last_end IS NULL " +
                      $"OR o.last_end > {start} OR (o.last_end = o.first_start AND o.first_start >= {start}))))");
                break;
            }

            default:
                throw new ArgumentException($"unknown restriction {restriction.GetType().Name}", nameof(restriction));
        }
    }

    private static void Join(StringBuilder sql, TableKind kind, IReadOnlyList<TableRestriction> parts, string separator, string empty,
        List<NpgsqlParameter> parameters)
    {
        if (parts.Count == 0)
        {
            sql.Append(empty);
            return;
        }

        sql.Append('(');
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(separator);
            }

            Where(sql, kind, parts[i], parameters);
        }

        sql.Append(')');
    }

    private static string Operator(Relation relation) => relation switch
    {
        Relation.Equal => "=",
        Relation.NotEqual => "<>",
        Relation.Less => "<",
        Relation.LessOrEqual => "<=",
        Relation.Greater => ">",
        _ => ">=",
    };

    private static object Typed(ColumnType type, object value) => (type, value) switch
    {
        (ColumnType.Text, string text) => text,
        (ColumnType.Number, long number) => number,
        (ColumnType.Boolean, bool flag) => flag,
        (ColumnType.Time, DateTimeOffset time) => time.UtcDateTime,
        _ => throw new ArgumentException($"a {value.GetType().Name} does not compare with a {type} column", nameof(value)),
    };

    private static string Parameter(List<NpgsqlParameter> parameters, object value, NpgsqlTypes.NpgsqlDbType? type = null)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"p{parameters.Count}");
        parameters.Add(type is { } t ? new NpgsqlParameter(name, t) { Value = value } : new NpgsqlParameter(name, value));
        return "@" + name;
    }
}
