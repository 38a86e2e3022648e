using System.Text;
using Dapper;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>
/// Migration 0006 on a database that already holds mail in the 0003 shape: flags and keywords
/// become bits and ids, subscriptions a table, missing superiors placeholders, a second mailbox of
/// one special use loses it, bodies get references, and what a migration can compute of the new
/// summaries it does; <see cref="MailStore.RefreshSummariesAsync"/> does the rest.
/// </summary>
public sealed class ImapMigrationTests
{
    private const string Body = "Subject: legacy\r\nDate: Tue, 3 Nov 2026 00:30:00 +0100\r\n\r\nold text\r\n";

    private const string Multipart = "Subject: legacy parts\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n" +
        "Content-Type: text/plain\r\n\r\nfirst part\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond part\r\n--b--\r\n";

    private string _connectionString = null!;

    [SetUp]
    public async Task SetUpAsync() => _connectionString = await TestDatabase.CreateDatabaseAsync("imapmig");

    [TearDown]
    public async Task TearDownAsync() => await TestDatabase.DropDatabaseAsync(_connectionString);

    [Test]
    public async Task Mail_stored_before_0006_is_carried_over_and_usable_through_the_new_store()
    {
        await using var data = Database.CreateDataSource(_connectionString, "test");
        var (account, inbox) = await FillVersion5Async(data);

        var applied = await new Migrator(data, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        Assert.That(applied, Does.Contain(6));

        await using var connection = await data.OpenConnectionAsync();
        var store = new MailStore(data);
        var mailboxes = (await store.ListMailboxesAsync(account, CancellationToken.None)).ToDictionary(m => m.Name);
        Assert.That(mailboxes.Keys, Is.EquivalentTo(new[] { "INBOX", "Sent", "Sent Items", "a", "a/b", "a/b/c" }));
        Assert.That((mailboxes["a"].Selectable, mailboxes["a/b"].Selectable, mailboxes["a/b/c"].Selectable), Is.EqualTo((false, false, true)),
            "missing superiors became placeholders");
        Assert.That((mailboxes["Sent"].SpecialUse, mailboxes["Sent Items"].SpecialUse), Is.EqualTo((@"\Sent", (string?)null)),
            "the older of two \\Sent mailboxes keeps the attribute");
        Assert.That(await store.ListSubscriptionsAsync(account, CancellationToken.None), Is.EquivalentTo(new[] { "INBOX", "a/b/c" }));

        var snapshot = (await store.SnapshotAsync(account, inbox, CancellationToken.None))!;
        Assert.That(snapshot.Messages.Select(m => (m.Uid, m.Flags)), Is.EqualTo(new[]
        {
            (1L, SystemFlags.Seen | SystemFlags.Flagged), (2L, SystemFlags.Deleted),
        }));
        Assert.That(snapshot.Messages[0].Keywords, Is.EqualTo(new[] { "$Junk", "Work" }), "one keyword per case-insensitive name");
        Assert.That(snapshot.Keywords, Is.EquivalentTo(new[] { "$Junk", "Work" }));
        Assert.That(await store.ClaimRecentAsync(account, inbox, CancellationToken.None), Is.Empty, "mail from before is not recent");
        Assert.That(await store.SearchAsync(account, inbox, MessageQuery.FlagSet(SystemFlags.Deleted), CancellationToken.None), Is.EqualTo(new long[] { 2 }));
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM blob_references WHERE account_id = @account", new { account }),
            Is.EqualTo(2));

        // Offsets: the single-part body's computed here, the multipart's parts left to a parse.
        var metadata = (await store.FetchAsync(account, inbox, [1, 2], CancellationToken.None)).ToDictionary(m => m.Uid);
        var root = MessageSummary.FindPart(metadata[1].BodyStructureJson, [1]);
        Assert.That(root, Is.Not.Null);
        var text = await store.OpenMessageRangeAsync(account, inbox, 1, root!.BodyStart, root.End - root.BodyStart, CancellationToken.None);
        Assert.That(Encoding.ASCII.GetString(await ReadAsync(text)), Is.EqualTo("old text\r\n"));
        Assert.That(MessageSummary.FindPart(metadata[2].BodyStructureJson, [2]), Is.Null, "not computed by the migration");
        Assert.That(await store.SearchAsync(account, inbox, MessageQuery.Body("second part"), CancellationToken.None), Is.Empty, "no body text yet");
        Assert.That(await store.SearchAsync(account, inbox, MessageQuery.Sent(DateComparison.On, new DateOnly(2026, 11, 2)), CancellationToken.None),
            Is.EqualTo(new long[] { 1 }), "old rows have the UTC day of their Date field until parsed again");

        Assert.That(await store.RefreshSummariesAsync(Path.GetTempPath(), 10, CancellationToken.None), Is.EqualTo(2));
        Assert.That(await store.RefreshSummariesAsync(Path.GetTempPath(), 10, CancellationToken.None), Is.Zero, "nothing left");
        var refreshed = (await store.FetchAsync(account, inbox, [2], CancellationToken.None)).Single();
        var second = MessageSummary.FindPart(refreshed.BodyStructureJson, [2])!;
        var octets = await store.OpenMessageRangeAsync(account, inbox, 2, second.BodyStart, second.End - second.BodyStart, CancellationToken.None);
        Assert.That(Encoding.ASCII.GetString(await ReadAsync(octets)), Is.EqualTo("second part"));
        Assert.That(await store.SearchAsync(account, inbox, MessageQuery.Body("SECOND PART"), CancellationToken.None), Is.EqualTo(new long[] { 2 }));
        Assert.That(await store.SearchAsync(account, inbox, MessageQuery.Sent(DateComparison.On, new DateOnly(2026, 11, 3)), CancellationToken.None),
            Is.EqualTo(new long[] { 1 }), "parsed again: the day in the field's own zone");
    }

