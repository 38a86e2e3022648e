using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Storage;

/// <summary>
/// What "the database is unavailable" means, once for every caller: a connection that could not be
/// opened, broke or timed out, a pool with no connection free, a server refusing work while it
/// starts, stops or is overloaded, or refusing the node's role or database (a password rotated, a
/// database being restored). Such a failure is temporary and is answered as one (LMTP 451,
/// POP3 [SYS/TEMP], IMAP NO [UNAVAILABLE]). A statement the database refuses for what it says
/// (a constraint, a syntax error) is not unavailability but a bug, and is not caught as one.
/// </summary>
public static class DatabaseFailure
{
    /// <summary>Whether <paramref name="exception"/> means the database cannot serve the request now.</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        // A FATAL error ends the session (a database not accepting connections, a backend terminated); and
        // classes 08 connection exception, 28 invalid authorization, 3D invalid catalog name, 53 insufficient
        // resources; 57P01-03 shutting down or starting up (PostgreSQL's Appendix A).
        PostgresException postgres => postgres.Severity is "FATAL" or "PANIC"
            || postgres.SqlState[..2] is "08" or "28" or "3D" or "53"
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException or SocketException or TimeoutException or IOException => true,
        _ => false,
    };
}

/// <summary>
/// Logs database outages without drowning the log: one line per failed operation, and the stack trace
/// only the first time a distinct error is seen in <see cref="StackInterval"/>. (A 10-second outage
/// used to write tens of thousands of lines, each with its stack.) A DI singleton shared by every
/// front-end.
/// </summary>
public sealed partial class DatabaseOutageLog(TimeProvider time)
{
    /// <summary>How often the stack of one distinct error is written again.</summary>
    public static readonly TimeSpan StackInterval = TimeSpan.FromMinutes(1);

    /// <summary>Distinct errors remembered at most; beyond it the memory starts afresh.</summary>
    private const int MaxDistinctErrors = 1000;

    private readonly ConcurrentDictionary<string, long> _stackWritten = new(StringComparer.Ordinal);

    /// <summary>Writes one warning for <paramref name="operation"/> that failed with <paramref name="exception"/>.</summary>
    public void Report(ILogger logger, Exception exception, string operation)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var key = $"{exception.GetType().FullName}: {exception.Message}";
        var now = time.GetTimestamp();
        var withStack = false;
        if (!_stackWritten.TryGetValue(key, out var last) || time.GetElapsedTime(last, now) >= StackInterval)
        {
            if (_stackWritten.Count >= MaxDistinctErrors)
            {
                _stackWritten.Clear();
            }

            _stackWritten[key] = now;
            withStack = true;
        }

        if (withStack)
        {
            LogUnavailableWithStack(logger, exception, operation, exception.Message);
        }
        else
        {
            LogUnavailable(logger, operation, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation}: the database is unavailable: {Reason}")]
    private static partial void LogUnavailableWithStack(ILogger logger, Exception exception, string operation, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation}: the database is unavailable: {Reason} (stack written at its first occurrence this minute)")]
    private static partial void LogUnavailable(ILogger logger, string operation, string reason);
}
