using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using IcalCalendar = Ical.Net.Calendar;

namespace Groupware.Storage.Calendar;

/// <summary>One occurrence of a component, in UTC: [<see cref="Start"/>, <see cref="End"/>), End equal to Start for an instant.</summary>
/// <param name="Start">When it begins.</param>
/// <param name="End">When it ends (RFC 5545 §3.6.1: a DATE start without DTEND lasts one day).</param>
/// <param name="RecurrenceId">The original start of a recurrence instance (RFC 5545 §3.8.4.4), in UTC; null for a component that does not recur.</param>
/// <param name="Source">The component that occurs: the master or an overriding instance.</param>
public sealed record CalendarOccurrence(DateTime Start, DateTime End, DateTime? RecurrenceId, IRecurringComponent Source);

/// <summary>
/// The time semantics of calendar objects as CalDAV queries see them (RFC 4791 §9.9): their
/// occurrences, recurrences expanded by Ical.Net (RFC 5545 §3.8.5), overrides by RECURRENCE-ID
/// applied; floating date-times and dates are read as UTC (the server has no calendar time zone).
/// Every expansion is bounded: an open-ended rule is cut at <see cref="MaxOccurrences"/>.
/// </summary>
public static class CalendarTime
{
    /// <summary>
    /// Most occurrences one object is expanded to, at write time (for the indexed last end) and for
    /// one query: a daily event for 13 years. Past it an object counts as open-ended.
    /// </summary>
    public const int MaxOccurrences = 5000;

    /// <summary>
    /// Whether the component recurs (RRULE or RDATE; EXDATE alone removes nothing that is there).
    /// </summary>
    public static bool Recurs(IRecurringComponent component) =>
        component.RecurrenceRule is not null || component.RecurrenceDates.GetAllDates().Any() || component.RecurrenceDates.GetAllPeriods().Any();

    /// <summary>
    /// The occurrences of every component of <paramref name="calendar"/> of type <paramref name="componentName"/>
    /// that overlap [<paramref name="rangeStart"/>, <paramref name="rangeEnd"/>) by RFC 4791 §9.9
    /// (null bounds: unbounded), in order of start. Stops after <see cref="MaxOccurrences"/> occurrences.
    /// </summary>
    public static List<CalendarOccurrence> Overlapping(IcalCalendar calendar, string componentName, DateTime? rangeStart, DateTime? rangeEnd)
    {
        var found = new List<CalendarOccurrence>();
        var components = calendar.Children.OfType<IRecurringComponent>()
            .Where(c => string.Equals(c.Name, componentName, StringComparison.OrdinalIgnoreCase)).ToList();
        var timeless = components.Where(c => StartOf(c) is null).ToList();
        foreach (var component in timeless)
        {
            // RFC 4791 §9.9: a VTODO with neither DTSTART nor DUE (nor COMPLETED/CREATED used here) overlaps every range.
            found.Add(new CalendarOccurrence(DateTime.MinValue, DateTime.MaxValue, null, component));
        }

        if (timeless.Count == components.Count)
        {
            return found;
        }

        var scanned = 0;
        IEnumerable<Occurrence> occurrences;
        try
        {
            occurrences = calendar.GetOccurrences(null, new EvaluationOptions { MaxUnmatchedIncrementsLimit = 1000 });
        }
        catch (Exception e) when (e is EvaluationException or ArgumentException)
        {
            return found;
        }

        using var enumerator = occurrences.GetEnumerator();
        while (scanned < MaxOccurrences)
        {
            try
            {
                if (!enumerator.MoveNext())
                {
                    break;
                }
            }
            catch (Exception e) when (e is EvaluationException or ArgumentException or InvalidOperationException)
            {
                break;
            }

            scanned++;
            var occurrence = enumerator.Current;
            if (!string.Equals(occurrence.Source is ICalendarComponent c ? c.Name : null, componentName, StringComparison.OrdinalIgnoreCase)
                || occurrence.Source is not IRecurringComponent source)
            {
                continue;
            }

            var (start, end) = Bounds(occurrence.Period);
            if (rangeEnd is { } e2 && start >= e2)
            {
                break;
            }

            if (Overlaps(start, end, rangeStart, rangeEnd))
            {
                var master = Recurs(source) || source.RecurrenceId is not null;
                found.Add(new CalendarOccurrence(start, end, master ? (source.RecurrenceId?.AsUtc ?? start) : null, source));
            }
        }

        return found;
    }

    /// <summary>
    /// The indexed bounds of an object: start of its first occurrence and end of its last, or null
    /// for the end when it recurs without end or past <see cref="MaxOccurrences"/>; (null, null) for
    /// an object without any time, which overlaps every range.
    /// </summary>
    public static (DateTime? FirstStart, DateTime? LastEnd) IndexBounds(IcalCalendar calendar, string componentName)
    {
        var components = calendar.Children.OfType<IRecurringComponent>()
            .Where(c => string.Equals(c.Name, componentName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (components.Count == 0 || components.Any(c => StartOf(c) is null))
        {
            return (null, null);
        }

        var all = Overlapping(calendar, componentName, null, null);
        if (all.Count == 0)
        {
            // Every instance excluded (EXDATE): it matches no range; index it where nothing looks.
            var start = StartOf(components[0])!.Value;
            return (start, start);
        }

        var openEnded = all.Count >= MaxOccurrences
            || components.Any(c => c.RecurrenceRule is { Count: null, Until: null });
        var lastEnd = all.Max(o => o.End);
        return (all.Min(o => o.Start), openEnded || lastEnd == DateTime.MaxValue ? null : lastEnd);
    }

    /// <summary>RFC 4791 §9.9: whether [start, end) overlaps the range; an instant (end = start) is inside when start &lt;= it &lt; end.</summary>
    public static bool Overlaps(DateTime start, DateTime end, DateTime? rangeStart, DateTime? rangeEnd)
    {
        var afterStart = rangeStart is not { } s || (end > start ? end > s : start >= s);
        var beforeEnd = rangeEnd is not { } e || start < e;
        return afterStart && beforeEnd;
    }

    /// <summary>The start of a component in UTC: DTSTART, or a VTODO's DUE; null when it has neither.</summary>
    private static DateTime? StartOf(IRecurringComponent component) =>
        (component as RecurringComponent)?.DtStart?.AsUtc ?? (component as Todo)?.Due?.AsUtc;

    private static (DateTime Start, DateTime End) Bounds(Period period)
    {
        var start = period.StartTime.AsUtc;
        DateTime end;
        try
        {
            end = period.EffectiveEndTime?.AsUtc ?? (period.StartTime.HasTime ? start : start.AddDays(1));
        }
        catch (EvaluationException)
        {
            end = DateTime.MaxValue;
        }

        return (start, end < start ? start : end);
    }
}
