using System.Globalization;
using System.Text.RegularExpressions;

namespace Groupware.Server.Probe.Imap;

/// <summary>The kinds of server line in RFC 9051 §7 (and RFC 3501 §7) that the probe tells apart.</summary>
internal enum ImapResponseKind
{
    /// <summary><c>* OK|NO|BAD|BYE|PREAUTH ...</c>: an untagged status response (§7.1).</summary>
    UntaggedStatus,

    /// <summary><c>* CAPABILITY ...</c> or any other untagged data (§7.2 and later).</summary>
    UntaggedData,

    /// <summary><c>+ ...</c>: a command continuation request (§7.5).</summary>
    Continuation,

    /// <summary><c>tag OK|NO|BAD ...</c>: the completion of a command (§7.1).</summary>
    Tagged,

    /// <summary>Not an IMAP response line at all.</summary>
    Malformed,
}

/// <summary>
/// One IMAP server line, parsed without I/O: what kind it is, its tag and status, the response code
/// in brackets (RFC 9051 §7.1) and capabilities from <c>* CAPABILITY</c> or <c>[CAPABILITY ...]</c>.
/// A line that announces a literal (<c>{n}</c> at its end, §4.3) says how many octets follow.
/// </summary>
internal sealed partial record ImapResponse(
    ImapResponseKind Kind,
    string Line,
    string? Tag = null,
    string? Status = null,
    string? Code = null,
    string Text = "",
    IReadOnlyList<string>? Capabilities = null,
    long? LiteralFollows = null)
{
    private static readonly string[] Statuses = ["OK", "NO", "BAD", "BYE", "PREAUTH"];

    [GeneratedRegex(@"\{(?<size>\d{1,10})\+?\}$")]
    private static partial Regex LiteralAtEnd();

    [GeneratedRegex(@"^[\x21-\x7e-[(){%*""\\+]]+$")]
    private static partial Regex TagSyntax();

    public bool IsOk => Status == "OK";

    public static ImapResponse Parse(string line)
    {
        long? literal = LiteralAtEnd().Match(line) is { Success: true } m
            ? long.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture)
            : null;
        if (line.StartsWith('+') && (line.Length == 1 || line[1] == ' '))
        {
            return new ImapResponse(ImapResponseKind.Continuation, line, Text: line.Length > 2 ? line[2..] : "");
        }

        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return new ImapResponse(ImapResponseKind.Malformed, line);
        }

        var tag = line[..space];
        var rest = line[(space + 1)..];
        var word = FirstWord(rest, out var afterWord);
        var status = Statuses.FirstOrDefault(s => s.Equals(word, StringComparison.OrdinalIgnoreCase));
        if (tag == "*")
        {
            if (status is not null)
            {
                return WithCode(new ImapResponse(ImapResponseKind.UntaggedStatus, line, "*", status, LiteralFollows: literal), afterWord);
            }

            if (word.Equals("CAPABILITY", StringComparison.OrdinalIgnoreCase))
            {
                return new ImapResponse(ImapResponseKind.UntaggedData, line, "*", Text: afterWord,
                    Capabilities: SplitCapabilities(afterWord), LiteralFollows: literal);
            }

            return word.Length > 0
                ? new ImapResponse(ImapResponseKind.UntaggedData, line, "*", Text: rest, LiteralFollows: literal)
                : new ImapResponse(ImapResponseKind.Malformed, line);
        }

        // A tagged response carries only OK, NO or BAD (RFC 9051 §7.1).
        if (TagSyntax().IsMatch(tag) && status is "OK" or "NO" or "BAD")
        {
            return WithCode(new ImapResponse(ImapResponseKind.Tagged, line, tag, status, LiteralFollows: literal), afterWord);
        }

        return new ImapResponse(ImapResponseKind.Malformed, line);
    }

    private static ImapResponse WithCode(ImapResponse response, string text)
    {
        if (!text.StartsWith('['))
        {
            return response with { Text = text };
        }

        var close = text.IndexOf(']', StringComparison.Ordinal);
        if (close < 0)
        {
            return response with { Text = text };
        }

        var code = text[1..close];
        var after = text[(close + 1)..].TrimStart();
        var capabilities = code.StartsWith("CAPABILITY ", StringComparison.OrdinalIgnoreCase)
            ? SplitCapabilities(code["CAPABILITY ".Length..])
            : null;
        return response with { Code = code, Text = after, Capabilities = capabilities };
    }

    private static string FirstWord(string text, out string rest)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        rest = space < 0 ? "" : text[(space + 1)..];
        return space < 0 ? text : text[..space];
    }

    private static List<string> SplitCapabilities(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c.ToUpperInvariant()).ToList();
}
