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

/// <summary>The time of one occurrence in UTC, [Start, End), without the component it came from.</summary>
public readonly record struct OccurrenceSpan(DateTime Start, DateTime End);

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
    /// (null bounds: unbounded), in order of start. Stops after <see cref="MaxOccurrences"/> occurrences
    /// counted from shortly before the range start.
    /// </summary>
    public static List<CalendarOccurrence> Overlapping(IcalCalendar calendar, string componentName, DateTime? rangeStart, DateTime? rangeEnd) =>
        Overlapping(calendar, componentName, rangeStart, rangeEnd, out _);

    /// <summary>
    /// Every occurrence of the components of type <paramref name="componentName"/> as [start, end) in UTC,
    /// in order of start, when the expansion ends within <see cref="MaxOccurrences"/>; null when it does not
    /// (an open-ended rule, or one that Ical.Net cannot evaluate). For a finite object, any time range's
    /// overlap test on this list answers what <see cref="Overlapping(IcalCalendar, string, DateTime?, DateTime?)"/> would.
    /// </summary>
    public static IReadOnlyList<OccurrenceSpan>? AllOccurrences(IcalCalendar calendar, string componentName)
    {
        var all = Overlapping(calendar, componentName, null, null, out var complete);
        return complete ? [.. all.Select(o => new OccurrenceSpan(o.Start, o.End))] : null;
    }

    private static List<CalendarOccurrence> Overlapping(IcalCalendar calendar, string componentName, DateTime? rangeStart, DateTime? rangeEnd,
        out bool complete)
    {
        complete = true;
        var found = new List<CalendarOccurrence>();
        var components = calendar.Children.OfType<IRecurringComponent>()
            .Where(c => string.Equals(c.Name, componentName, StringComparison.OrdinalIgnoreCase)).ToList();
        var handled = new HashSet<IRecurringComponent>(ReferenceEqualityComparer.Instance);
        foreach (var component in components.Where(c => (c as RecurringComponent)?.DtStart is null))
        {
            handled.Add(component);
            if ((component as Todo)?.Due is { } due)
            {
                // RFC 4791 §9.9: a VTODO with DUE but no DTSTART is the instant of its DUE.
                if (Overlaps(due.AsUtc, due.AsUtc, rangeStart, rangeEnd))
                {
                    found.Add(new CalendarOccurrence(due.AsUtc, due.AsUtc, null, component));
                }
            }
            else
            {
                // RFC 4791 §9.9: a VTODO with neither DTSTART nor DUE (COMPLETED and CREATED are not read) overlaps every range.
                found.Add(new CalendarOccurrence(DateTime.MinValue, DateTime.MaxValue, null, component));
            }
        }

        if (handled.Count == components.Count)
        {
            return found;
        }

        // Enumerate from the range start less the longest an instance lasts, so that the expansion budget is
        // spent on the range, not on years of history before it; an instance that began earlier still overlaps.
        CalDateTime? from = rangeStart is { } s && s > DateTime.MinValue.AddYears(2)
            ? new CalDateTime(DateTime.SpecifyKind(s - LongestSpan(components) - TimeSpan.FromDays(1), DateTimeKind.Utc), CalDateTime.UtcTzId)
            : null;
        var scanned = 0;
        using var enumerator = Enumerate(calendar, from);
        complete = enumerator is not null;
        while (true)
        {
            if (scanned >= MaxOccurrences)
            {
                complete = false;
                break;
            }

            try
            {
                if (enumerator is null || !enumerator.MoveNext())
                {
                    break;
                }
            }
            catch (Exception e) when (e is EvaluationException or ArgumentException or InvalidOperationException)
            {
                complete = false;
                break;
            }

            scanned++;
            var occurrence = enumerator.Current;
            if (occurrence.Source is not IRecurringComponent source || handled.Contains(source)
                || !string.Equals(source.Name, componentName, StringComparison.OrdinalIgnoreCase))
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

    private static IEnumerator<Occurrence>? Enumerate(IcalCalendar calendar, CalDateTime? from)
    {
        var options = new EvaluationOptions { MaxUnmatchedIncrementsLimit = 1000 };
        try
        {
            return calendar.GetOccurrences(from, options).GetEnumerator();
        }
        catch (Exception e) when (e is EvaluationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The longest any of the components lasts (DTEND, DUE or DURATION after DTSTART), at least one day.</summary>
    private static TimeSpan LongestSpan(IEnumerable<IRecurringComponent> components)
    {
        var longest = TimeSpan.FromDays(1);
        foreach (var component in components.OfType<RecurringComponent>())
        {
            if (component.DtStart is not { } start)
            {
                continue;
            }

            var end = (component as CalendarEvent)?.DtEnd ?? (component as Todo)?.Due;
            var span = end is not null ? end.AsUtc - start.AsUtc
                : (component as CalendarEvent)?.Duration?.ToTimeSpanUnspecified() ?? (component as Todo)?.Duration?.ToTimeSpanUnspecified() ?? TimeSpan.Zero;
            if (span > longest)
            {
                longest = span;
            }
        }

        return longest;
    }

    /// <summary>
    /// The indexed bounds of an object: start of its first occurrence and end of its last, or null
    /// for the end when it recurs without end or past <see cref="MaxOccurrences"/>; (null, null) for
    /// an object without any time, which overlaps every range.
    /// </summary>
    public static (DateTime? FirstStart, DateTime? LastEnd) IndexBounds(IcalCalendar calendar, string componentName) =>
        IndexBounds(calendar, componentName, out _);

    /// <summary>
    /// <see cref="IndexBounds(IcalCalendar, string)"/>, and from the same expansion every occurrence
    /// (<see cref="AllOccurrences"/>; null when the expansion did not end).
    /// </summary>
    public static (DateTime? FirstStart, DateTime? LastEnd) IndexBounds(IcalCalendar calendar, string componentName,
        out IReadOnlyList<OccurrenceSpan>? occurrences)
    {
        var all = Overlapping(calendar, componentName, null, null, out var complete);
        occurrences = complete ? [.. all.Select(o => new OccurrenceSpan(o.Start, o.End))] : null;
        var components = calendar.Children.OfType<IRecurringComponent>()
            .Where(c => string.Equals(c.Name, componentName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (components.Count == 0 || components.Any(c => StartOf(c) is null))
        {
            return (null, null);
        }

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

    /// <summary>
    /// Whether an event's time is busy for free/busy (RFC 4791 §7.10's table): null when it is free
    /// (TRANSPARENT, or CANCELLED), <see cref="FreeBusyKind.Tentative"/> for TENTATIVE, else busy.
    /// </summary>
    public static FreeBusyKind? FreeBusyKindOf(IRecurringComponent component)
    {
        var transparency = (component as CalendarEvent)?.Transparency;
        var status = (component as CalendarEvent)?.Status?.ToUpperInvariant();
        if (string.Equals(transparency, "TRANSPARENT", StringComparison.OrdinalIgnoreCase) || status == "CANCELLED")
        {
            return null;
        }

        return status == "TENTATIVE" ? FreeBusyKind.Tentative : FreeBusyKind.Busy;
    }

    /// <summary>The periods sorted, overlapping or touching ones merged (RFC 4791 §7.10: SHOULD coalesce).</summary>
    public static List<(DateTime Start, DateTime End)> Coalesce(IEnumerable<(DateTime Start, DateTime End)> periods)
    {
        var merged = new List<(DateTime Start, DateTime End)>();
        foreach (var period in periods.OrderBy(p => p.Start))
        {
            if (merged.Count > 0 && period.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, period.End > merged[^1].End ? period.End : merged[^1].End);
            }
            else
            {
                merged.Add(period);
            }
        }

        return merged;
    }
}

/// <summary>How an event's time counts in free/busy (RFC 5545 §3.2.9 FBTYPE BUSY and BUSY-TENTATIVE).</summary>
public enum FreeBusyKind
{
    Busy,
    Tentative,
}
