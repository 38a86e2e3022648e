using Groupware.Storage;
using Groupware.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>
/// <see cref="DatabaseOutageLog"/>: one line per failed operation, the stack of a distinct error once
/// per <see cref="DatabaseOutageLog.StackInterval"/>; and <see cref="DatabaseFailure"/> says which
/// failures are the database being unavailable.
/// </summary>
public sealed class DatabaseOutageLogTests
{
    [Test]
    public void The_stack_of_one_error_is_written_once_a_minute_and_a_new_error_gets_its_own()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new DatabaseOutageLog(time);
        var logs = new CapturedLogs();
        var logger = logs.CreateLogger("test");
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432");
        for (var i = 0; i < 100; i++)
        {
            log.Report(logger, refused, "delivery");
        }

        log.Report(logger, new TimeoutException("The connection pool has been exhausted"), "delivery");
        time.Advance(DatabaseOutageLog.StackInterval);
        log.Report(logger, refused, "delivery");

        Assert.That(logs.Entries, Has.Count.EqualTo(102));
        Assert.That(logs.Entries.Select((e, i) => (i, e.Exception is not null)).Where(e => e.Item2).Select(e => e.i), Is.EqualTo(new[] { 0, 100, 101 }));
        Assert.That(logs.Entries.Select(e => e.Level), Has.All.EqualTo(LogLevel.Warning));
    }

    [Test]
    public void Unavailability_is_a_connection_that_failed_not_a_statement_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DatabaseFailure.IsUnavailable(new NpgsqlException("connection refused")), Is.True);
            Assert.That(DatabaseFailure.IsUnavailable(new TimeoutException()), Is.True);
            Assert.That(DatabaseFailure.IsUnavailable(new IOException("broken pipe")), Is.True);
            Assert.That(DatabaseFailure.IsUnavailable(new PostgresException("the database system is shutting down", "FATAL", "FATAL", "57P03")), Is.True);
            Assert.That(DatabaseFailure.IsUnavailable(new PostgresException("terminating connection", "FATAL", "FATAL", "57P01")), Is.True);
            Assert.That(DatabaseFailure.IsUnavailable(new PostgresException("too many clients", "FATAL", "FATAL", "53300")), Is.True);
            Assert.That(DatabaseFailure.IsUnavailable(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")), Is.False);
            Assert.That(DatabaseFailure.IsUnavailable(new PostgresException("syntax error", "ERROR", "ERROR", "42601")), Is.False);
            Assert.That(DatabaseFailure.IsUnavailable(new InvalidOperationException()), Is.False);
        });
    }
}
