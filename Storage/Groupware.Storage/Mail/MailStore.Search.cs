using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Groupware.Storage.Mail;

/// <summary>SEARCH (RFC 9051 §6.4.4, RFC 7162 §3.1.5) as one parameterised statement.</summary>
public sealed partial class MailStore
{
    // The frame every search runs in; {0} is the join of blobs when the criteria need it, {1} the criteria.
    private const string SearchFrame = """
        SELECT m.uid FROM messages m{0}
        WHERE m.account_id = @account AND m.mailbox_id = @mailbox AND ({1})
        ORDER BY m.uid
        """;

    private const string JoinBlobs = " JOIN blobs b ON b.id = m.blob_id";

    private static readonly CompositeFormat SearchFrameFormat = CompositeFormat.Parse(SearchFrame);

    /// <summary>
    /// The UIDs, ascending, of the messages in the mailbox that match <paramref name="query"/>.
    /// Flag criteria are written as the partial indexes on messages spell them, so UNSEEN, DELETED
    /// and FLAGGED are index lookups.
    /// </summary>
    /// <exception cref="ArgumentException">The query nests deeper than <see cref="MessageQuery.MaxDepth"/>.</exception>
    public async Task<IReadOnlyList<long>> SearchAsync(long accountId, long mailboxId, MessageQuery query, CancellationToken cancellationToken)
    {
        var search = SearchStatement.Build(query);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(search.Sql, connection);
        command.Parameters.AddWithValue("account", accountId);
        command.Parameters.AddWithValue("mailbox", mailboxId);
        command.Parameters.AddRange(search.Parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var uids = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            uids.Add(reader.GetInt64(0));
        }

        return uids;
    }

    /// <summary>The statement <see cref="SearchAsync"/> runs, for tests that ask PostgreSQL how it would run it.</summary>
    internal static (string Sql, IReadOnlyList<NpgsqlParameter> Parameters) SearchSql(MessageQuery query)
    {
        var search = SearchStatement.Build(query);
        return (search.Sql, search.Parameters);
    }

    /// <summary>
    /// Turns a <see cref="MessageQuery"/> into SQL: every value a parameter, every leaf a boolean
    /// that is never NULL (so that NOT is exact), substrings matched with ILIKE and their wildcards escaped.
    /// </summary>
    private sealed class SearchStatement
    {
        /// <summary>A run of single UIDs and ranges beyond this goes into arrays instead of one comparison each.</summary>
        private const int MaxInlineRanges = 16;

        // Header fields as the store keeps them: those of the content (header_text, decoded, one per line)
        // and the trace fields of the copy (raw, CRLF-folded), one line each.
        private const string HeaderLines = """
            string_to_table(regexp_replace(convert_from(m.trace_fields, 'UTF8'), E'\r\n[ \t]+', ' ', 'g') || b.header_text, E'\n')
            """;

        private readonly StringBuilder _sql = new();
        private readonly List<NpgsqlParameter> _parameters = [];
        private bool _joinBlobs;

        public string Sql { get; private set; } = "";

        public IReadOnlyList<NpgsqlParameter> Parameters => _parameters;

        public static SearchStatement Build(MessageQuery query)
        {
            var statement = new SearchStatement();
            statement.Write(query, 0);
            statement.Sql = string.Format(CultureInfo.InvariantCulture, SearchFrameFormat, statement._joinBlobs ? JoinBlobs : "", statement._sql);
            return statement;
        }

