using Npgsql;

namespace Groupware.Storage.Mail;

public sealed partial class MailStore
{
    /// <summary>
    /// Longest keyword: 50 characters, Dovecot's mail_max_keyword_length. A longer one is refused,
    /// as Dovecot refuses it.
    /// </summary>
    public const int MaxKeywordLength = 50;

    /// <summary>
    /// Most keywords defined in one mailbox: 1024, eight times Cyrus's MAX_USER_FLAGS (128), so that
    /// mail migrated from Cyrus always fits and from Dovecot (no fixed limit) practically always.
    /// Once a mailbox has them all, PERMANENTFLAGS should no longer offer <c>\*</c>, and a new
    /// keyword is refused (<see cref="StoreResult.RefusedKeywords"/>) or, in APPEND, COPY and MOVE,
    /// not kept.
    /// </summary>
    public const int MaxKeywordsPerMailbox = 1024;

    private const string SelectKeywords = """
        SELECT id, name FROM mailbox_keywords WHERE account_id = @accountId AND mailbox_id = @mailboxId ORDER BY id
        """;

    private const string InsertKeywords = """
        INSERT INTO mailbox_keywords (account_id, mailbox_id, id, name)
        SELECT @accountId, @mailboxId, k.id, k.name FROM unnest(@ids, @names) AS k(id, name)
        """;

    /// <summary>
    /// Whether <paramref name="keyword"/> can be stored: an atom (RFC 9051 §9: ASCII, no controls,
    /// blanks or <c>(){%*"\]</c>) that does not begin with <c>\</c> (system flags do), at most
    /// <see cref="MaxKeywordLength"/> characters.
    /// </summary>
    public static bool IsValidKeyword(string keyword) =>
        !string.IsNullOrEmpty(keyword) && keyword.Length <= MaxKeywordLength
        && keyword.All(c => c is > ' ' and < (char)0x7F and not ('(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']'));

    /// <summary>
    /// The keyword table of a mailbox whose row this transaction holds FOR UPDATE, with the ids of
    /// <paramref name="wanted"/> added where missing (within <see cref="MaxKeywordsPerMailbox"/>).
    /// Keywords compare case-insensitively; a new one keeps the spelling it first came with.
    /// </summary>
    private static async Task<MailboxKeywords> LoadKeywordsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long accountId,
        long mailboxId, IEnumerable<string> wanted, CancellationToken cancellationToken)
    {
        var keywords = await ReadKeywordsAsync(connection, transaction, accountId, mailboxId, cancellationToken);
        var added = new List<(short Id, string Name)>();
        foreach (var name in wanted)
        {
            if (keywords.Find(name) is null && IsValidKeyword(name) && keywords.Count < MaxKeywordsPerMailbox)
            {
                added.Add((keywords.Add(name), name));
            }
        }

        if (added.Count > 0)
        {
            await using var insert = new NpgsqlCommand(InsertKeywords, connection, transaction);
            insert.Parameters.AddWithValue("accountId", accountId);
            insert.Parameters.AddWithValue("mailboxId", mailboxId);
            insert.Parameters.AddWithValue("ids", added.Select(a => a.Id).ToArray());
            insert.Parameters.AddWithValue("names", added.Select(a => a.Name).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return keywords;
    }

    private static async Task<MailboxKeywords> ReadKeywordsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long accountId,
        long mailboxId, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand(SelectKeywords, connection, transaction);
        select.Parameters.AddWithValue("accountId", accountId);
        select.Parameters.AddWithValue("mailboxId", mailboxId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await MailboxKeywords.ReadAsync(reader, cancellationToken);
    }

    /// <summary>
    /// A mailbox's keywords by id (RFC 9051 §2.3.2), as messages hold them. The name strings are
    /// shared by every <see cref="MessageState"/> made from this table.
    /// </summary>
    private sealed class MailboxKeywords
    {
        private static readonly string[] NoKeywords = [];

        private readonly Dictionary<short, string> _byId = [];
        private readonly Dictionary<string, short> _byName = new(StringComparer.OrdinalIgnoreCase);
        private short _highest;

        public int Count => _byId.Count;

        /// <summary>The names in id order (the order they were first used in the mailbox).</summary>
        public IReadOnlyList<string> Names => _byId.OrderBy(k => k.Key).Select(k => k.Value).ToList();

        /// <summary>Reads rows of (id, name); leaves the reader at the end of its result.</summary>
        public static async Task<MailboxKeywords> ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
        {
            var keywords = new MailboxKeywords();
            while (await reader.ReadAsync(cancellationToken))
            {
                keywords.Put(reader.GetInt16(0), reader.GetString(1));
            }

            return keywords;
        }

        public short? Find(string name) => _byName.TryGetValue(name, out var id) ? id : null;

        public short Add(string name)
        {
            var id = checked((short)(_highest + 1));
            Put(id, name);
            return id;
        }

        /// <summary>The ids of the names known here, ascending, each once; unknown names are left out.</summary>
        public short[] IdsOf(IEnumerable<string> names) =>
            names.Select(Find).OfType<short>().Distinct().Order().ToArray();

        /// <summary>The names of stored ids, in id order; the shared empty list for none.</summary>
        public IReadOnlyList<string> NamesOf(short[] ids)
        {
            if (ids.Length == 0)
            {
                return NoKeywords;
            }

            var names = new List<string>(ids.Length);
            foreach (var id in ids)
            {
                if (_byId.TryGetValue(id, out var name))
                {
                    names.Add(name);
                }
            }

            return names;
        }

        private void Put(short id, string name)
        {
            _byId[id] = name;
            _byName.TryAdd(name, id);
            _highest = Math.Max(_highest, id);
        }
    }
}
