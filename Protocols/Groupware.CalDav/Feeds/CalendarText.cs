using System.Text;
using System.Text.RegularExpressions;

namespace Groupware.CalDav.Feeds;

/// <summary>One component directly inside a VCALENDAR, as its raw lines (folding kept), with its UID or TZID.</summary>
internal sealed record CalendarBlock(string Name, string Text, string? Uid, string? TzId);

/// <summary>
/// The top level of an iCalendar stream (RFC 5545 §3.4, §3.6) as text: the VCALENDAR's components
/// taken apart and put together again without re-serialising them, so that what a client wrote is
/// what is stored and served.
/// </summary>
internal static partial class CalendarText
{
    /// <summary>The components directly inside the first VCALENDAR, and its PRODID.</summary>
    public static (List<CalendarBlock> Blocks, string? ProdId) TopLevel(string text)
    {
        var blocks = new List<CalendarBlock>();
        string? prodId = null;
        var depth = 0;
        var current = new StringBuilder();
        string? name = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var upper = line.ToUpperInvariant();
            if (upper.StartsWith("BEGIN:", StringComparison.Ordinal))
            {
                depth++;
                if (depth == 2)
                {
                    name = upper[6..].Trim();
                    current.Clear();
                }
            }

            if (depth >= 2)
            {
                current.Append(line).Append("\r\n");
            }
            else if (depth == 1 && upper.StartsWith("PRODID", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon)
            {
                prodId = line[(colon + 1)..];
            }

            if (upper.StartsWith("END:", StringComparison.Ordinal))
            {
                if (depth == 2 && name is not null)
                {
                    var block = current.ToString();
                    blocks.Add(new CalendarBlock(name, block, Value(block, "UID"), Value(block, "TZID")));
                    name = null;
                }

                depth--;
                if (depth == 0)
                {
                    break;
                }
            }
        }

        return (blocks, prodId);
    }

    /// <summary>One VCALENDAR of these blocks.</summary>
    public static string Calendar(string prodId, IEnumerable<CalendarBlock> blocks)
    {
        var text = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:").Append(prodId).Append("\r\n");
        foreach (var block in blocks)
        {
            text.Append(block.Text);
        }

        return text.Append("END:VCALENDAR\r\n").ToString();
    }

    /// <summary>The time zones <paramref name="blocks"/> refer to by TZID (RFC 5545 §3.2.19), among <paramref name="zones"/>.</summary>
    public static IEnumerable<CalendarBlock> ZonesUsedBy(IReadOnlyList<CalendarBlock> blocks, IEnumerable<CalendarBlock> zones) =>
        zones.Where(z => z.TzId is { } id && blocks.Any(b => b.Text.Contains("TZID=" + id + ":", StringComparison.Ordinal)
            || b.Text.Contains("TZID=\"" + id + "\"", StringComparison.Ordinal) || b.Text.Contains("TZID=" + id + ";", StringComparison.Ordinal)));

    /// <summary>The value of the first property <paramref name="property"/> of the block's own component (nested ones not looked at).</summary>
    private static string? Value(string block, string property)
    {
        var depth = 0;
        foreach (var line in Unfold().Replace(block, "").Split("\r\n"))
        {
            if (line.StartsWith("BEGIN:", StringComparison.OrdinalIgnoreCase))
            {
                depth++;
            }
            else if (line.StartsWith("END:", StringComparison.OrdinalIgnoreCase))
            {
                depth--;
            }
            else if (depth == 1 && line.Length > property.Length && line.StartsWith(property, StringComparison.OrdinalIgnoreCase)
                && line[property.Length] is ':' or ';')
            {
                return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
        }

        return null;
    }

    [GeneratedRegex("\r\n[ \t]")]
    private static partial Regex Unfold();
}
