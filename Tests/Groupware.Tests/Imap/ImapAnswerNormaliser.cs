using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Groupware.Tests.Imap;

/// <summary>
/// Takes out of one server's answers what two correct servers may answer differently, and nothing
/// else; each rule names where the RFC leaves it free. Tags need no rule: both servers get the same.
/// <list type="number">
/// <item>Human-readable text after a status (and its response code) is dropped: RFC 9051 §7.1 makes
/// only the status and the code machine-readable. Continuation requests keep only their "+" (§7.5).</item>
/// <item>CAPABILITY lists, in <c>* CAPABILITY</c> and in <c>[CAPABILITY ...]</c>, are dropped: each server
/// lists its own extensions (§7.2.2), and a command of an extension only one has shows as a difference. So is the ID response (RFC 2971 §3.3: the server's own name).</item>
/// <item>UIDVALIDITY values (SELECT, STATUS, APPENDUID, COPYUID) become <c>V1</c>, <c>V2</c>, ... in the
/// order first seen: each server picks its own (§2.3.1.1), but the same mailbox keeps one value.</item>
/// <item>Lists that are sets come sorted: flags (§2.3.2), mailbox attributes (§7.3.1), FETCH data items
/// (§7.5.2 gives no order), STATUS items (§7.3.4).</item>
/// <item>FETCH data item names are compared in upper case, the header field names of HEADER.FIELDS
/// included: tokens are case-insensitive (§9, "for editorial clarity only"), and so is field matching
/// (§6.4.5).</item>
/// <item>A literal whose octets could go in a quoted string (no CR, LF, NUL or 8-bit octet) compares as
/// that quoted string: both are a <c>string</c> (§4.3) and a server may send either. A literal8
/// (RFC 3516 §4.3) without NUL compares as a literal: a literal may carry any other octet (CHAR8,
/// RFC 9051 §9), so for BINARY data without NUL a server may send either.</item>
/// <item>The untagged responses to SELECT and EXAMINE (§6.3.2 lists them in no fixed order) and to LIST
/// and LSUB (§6.3.9: one per mailbox, in no order) come sorted.</item>
/// <item>A mailbox name in LIST, LSUB and STATUS responses that is sent as a quoted string but could
/// be an atom compares as the atom: both are an <c>astring</c> (§9, <c>mailbox</c>).</item>
/// <item>Attributes an extended LIST (RFC 5258) did not ask for are dropped: child information
/// without the CHILDREN return option (RFC 5258 §4, "MAY"), special-use attributes without the
/// SPECIAL-USE option (RFC 6154 §5.1: "MAY return SPECIAL-USE attributes even if the client does not
/// specify the return option"), and special-use attributes in LSUB, which RFC 6154 does not cover.</item>
/// <item>An INTERNALDATE within ten minutes of now compares as <c>"now"</c>: APPEND without a date takes
/// the current time (§6.3.12), which each server reads at its own instant, a second apart at times.</item>
/// <item>The MAILBOXID response code (RFC 8474 §4.1) is dropped, and the untagged OK that carries it:
/// it is sent only by a server that offers OBJECTID, and each server picks its own identifiers (§4).</item>
/// </list>
/// </summary>
internal sealed partial class ImapAnswerNormaliser
{
    private readonly Dictionary<string, string> _uidValidities = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Normalise(ImapExchange exchange)
    {
        var lines = exchange.Answer.Where(l => !l.StartsWith("* OK [MAILBOXID ", StringComparison.Ordinal))
            .Select(l => MailboxIdCode().Replace(l, "")).Select(Normalise).ToList();
        var verb = Regex.Match(exchange.Command, @"^(?:UID )?[A-Za-z]+").Value.ToUpperInvariant();
        if (verb is "LIST" or "LSUB")
        {
            var command = exchange.Command.ToUpperInvariant();
            var extended = verb == "LIST" && (command.StartsWith("LIST (", StringComparison.Ordinal) || command.Contains(" RETURN ", StringComparison.Ordinal)
                || Regex.IsMatch(command, @"^LIST ""[^""]*"" \("));
            var dropChildInfo = extended && !command.Contains("CHILDREN", StringComparison.Ordinal);
            var dropSpecialUse = verb == "LSUB" || (extended && !command.Contains("SPECIAL-USE", StringComparison.Ordinal));
            lines = [.. lines.Select(l => DropAttributes(l, dropChildInfo, dropSpecialUse))];
        }

        if (verb is "SELECT" or "EXAMINE" or "LIST" or "LSUB")
        {
            var untagged = lines.Where(l => l.StartsWith("* ", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
            lines = [.. untagged, .. lines.Where(l => !l.StartsWith("* ", StringComparison.Ordinal))];
        }

        return lines;
    }

    private string Normalise(string response)
    {
        if (response.StartsWith('+'))
        {
            return "+";
        }

        response = InternalDate().Replace(response, m => IsNow(m.Groups[1].Value, m.Groups[2].Value) ? "INTERNALDATE \"now\"" : m.Value);
        response = Literal8WithoutNul().Replace(response, m => m.Value[1..]);
        response = QuotableLiteral().Replace(response, m => $"\"{m.Groups[1].Value}\"");

        var status = StatusResponse().Match(response);
        if (status.Success)
        {
            var code = status.Groups["code"].Success ? $" [{NormaliseCode(status.Groups["code"].Value)}]" : "";
            return $"{status.Groups["tag"].Value} {status.Groups["status"].Value}{code}";
        }

        if (response.StartsWith("* CAPABILITY ", StringComparison.Ordinal))
        {
            return "* CAPABILITY";
        }

        if (response.StartsWith("* ID ", StringComparison.Ordinal))
        {
            return "* ID";
        }

        if (FetchResponse().Match(response) is { Success: true } fetch)
        {
            return $"{fetch.Groups[1].Value}({string.Join(' ', SortedItems(fetch.Groups[2].Value))})";
        }

        if (response.StartsWith("* FLAGS (", StringComparison.Ordinal))
        {
            return "* FLAGS " + SortedList(response["* FLAGS ".Length..]);
        }

        if (ListResponse().Match(response) is { Success: true } list)
        {
            // The delimiter, the name, then any extended data (RFC 5258 §3.5: CHILDINFO).
            var rest = Values(list.Groups[3].Value).Select((value, i) => i == 1 ? Astring(value) : value);
            return $"{list.Groups[1].Value}{SortedList(list.Groups[2].Value)} {string.Join(' ', rest)}";
        }

        if (StatusData().Match(response) is { Success: true } statusData)
        {
            var items = Values(statusData.Groups[3].Value);
            var pairs = items.Chunk(2).Select(p => p[0] + " " + (p[0] == "UIDVALIDITY" ? UidValidity(p[1]) : p[1]));
            return $"* STATUS {Astring(statusData.Groups[1].Value)} ({string.Join(' ', pairs.Order(StringComparer.Ordinal))})";
        }

        return response;
    }

    private string NormaliseCode(string code)
    {
        var words = code.Split(' ', 2);
        return words[0].ToUpperInvariant() switch
        {
            "CAPABILITY" => "CAPABILITY",
            "UIDVALIDITY" => $"UIDVALIDITY {UidValidity(words[1])}",
            "APPENDUID" or "COPYUID" => $"{words[0]} {UidValidity(words[1].Split(' ', 2)[0])} {words[1].Split(' ', 2)[1]}",
            "PERMANENTFLAGS" => $"PERMANENTFLAGS {SortedList(words[1])}",
            _ => code,
        };
    }

    private string UidValidity(string value)
    {
        if (!_uidValidities.TryGetValue(value, out var name))
        {
            name = string.Create(CultureInfo.InvariantCulture, $"V{_uidValidities.Count + 1}");
            _uidValidities[value] = name;
        }

        return name;
    }

    /// <summary>A quoted string that could be an atom (RFC 9051 §9, ATOM-CHAR), as that atom; anything else as it is.</summary>
    private static string Astring(string value) =>
        value.Length > 2 && value[0] == '"' && value[^1] == '"' && Regex.IsMatch(value[1..^1], @"^[\x21-\x7e-[(){ %*""\\\]]]+$")
            && !value[1..^1].Equals("NIL", StringComparison.OrdinalIgnoreCase)
            ? value[1..^1]
            : value;

    private static readonly string[] ChildInfo = [@"\HasChildren", @"\HasNoChildren"];

    private static readonly string[] SpecialUse = [@"\All", @"\Archive", @"\Drafts", @"\Flagged", @"\Junk", @"\Sent", @"\Trash"];

    /// <summary>A LIST or LSUB response without the attributes named; other responses as they are.</summary>
    private static string DropAttributes(string line, bool childInfo, bool specialUse)
    {
        if (ListResponse().Match(line) is not { Success: true } list)
        {
            return line;
        }

        var kept = Values(list.Groups[2].Value[1..^1]).Where(a =>
            !(childInfo && ChildInfo.Contains(a, StringComparer.OrdinalIgnoreCase)) && !(specialUse && SpecialUse.Contains(a, StringComparer.OrdinalIgnoreCase)));
        return $"{list.Groups[1].Value}({string.Join(' ', kept)}){list.Groups[3].Value}";
    }

    /// <summary>FETCH's items as name-value pairs sorted by name, with the FLAGS value sorted too.</summary>
    private static IEnumerable<string> SortedItems(string items)
    {
        var values = Values(items);
        var pairs = new List<string>();
        for (var i = 0; i + 1 < values.Count; i += 2)
        {
            var name = values[i].ToUpperInvariant();
            pairs.Add($"{name} {(name == "FLAGS" ? SortedList(values[i + 1]) : values[i + 1])}");
        }

        if (values.Count % 2 == 1)
        {
            pairs.Add(values[^1]);
        }

        return pairs.Order(StringComparer.Ordinal);
    }

    /// <summary>A parenthesised list of atoms, sorted.</summary>
    private static string SortedList(string list) =>
        list.StartsWith('(') && list.EndsWith(')') ? $"({string.Join(' ', Values(list[1..^1]).Order(StringComparer.Ordinal))})" : list;

    /// <summary>
    /// The values of a space-separated sequence (the inside of a parenthesised list): atoms (with a
    /// bracketed section and a partial range, as in <c>BODY[HEADER.FIELDS (FROM)]&lt;0&gt;</c>), quoted
    /// strings, literals as <see cref="DifferentialSessions"/> writes them, and nested lists.
    /// </summary>
    private static List<string> Values(string text)
    {
        var values = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == ' ')
            {
                i++;
                continue;
            }

            var start = i;
            i = EndOfValue(text, i);
            values.Add(text[start..i]);
        }

        return values;
    }

