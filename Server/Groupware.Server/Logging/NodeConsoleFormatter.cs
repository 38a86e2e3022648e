using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Groupware.Server.Logging;

/// <summary>Options of <see cref="NodeConsoleFormatter"/>.</summary>
internal sealed class NodeConsoleFormatterOptions : ConsoleFormatterOptions
{
    public string NodeName { get; set; } = "-";

    public bool PlaintextAllowed { get; set; }
}

/// <summary>
/// One line per event, each naming the node, so that the logs of several nodes can be merged and
/// a legacy node's lines stand out: <c>2026-11-29T05:31:37.123Z warn node=print1[PLAINTEXT] ...</c>.
/// </summary>
internal sealed class NodeConsoleFormatter(IOptionsMonitor<NodeConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "groupware";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var current = options.CurrentValue;
        textWriter.Write(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(" node=");
        textWriter.Write(current.NodeName);
        if (current.PlaintextAllowed)
        {
            textWriter.Write("[PLAINTEXT]");
        }

        textWriter.Write(' ');
        textWriter.Write(logEntry.Category);
        textWriter.Write(": ");
        textWriter.Write(message);
        if (logEntry.Exception is not null)
        {
            textWriter.Write(Environment.NewLine);
            textWriter.Write(logEntry.Exception.ToString());
        }

        textWriter.Write(Environment.NewLine);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}

/// <summary>Registers the node's console logging.</summary>
internal static class NodeLogging
{
    public static ILoggingBuilder AddNodeConsole(this ILoggingBuilder logging, string nodeName, bool plaintextAllowed)
    {
        logging.ClearProviders();
        logging.AddConsole(o => o.FormatterName = NodeConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<NodeConsoleFormatter, NodeConsoleFormatterOptions>(o =>
        {
            o.NodeName = nodeName;
            o.PlaintextAllowed = plaintextAllowed;
        });
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Npgsql", LogLevel.Warning);
        return logging;
    }

    /// <summary>A factory for the CLI verbs that run before (or without) a host.</summary>
    public static ILoggerFactory CreateFactory(string nodeName, bool plaintextAllowed) =>
        LoggerFactory.Create(b => b.AddNodeConsole(nodeName, plaintextAllowed));

    public static ILoggerFactory None => NullLoggerFactory.Instance;
}
