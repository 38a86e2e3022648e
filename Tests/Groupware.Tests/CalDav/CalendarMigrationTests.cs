using Dapper;
using Groupware.Storage;
using Groupware.Storage.Calendar;
using Groupware.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;

namespace Groupware.Tests.CalDav;

/// <summary>
/// Migration 0007 and the calendar store's own guarantees on a fresh database: accounts made before
/// it get the default calendar and tasks list, accounts made after get them from the trigger, the
/// index bounds of an open-ended rule stay open, and deleting an account takes its calendars along.
/// </summary>
public sealed class CalendarMigrationTests
{
    private string _connectionString = null!;

    [SetUp]
    public async Task SetUpAsync() => _connectionString = await TestDatabase.CreateDatabaseAsync("calmig");

    [TearDown]
    public async Task TearDownAsync() => await TestDatabase.DropDatabaseAsync(_connectionString);

    [Test]
    public async Task Accounts_before_and_after_0007_have_a_default_calendar_and_a_tasks_list()
    {
        await using var data = Database.CreateDataSource(_connectionString, "test");
        await using (var connection = await data.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            foreach (var migration in Migrator.All.Where(m => m.Version <= 6))
            {
                await connection.ExecuteAsync(migration.Sql);
                await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { migration.Version, migration.Name });
            }

            await connection.ExecuteAsync("INSERT INTO accounts (login, login_key, password_hash) VALUES ('before', 'before', '{PLAIN}x')");
        }

        Assert.That(await new Migrator(data, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None), Does.Contain(7));
        long before, after;
        await using (var connection = await data.OpenConnectionAsync())
        {
            before = await connection.ExecuteScalarAsync<long>("SELECT id FROM accounts WHERE login = 'before'");
            after = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO accounts (login, login_key, password_hash) VALUES ('after', 'after', '{PLAIN}x') RETURNING id");
        }

        var store = new CalendarStore(data);
        foreach (var account in new[] { before, after })
        {
            var calendars = await store.ListCalendarsAsync(account, CancellationToken.None);
            Assert.That(calendars.Select(c => (c.Name, string.Join(",", c.Components))), Is.EqualTo(new[] { ("default", "VEVENT"), ("tasks", "VTODO") }));
        }

        await using (var connection = await data.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("DELETE FROM accounts WHERE id = @before", new { before });
        }

        Assert.That(await store.ListCalendarsAsync(before, CancellationToken.None), Is.Empty);
    }

    [Test]
    public void The_index_of_an_open_ended_rule_has_no_end_and_a_counted_one_ends_at_its_last_instance()
    {
        static CalendarObjectContent Parse(string rule) => CalendarObjectContent.Parse(
            $"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:r\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300107T090000Z\r\n" +
            $"DTEND:20300107T100000Z\r\n{rule}END:VEVENT\r\nEND:VCALENDAR\r\n", out _, out _)!;

        var open = Parse("RRULE:FREQ=WEEKLY\r\n");
        Assert.That((open.FirstStart, open.LastEnd), Is.EqualTo(((DateTime?)new DateTime(2030, 1, 7, 9, 0, 0, DateTimeKind.Utc), (DateTime?)null)));
        var counted = Parse("RRULE:FREQ=WEEKLY;COUNT=3\r\n");
        Assert.That(counted.LastEnd, Is.EqualTo(new DateTime(2030, 1, 21, 10, 0, 0, DateTimeKind.Utc)));
        var beyond = Parse($"RRULE:FREQ=DAILY;COUNT={CalendarTime.MaxOccurrences + 1}\r\n");
        Assert.That(beyond.LastEnd, Is.Null, "past the bounded pre-expansion an object counts as open-ended");
        var single = Parse("");
        Assert.That((single.FirstStart, single.LastEnd), Is.EqualTo(((DateTime?)new DateTime(2030, 1, 7, 9, 0, 0, DateTimeKind.Utc),
            (DateTime?)new DateTime(2030, 1, 7, 10, 0, 0, DateTimeKind.Utc))));
    }
}