    private static int EndOfValue(string text, int i)
    {
        switch (text[i])
        {
            case '"':
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\')
                    {
                        i++;
                    }
                }

                return Math.Min(i + 1, text.Length);
            case '(':
                var depth = 0;
                while (i < text.Length)
                {
                    if (text[i] is '"' or '{' or '~')
                    {
                        i = EndOfValue(text, i);
                        continue;
                    }

                    depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
                    i++;
                    if (depth == 0)
                    {
                        break;
                    }
                }

                return i;
            case '{' or '~' when text.IndexOf('«', i) is var open and > 0 && Regex.IsMatch(text[i..open], @"^~?\{[0-9]+\}$"):
                return text.IndexOf('»', open) + 1;
            default:
                var brackets = 0;
                while (i < text.Length && (brackets > 0 || (text[i] != ' ' && text[i] != ')' && text[i] != '(')))
                {
                    brackets += text[i] == '[' ? 1 : text[i] == ']' ? -1 : 0;
                    i++;
                }

                return i;
        }
    }

    /// <summary>A literal (not literal8) of printable ASCII but for '"' and '\\' (which a quoted string would escape), as <see cref="DifferentialSessions"/> writes it.</summary>
    [GeneratedRegex(@"(?<![~0-9])\{[0-9]+\}«([\x20-\x7e-[""\\«»]]*)»")]
    private static partial Regex QuotableLiteral();

    /// <summary>A literal8 whose octets, as <see cref="DifferentialSessions"/> writes them, have no NUL.</summary>
    [GeneratedRegex(@"~\{[0-9]+\}«(?:[^»\\]|\\(?!x00)\S)*»")]
    private static partial Regex Literal8WithoutNul();

    /// <summary>Whether an IMAP date-time (RFC 9051 §9 <c>date-time</c>: local time and zone) is within ten minutes of now.</summary>
    private static bool IsNow(string local, string zone)
    {
        var offset = new TimeSpan(int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[3..], CultureInfo.InvariantCulture), 0);
        return DateTime.TryParseExact(local.Trim(), "d-MMM-yyyy HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            && (new DateTimeOffset(time, zone[0] == '-' ? -offset : offset) - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromMinutes(10);
    }

    [GeneratedRegex(@"INTERNALDATE ""([ 0-9]{2}-[A-Za-z]{3}-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}) ([+-][0-9]{4})""")]
    private static partial Regex InternalDate();

    [GeneratedRegex(@"^(?<tag>\S+) (?<status>OK|NO|BAD|BYE|PREAUTH)(?: \[(?<code>[^\]]*)\])?(?: .*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex StatusResponse();

    [GeneratedRegex(@"^(\* [0-9]+ FETCH )\((.*)\)$")]
    private static partial Regex FetchResponse();

    [GeneratedRegex(@"^(\* (?:LIST|LSUB) )(\([^)]*\))( .*)$")]
    private static partial Regex ListResponse();

    [GeneratedRegex(@"^\* STATUS (.*) (\(([^()]*)\))$")]
    private static partial Regex StatusData();

    [GeneratedRegex(@"(?<= OK )\[MAILBOXID \([^)]*\)\] ")]
    private static partial Regex MailboxIdCode();
}
