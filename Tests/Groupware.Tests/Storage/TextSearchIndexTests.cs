using System.Text.Json;
using Dapper;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>
/// SEARCH BODY and TEXT of a word in 0.1% of 5,000 messages with distinct bodies: the trigram indexes
/// of migration 0012 answer them (PostgreSQL can plan the search without reading the bodies), and the
/// answer is right, under NOT too. Which plan the planner picks at this size depends on the statistics
/// of the whole run's database; the benchmark imap-large measures it at 100,000 messages.
/// </summary>
public sealed class TextSearchIndexTests : ImapStoreTest
{
    private const int Messages = 5_000;

    private long _account;
    private long _mailbox;

    [OneTimeSetUp]
    public async Task FillAsync()
    {
        _account = await NewAccountAsync("textbox");
        _mailbox = (await MailboxAsync(_account, "INBOX")).Id;
        await using var connection = await Data.OpenConnectionAsync();

        // Distinct contents of realistic length (a 1.3 KB body, a 0.7 KB header) written straight into
        // the tables: 5,000 APPENDs would take a minute. Every 1000th body holds the rare word; every
        // 500th header holds another.
        await connection.ExecuteAsync("""
            WITH contents AS (
                INSERT INTO blobs (sha256, size, envelope, body_structure, header_text, body_text, summary_version)
                SELECT sha256(convert_to('textbox ' || n, 'UTF8')), 100, '{}', '{}',
                       'Subject: message ' || n || CASE WHEN n % 500 = 0 THEN ' Wombat' ELSE '' END || ' Received: ' ||
                           (SELECT string_agg(md5(n::text || '/' || g::text), ' ') FROM generate_series(1, 20) AS g),
                       'Body ' || (SELECT string_agg(md5(n::text || ':' || g::text), ' ') FROM generate_series(1, 40) AS g) ||
                           CASE WHEN n % 1000 = 0 THEN ' a Quokka sighting' ELSE '' END, 3
                FROM generate_series(1, @count) AS n
                RETURNING id
            ), refs AS (
                INSERT INTO blob_references (account_id, blob_id) SELECT @account, id FROM contents
            )
            INSERT INTO messages (account_id, mailbox_id, uid, modseq, blob_id, size)
            SELECT @account, @mailbox, row_number() OVER (ORDER BY id), 1, id, 100 FROM contents;
            UPDATE mailboxes SET uid_next = @count + 1 WHERE account_id = @account AND id = @mailbox;
            ANALYZE blobs;
            ANALYZE messages;
            """, new { account = _account, mailbox = _mailbox, count = Messages }, commandTimeout: 300);
    }

    [Test]
    public async Task BODY_finds_a_rare_word_case_insensitively_through_the_trigram_index()
    {
        var query = MessageQuery.Body("qUOKKA");
        Assert.That(await Store.SearchAsync(_account, _mailbox, query, CancellationToken.None), Has.Count.EqualTo(Messages / 1000));
        // As for TEXT below: the run's shared database holds only some thousands of contents, which the
        // planner may read whole once its statistics say the table is small (seen on a fresh clone
        // after the RPC tests); with sequential scans off the plan shows the index answers the search.
        Assert.That(await PlannedIndexesAsync(query, sequentialScans: false), Does.Contain("blobs_body_text_trgm"));
        Assert.That(await Store.SearchAsync(_account, _mailbox, MessageQuery.Not(query), CancellationToken.None),
            Has.Count.EqualTo(Messages - (Messages / 1000)));
    }

    [Test]
    public async Task TEXT_finds_a_word_of_the_header_or_of_the_body_through_both_indexes()
    {
        var query = MessageQuery.Text("wombat");
        Assert.That(await Store.SearchAsync(_account, _mailbox, query, CancellationToken.None), Has.Count.EqualTo(Messages / 500));

        // The planner may read a table as small as this one's 5,000 contents instead; with sequential
        // scans off it shows that both conditions can be answered from the indexes, which it does
        // choose for a store of realistic size.
        Assert.That(await PlannedIndexesAsync(query, sequentialScans: false),
            Has.Some.EqualTo("blobs_header_text_trgm").And.Some.EqualTo("blobs_body_text_trgm"));
        Assert.That(await Store.SearchAsync(_account, _mailbox, MessageQuery.Text("quokka sighting"), CancellationToken.None),
            Has.Count.EqualTo(Messages / 1000));
    }

    /// <summary>The names of the indexes in PostgreSQL's plan for the statement SearchAsync runs.</summary>
    private async Task<List<string>> PlannedIndexesAsync(MessageQuery query, bool sequentialScans = true)
    {
        var (sql, parameters) = MailStore.SearchSql(query);
        await using var connection = await Data.OpenConnectionAsync();
        if (!sequentialScans)
        {
            await connection.ExecuteAsync("SET enable_seqscan = off");
        }

        await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, connection);
        explain.Parameters.AddWithValue("account", _account);
        explain.Parameters.AddWithValue("mailbox", _mailbox);
        explain.Parameters.AddRange(parameters.ToArray());
        var plan = (string)(await explain.ExecuteScalarAsync())!;
        if (!sequentialScans)
        {
            // The connection goes back to a pool that does not reset it.
            await connection.ExecuteAsync("RESET enable_seqscan");
        }

        using var document = JsonDocument.Parse(plan);
        var names = new List<string>();
        foreach (var name in document.RootElement.ToString().Split("\"Index Name\":").Skip(1))
        {
            names.Add(name.Trim().Split('"')[1]);
        }

        return names;
    }
}
