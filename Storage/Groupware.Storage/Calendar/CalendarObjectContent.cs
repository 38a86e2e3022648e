using System.Security.Cryptography;
using System.Text;
using Ical.Net.CalendarComponents;
using IcalCalendar = Ical.Net.Calendar;

namespace Groupware.Storage.Calendar;

/// <summary>Why an iCalendar text cannot be a calendar object resource (RFC 4791 §5.3.2.1 preconditions).</summary>
public enum CalendarDataProblem
{
    /// <summary><c>CALDAV:valid-calendar-data</c>: not parseable iCalendar (RFC 5545), or a component without UID.</summary>
    InvalidCalendarData,

    /// <summary><c>CALDAV:valid-calendar-object-resource</c>: more than one UID, more than one component type, none, or a METHOD property (§4.1).</summary>
    NotCalendarObjectResource,
}

/// <summary>
/// A parsed, checked calendar object resource (RFC 4791 §4.1) and what the store indexes of it:
/// its UID, its component type, and the start of its first and end of its last occurrence
/// (<see cref="CalendarTime.IndexBounds(Ical.Net.Calendar, string)"/>).
/// </summary>
public sealed record CalendarObjectContent(string Text, string Uid, string Component, DateTime? FirstStart, DateTime? LastEnd)
{
    /// <summary>Every occurrence, from the expansion that gave the bounds; null when it did not end (<see cref="CalendarTime.AllOccurrences"/>).</summary>
    public IReadOnlyList<OccurrenceSpan>? Occurrences { get; init; }

    /// <summary>The strong entity tag of <paramref name="text"/>: its SHA-256, quoted (RFC 9110 §8.8.3).</summary>
    public static string ETagOf(string text) => "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32] + "\"";

    public string ETag => ETagOf(Text);

    public int Size => Encoding.UTF8.GetByteCount(Text);

    /// <summary>
    /// Parses <paramref name="text"/> with Ical.Net and checks RFC 4791 §4.1: exactly one UID and one
    /// component type among VEVENT, VTODO and VJOURNAL (VTIMEZONE beside them), no METHOD.
    /// </summary>
    public static CalendarObjectContent? Parse(string text, out CalendarDataProblem problem, out string detail)
    {
        problem = CalendarDataProblem.InvalidCalendarData;
        IcalCalendar? calendar;
        try
        {
            calendar = IcalCalendar.Load(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Ical.Net reports malformed input with several exception types (its own, ArgumentException, FormatException).
            detail = "not iCalendar: " + e.Message;
            return null;
        }

        if (calendar is null || !text.TrimStart().StartsWith("BEGIN:VCALENDAR", StringComparison.OrdinalIgnoreCase))
        {
            detail = "not one VCALENDAR object";
            return null;
        }

        problem = CalendarDataProblem.NotCalendarObjectResource;
        if (calendar.Method is { Length: > 0 })
        {
            detail = "a calendar object resource has no METHOD property (RFC 4791 §4.1)";
            return null;
        }

        var components = calendar.Children.OfType<IRecurringComponent>()
            .Where(c => c.Name is "VEVENT" or "VTODO" or "VJOURNAL").ToList();
        var types = components.Select(c => c.Name!).Distinct(StringComparer.Ordinal).ToList();
        if (types.Count != 1)
        {
            detail = types.Count == 0 ? "no VEVENT, VTODO or VJOURNAL" : "more than one component type: " + string.Join(", ", types);
            return null;
        }

        if (!EveryComponentHasUid(text) || components.Any(c => string.IsNullOrEmpty(c.Uid)))
        {
            problem = CalendarDataProblem.InvalidCalendarData;
            detail = "a component without UID (RFC 5545 §3.8.4.7)";
            return null;
        }

        var uids = components.Select(c => c.Uid!).Distinct(StringComparer.Ordinal).ToList();
        if (uids.Count != 1)
        {
            detail = "more than one UID: " + string.Join(", ", uids.Take(3));
            return null;
        }

        var (first, last) = CalendarTime.IndexBounds(calendar, types[0], out var occurrences);
        detail = "";
        return new CalendarObjectContent(text, uids[0], types[0], first, last) { Occurrences = occurrences };
    }

    /// <summary>
    /// Whether every VEVENT, VTODO and VJOURNAL of the text has its own UID line. Read from the text,
    /// because Ical.Net makes up a UID for a component that has none (RFC 5545 §3.6.1 requires one).
    /// </summary>
    private static bool EveryComponentHasUid(string text)
    {
        var depth = 0;
        var inComponent = false;
        var hasUid = false;
        foreach (var line in text.Split('\n'))
        {
            var content = line.TrimEnd('\r');
            if (content.StartsWith("BEGIN:", StringComparison.OrdinalIgnoreCase))
            {
                depth++;
                var name = content[6..].Trim().ToUpperInvariant();
                if (depth == 2 && name is "VEVENT" or "VTODO" or "VJOURNAL")
                {
                    inComponent = true;
                    hasUid = false;
                }
            }
            else if (content.StartsWith("END:", StringComparison.OrdinalIgnoreCase))
            {
                if (depth == 2 && inComponent)
                {
                    if (!hasUid)
                    {
                        return false;
                    }

                    inComponent = false;
                }

                depth--;
            }
            else if (depth == 2 && inComponent && (content.StartsWith("UID:", StringComparison.OrdinalIgnoreCase)
                || content.StartsWith("UID;", StringComparison.OrdinalIgnoreCase)))
            {
                hasUid = true;
            }
        }

        return true;
    }
}