    /// <summary>Applies migrations 1 to 5 and stores mail as the 0003 schema held it, without the store (which now speaks 0006).</summary>
    private static async Task<(long Account, long Inbox)> FillVersion5Async(NpgsqlDataSource data)
    {
        await using var connection = await data.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """);
        foreach (var migration in Migrator.All.Where(m => m.Version <= 5))
        {
            await connection.ExecuteAsync(migration.Sql);
            await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { migration.Version, migration.Name });
        }

        var account = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO accounts (login, login_key, password_hash) VALUES ('old', 'old', '{PLAIN}x') RETURNING id");
        var inbox = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO mailboxes (account_id, name, subscribed) VALUES (@account, 'INBOX', true) RETURNING id
            """, new { account });
        await connection.ExecuteAsync("""
            INSERT INTO mailboxes (account_id, name, special_use, subscribed) VALUES
                (@account, 'Sent', '\Sent', false), (@account, 'Sent Items', '\Sent', false), (@account, 'a/b/c', NULL, true);
            UPDATE mailboxes SET uid_next = 3, highest_modseq = 2 WHERE id = @inbox;
            """, new { account, inbox });
        var single = await InsertBlobAsync(connection, Body, """{"type":"text","subtype":"plain","params":{},"encoding":"7bit","size":10,"lines":1}""",
            new DateTimeOffset(2026, 11, 2, 23, 30, 0, TimeSpan.Zero));
        var parts = await InsertBlobAsync(connection, Multipart, """{"type":"multipart","subtype":"mixed","params":{"boundary":"b"},"parts":[]}""", null);
        await connection.ExecuteAsync("""
            INSERT INTO messages (account_id, mailbox_id, uid, modseq, blob_id, size, flags, keywords) VALUES
                (@account, @inbox, 1, 1, @single, @singleSize, ARRAY['\Seen', '\flagged'], ARRAY['$Junk', '$junk', 'Work']),
                (@account, @inbox, 2, 2, @parts, @partsSize, ARRAY['\Deleted', '\Recent'], '{}');
            UPDATE accounts SET used_bytes = @singleSize + @partsSize WHERE id = @account;
            """, new { account, inbox, single, parts, singleSize = (long)Body.Length, partsSize = (long)Multipart.Length });
        return (account, inbox);
    }

    private static async Task<long> InsertBlobAsync(NpgsqlConnection connection, string content, string structure, DateTimeOffset? sentDate)
    {
        var bytes = Encoding.ASCII.GetBytes(content);
        return await connection.ExecuteScalarAsync<long>("""
            WITH blob AS (
                INSERT INTO blobs (sha256, size, envelope, body_structure, subject, sent_date, header_text)
                VALUES (sha256(@bytes), @size, '{}', @structure::jsonb, 'legacy', @sentDate, '')
                RETURNING id
            ), chunk AS (INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, 0, @bytes FROM blob)
            SELECT id FROM blob
            """, new { bytes, size = (long)bytes.Length, structure, sentDate });
    }

    private static async Task<byte[]> ReadAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }
}
