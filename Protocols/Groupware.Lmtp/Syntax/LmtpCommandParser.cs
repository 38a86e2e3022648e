using System.Text;
using Groupware.Lmtp.Commands;

namespace Groupware.Lmtp.Syntax;

/// <summary>What one command line is: an entry of the <see cref="CommandTable"/> and its parse, or a refusal.</summary>
internal readonly record struct ParsedLine(CommandEntry? Entry, ParseResult Outcome);

/// <summary>
/// Sans-IO parsing of one command line (CRLF already removed by the session's framing): the verb
/// up to the first space (RFC 5321 §4.1.1, case-insensitive), looked up in the
/// <see cref="CommandTable"/>, and the rest handed to that command's parser.
/// </summary>
internal static class LmtpCommandParser
{
    private static readonly LmtpReply Unrecognized = new(500, "5.5.1", "Command unrecognized");

    public static ParsedLine Parse(ReadOnlySpan<byte> line)
    {
        // Commands are ASCII (SMTPUTF8 is not offered); anything else cannot match an account.
        var text = Encoding.UTF8.GetString(line);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return new ParsedLine(null, new LmtpReply(500, "5.5.2", "Syntax error: NUL in command"));
        }

        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? text : text[..space];
        var arguments = space < 0 ? "" : text[(space + 1)..];
        return CommandTable.Entries.TryGetValue(verb, out var entry)
            ? new ParsedLine(entry, entry.Parse(arguments))
            : new ParsedLine(null, Unrecognized);
    }
}