        /// <summary>A LIKE pattern that matches <paramref name="value"/> literally (backslash is LIKE's escape).</summary>
        internal static string Literal(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

        private void Write(MessageQuery query, int depth)
        {
            if (depth > MessageQuery.MaxDepth)
            {
                throw new ArgumentException($"the search criteria nest deeper than {MessageQuery.MaxDepth}", nameof(query));
            }

            switch (query)
            {
                case AllMessages:
                    _sql.Append("true");
                    break;
                case AndQuery { Queries.Count: 0 }:
                    _sql.Append("true");
                    break;
                case AndQuery and:
                    Join(and.Queries, " AND ", depth);
                    break;
                case OrQuery or:
                    Join([or.Left, or.Right], " OR ", depth);
                    break;
                case NotQuery not:
                    _sql.Append("NOT (");
                    Write(not.Query, depth + 1);
                    _sql.Append(')');
                    break;
                case UidQuery uids:
                    WriteUids(uids.Ranges);
                    break;
                case FlagQuery flags:
                    WriteFlags(flags);
                    break;
                case KeywordQuery keyword:
                    _sql.Append(keyword.Set ? "" : "NOT ").Append(CultureInfo.InvariantCulture,
                        $"COALESCE(m.keyword_ids @> ARRAY[(SELECT k.id FROM mailbox_keywords k WHERE k.account_id = @account AND k.mailbox_id = @mailbox AND lower(k.name) = lower({Parameter(keyword.Keyword)}))]::smallint[], false)");
                    break;
                case InternalDateQuery date:
                    WriteInstant("m.internal_date", date.Comparison, date.Day);
                    break;
                case SavedDateQuery saved:
                    WriteInstant("COALESCE(m.saved_at, m.internal_date)", saved.Comparison, saved.Day);
                    break;
                case SentDateQuery sent:
                    _joinBlobs = true;
                    _sql.Append(CultureInfo.InvariantCulture, $"COALESCE(COALESCE(b.sent_day, (m.internal_date AT TIME ZONE 'UTC')::date) {Comparison(sent.Comparison)} {Parameter(sent.Day)}, false)");
                    break;
                case SizeQuery size:
                    _sql.Append(CultureInfo.InvariantCulture, $"m.size {(size.Comparison == SizeComparison.Larger ? ">" : "<")} {Parameter(size.Size)}");
                    break;
                case HeaderQuery header:
                    _joinBlobs = true;
                    _sql.Append(CultureInfo.InvariantCulture,
                        $"EXISTS (SELECT 1 FROM {HeaderLines} AS line WHERE line ILIKE {Parameter(Literal(header.Field.Trim()) + ":%" + Literal(header.Value) + "%")})");
                    break;
                case AddressQuery address:
                    _joinBlobs = true;
                    // The envelope's key is one of four fixed words, never text from the query.
                    var envelopeKey = address.Field.ToUpperInvariant() switch
                    {
                        "FROM" => "from",
                        "TO" => "to",
                        "CC" => "cc",
                        "BCC" => "bcc",
                        _ => throw new ArgumentException($"{address.Field} is not an address field", nameof(query)),
                    };
                    var substring = Parameter("%" + Literal(address.Value) + "%");
                    _sql.Append(CultureInfo.InvariantCulture,
                        $"(EXISTS (SELECT 1 FROM {HeaderLines} AS line WHERE line ILIKE {Parameter(address.Field + ":%" + Literal(address.Value) + "%")})" +
                        $" OR EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(b.envelope->'{envelopeKey}') = 'array'" +
                        $" THEN b.envelope->'{envelopeKey}' ELSE '[]'::jsonb END) AS a" +
                        $" WHERE concat_ws('@', a->>'mailbox', a->>'host') ILIKE {substring} OR a->>'name' ILIKE {substring}))");
                    break;
                case BodyQuery body:
                    // The contents whose text holds the substring come from the trigram index
                    // (migration 0012), not from reading the mailbox's bodies; ids are never NULL, so
                    // IN is exact under NOT.
                    _sql.Append(CultureInfo.InvariantCulture,
                        $"m.blob_id IN (SELECT s.id FROM blobs s WHERE s.body_text ILIKE {Parameter("%" + Literal(body.Value) + "%")})");
                    break;
                case TextQuery text:
                    var pattern = Parameter("%" + Literal(text.Value) + "%");
                    _sql.Append(CultureInfo.InvariantCulture,
                        $"(m.blob_id IN (SELECT s.id FROM blobs s WHERE s.header_text ILIKE {pattern} OR s.body_text ILIKE {pattern})" +
                        $" OR convert_from(m.trace_fields, 'UTF8') ILIKE {pattern})");
                    break;
                case ModSeqQuery modSeq:
                    _sql.Append(CultureInfo.InvariantCulture, $"m.modseq >= {Parameter(modSeq.ModSeq)}");
                    break;
                case ReceivedInstantQuery received:
                    _sql.Append(CultureInfo.InvariantCulture, $"m.internal_date {(received.After ? ">=" : "<")} {Parameter(received.Instant.UtcDateTime)}");
                    break;
                case EmailIdQuery email:
                    _joinBlobs = true;
                    _sql.Append(CultureInfo.InvariantCulture, $"{ObjectIds.EmailIdSql} = {Parameter(email.Id)}");
                    break;
                default:
                    throw new ArgumentException($"unknown search criterion {query.GetType().Name}", nameof(query));
            }
        }

        private void Join(IReadOnlyList<MessageQuery> queries, string separator, int depth)
        {
            _sql.Append('(');
            for (var i = 0; i < queries.Count; i++)
            {
                if (i > 0)
                {
                    _sql.Append(separator);
                }

                Write(queries[i], depth + 1);
            }

            _sql.Append(')');
        }

        private void WriteUids(IReadOnlyList<UidRange> ranges)
        {
            if (ranges.Count == 0)
            {
                _sql.Append("false");
                return;
            }

            // '*' is the highest UID in the mailbox, computed once for the statement.
            const string highest = "(SELECT max(h.uid) FROM messages h WHERE h.account_id = @account AND h.mailbox_id = @mailbox)";
            var plain = ranges.Where(r => r.First != UidRange.Highest && r.Last != UidRange.Highest)
                .Select(r => (Low: Math.Min(r.First, r.Last), High: Math.Max(r.First, r.Last))).ToList();
            var starred = ranges.Where(r => r.First == UidRange.Highest || r.Last == UidRange.Highest).ToList();
            var terms = new List<string>();
            if (plain.Count > MaxInlineRanges)
            {
                terms.Add($"EXISTS (SELECT 1 FROM unnest({Parameter(plain.Select(r => r.Low).ToArray())}, {Parameter(plain.Select(r => r.High).ToArray())}) AS r(low, high) WHERE m.uid BETWEEN r.low AND r.high)");
            }
            else
            {
                terms.AddRange(plain.Select(r => r.Low == r.High ? $"m.uid = {Parameter(r.Low)}" : $"m.uid BETWEEN {Parameter(r.Low)} AND {Parameter(r.High)}"));
            }

            foreach (var range in starred)
            {
                var other = range.First == UidRange.Highest ? range.Last : range.First;
                terms.Add(other == UidRange.Highest
                    ? $"m.uid = {highest}"
                    : $"m.uid BETWEEN LEAST({Parameter(other)}, {highest}) AND GREATEST({Parameter(other)}, {highest})");
            }

            _sql.Append('(').AppendJoin(" OR ", terms).Append(')');
        }

        /// <summary>One term per flag, each spelled as the partial indexes are: <c>(m.system_flags &amp; 8) &lt;&gt; 0</c>.</summary>
        private void WriteFlags(FlagQuery query)
        {
            var terms = Enum.GetValues<SystemFlags>().Where(f => f != SystemFlags.None && query.Flags.HasFlag(f))
                .Select(f => string.Create(CultureInfo.InvariantCulture, $"(m.system_flags & {(short)f}) {(query.Set ? "<>" : "=")} 0"))
                .ToList();
            _sql.Append(terms.Count == 0 ? "true" : "(" + string.Join(" AND ", terms) + ")");
        }

        /// <summary>
        /// An instant (the internal or the save date; <paramref name="column"/> is a constant) compared against
        /// the UTC midnights around the day, which an index on the column could serve.
        /// </summary>
        private void WriteInstant(string column, DateComparison comparison, DateOnly day)
        {
            var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            _sql.Append(comparison switch
            {
                DateComparison.Before => $"{column} < {Parameter(start)}",
                DateComparison.Since => $"{column} >= {Parameter(start)}",
                _ => $"({column} >= {Parameter(start)} AND {column} < {Parameter(start.AddDays(1))})",
            });
        }

        private static string Comparison(DateComparison comparison) => comparison switch
        {
            DateComparison.Before => "<",
            DateComparison.Since => ">=",
            _ => "=",
        };

        private string Parameter<T>(T value)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"p{_parameters.Count}");
            _parameters.Add(value switch
            {
                DateTime time => new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = time },
                DateOnly day => new NpgsqlParameter(name, NpgsqlDbType.Date) { Value = day },
                string text => new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = text },
                long number => new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = number },
                long[] numbers => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = numbers },
                _ => throw new ArgumentException($"no parameter type for {typeof(T).Name}", nameof(value)),
            });
            return "@" + name;
        }
    }
}
