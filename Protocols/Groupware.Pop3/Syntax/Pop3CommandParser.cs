using System.Text;

namespace Groupware.Pop3.Syntax;

/// <summary>What one command line is: an entry of the <see cref="CommandTable"/> and its parse, or a refusal.</summary>
internal readonly record struct ParsedLine(CommandEntry? Entry, ParseResult Outcome);

/// <summary>
/// Sans-IO parsing of one POP3 command line (CRLF already removed by the engine's framer): RFC 1939 §3,
/// "a case-insensitive keyword, possibly followed by one or more arguments" separated by single
/// spaces; a keyword is 3 or 4 letters (RFC 2449 keeps that). The keyword is looked up in the
/// <see cref="CommandTable"/> and the rest, decoded as UTF-8, handed to that command's parser.
/// </summary>
internal static class Pop3CommandParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ParsedLine Parse(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        var keywordBytes = space < 0 ? line : line[..space];
        if (keywordBytes.Length is < 3 or > 4 || !IsLetters(keywordBytes))
        {
            return new ParsedLine(null, "-ERR Unknown command.");
        }

        var keyword = Encoding.ASCII.GetString(keywordBytes).ToUpperInvariant();
        var rest = space < 0 ? ReadOnlySpan<byte>.Empty : line[(space + 1)..];
        string arguments;
        try
        {
            arguments = StrictUtf8.GetString(rest);
        }
        catch (DecoderFallbackException) when (keyword == "PASS")
        {
            // A password that is not UTF-8 (a device sending ISO-8859-1) comes with each undecodable octet as
            // U+FFFD, which the auth module never checks. It is a password sent all the same, so it must reach
            // the auth module to be answered and recorded (as exposed, if it came in clear), not be unknown.
            arguments = Encoding.UTF8.GetString(rest);
        }
        catch (DecoderFallbackException)
        {
            return new ParsedLine(null, "-ERR Unknown command.");
        }

        return CommandTable.Entries.TryGetValue(keyword, out var entry)
            ? new ParsedLine(entry, entry.Parse(arguments))
            : new ParsedLine(null, $"-ERR Unknown command: {keyword}");
    }

    /// <summary>The arguments split at single spaces; empty when there are none.</summary>
    public static string[] Words(string arguments) => arguments.Length == 0 ? [] : arguments.Split(' ');

    private static bool IsLetters(ReadOnlySpan<byte> keyword)
    {
        foreach (var b in keyword)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                return false;
            }
        }

        return true;
    }
}
