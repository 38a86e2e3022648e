using System.Text.Json;
using Dapper;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>
/// The searches clients run on every sync (UNSEEN, FLAGGED, DELETED before EXPUNGE) are index
/// lookups in a mailbox of 10,000 messages: PostgreSQL's own plan for the statement SEARCH runs
/// names the partial index, and the answer is right.
/// </summary>
public sealed class SearchIndexTests : ImapStoreTest
{
    private const int Messages = 10_000;

    private long _account;
    private long _mailbox;

    [OneTimeSetUp]
    public async Task FillAsync()
    {
        _account = await NewAccountAsync("bigbox");
        _mailbox = (await MailboxAsync(_account, "INBOX")).Id;
        await AppendAsync(_account, "INBOX", "Subject: template\r\n\r\nthe same body\r\n", SystemFlags.Seen);

        // The rest share the first one's body: one statement instead of 10,000 APPENDs. Every 20th is
        // unseen, every 100th flagged, every 50th deleted.
        await using var connection = await Data.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO messages (account_id, mailbox_id, uid, modseq, blob_id, size, system_flags)
            SELECT t.account_id, t.mailbox_id, n, t.modseq, t.blob_id, t.size,
                   (CASE WHEN n % 20 = 0 THEN 0 ELSE 1 END) | (CASE WHEN n % 100 = 0 THEN 4 ELSE 0 END) | (CASE WHEN n % 50 = 0 THEN 8 ELSE 0 END)
            FROM messages t, generate_series(2, @count) AS n
            WHERE t.account_id = @account AND t.mailbox_id = @mailbox AND t.uid = 1;
            UPDATE mailboxes SET uid_next = @count + 1 WHERE account_id = @account AND id = @mailbox;
            ANALYZE messages;
            """, new { account = _account, mailbox = _mailbox, count = Messages });
    }

    [TestCase(SystemFlags.Seen, false, "messages_unseen", Messages / 20)]
    [TestCase(SystemFlags.Flagged, true, "messages_flagged", Messages / 100)]
    [TestCase(SystemFlags.Deleted, true, "messages_deleted", Messages / 50)]
    public async Task The_flag_search_is_answered_from_its_partial_index(SystemFlags flag, bool set, string index, int expected)
    {
        var query = set ? MessageQuery.FlagSet(flag) : MessageQuery.FlagUnset(flag);
        var uids = await Store.SearchAsync(_account, _mailbox, query, CancellationToken.None);
        Assert.That(uids, Has.Count.EqualTo(expected));

        var indexes = await PlannedIndexesAsync(query);
        Assert.That(indexes, Does.Contain(index), $"plan uses {string.Join(", ", indexes)}");
        Assert.That(await PlannedIndexesAsync(MessageQuery.Larger(10)), Does.Not.Contain(index), "only the flag's own search uses it");
    }

    [Test]
    public async Task A_flag_combined_with_other_keys_still_starts_from_its_index()
    {
        var query = MessageQuery.And(MessageQuery.FlagSet(SystemFlags.Deleted), MessageQuery.Uids(new UidRange(1, 5000)));
        Assert.That(await Store.SearchAsync(_account, _mailbox, query, CancellationToken.None), Has.Count.EqualTo(5000 / 50));
        Assert.That(await PlannedIndexesAsync(query), Does.Contain("messages_deleted"));
    }

    /// <summary>The names of the indexes in PostgreSQL's plan for the statement SearchAsync runs.</summary>
    private async Task<List<string>> PlannedIndexesAsync(MessageQuery query)
    {
        var (sql, parameters) = MailStore.SearchSql(query);
        await using var connection = await Data.OpenConnectionAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, connection);
        explain.Parameters.AddWithValue("account", _account);
        explain.Parameters.AddWithValue("mailbox", _mailbox);
        explain.Parameters.AddRange(parameters.ToArray());
        var plan = (string)(await explain.ExecuteScalarAsync())!;
        using var document = JsonDocument.Parse(plan);
        var names = new List<string>();
        Collect(document.RootElement, names);
        return names;
    }

    private static void Collect(JsonElement element, List<string> names)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "Index Name")
                    {
                        names.Add(property.Value.GetString()!);
                    }

                    Collect(property.Value, names);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, names);
                }

                break;
        }
    }
}
