using System.Globalization;
using System.Xml.Linq;
using Groupware.Storage.Calendar;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Groupware.CalDav.Xml;
using IcalCalendar = Ical.Net.Calendar;

namespace Groupware.CalDav.Reports;

/// <summary>A CALDAV:time-range (RFC 4791 §9.9) in UTC; a missing bound is unbounded.</summary>
internal sealed record UtcTimeRange(DateTime? Start, DateTime? End)
{
    /// <summary>Reads start and end (RFC 4791 §9.9: date with UTC time, e.g. 20060104T000000Z); null when malformed or empty.</summary>
    public static UtcTimeRange? Parse(XElement element)
    {
        DateTime? Read(string attribute)
        {
            var text = (string?)element.Attribute(attribute);
            return text is null ? null
                : DateTime.TryParseExact(text, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value) ? value : DateTime.MinValue;
        }

        var start = Read("start");
        var end = Read("end");
        return start == DateTime.MinValue || end == DateTime.MinValue || (start is null && end is null) || (start >= end) ? null : new UtcTimeRange(start, end);
    }
}

/// <summary>A CALDAV:text-match (RFC 4791 §9.7.5): substring match under a collation (RFC 4790), possibly negated.</summary>
internal sealed record TextCondition(string Value, bool CaseInsensitive, bool Negate)
{
    public bool Matches(IEnumerable<string> values)
    {
        var comparison = CaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var found = values.Any(v => v.Contains(Value, comparison));
        return found != Negate;
    }
}

internal sealed record ParameterFilter(string Name, bool IsNotDefined, TextCondition? Text);

internal sealed record PropertyFilter(string Name, bool IsNotDefined, UtcTimeRange? TimeRange, TextCondition? Text, IReadOnlyList<ParameterFilter> Params);

internal sealed record ComponentFilter(string Name, bool IsNotDefined, UtcTimeRange? TimeRange, IReadOnlyList<PropertyFilter> Props, IReadOnlyList<ComponentFilter> Comps);

/// <summary>Why a filter was refused: CALDAV:valid-filter, CALDAV:supported-filter or CALDAV:supported-collation (RFC 4791 §7.8).</summary>
internal sealed record FilterError(XName Condition, string Detail);

/// <summary>
/// The CALDAV:filter of a calendar-query (RFC 4791 §9.7), parsed, and its test of one calendar
/// object (§9.9). The test follows the RFC's nesting: a comp-filter holds when some component of
/// its name holds all its prop-filters and nested comp-filters; the time range of a component is
/// tested on its occurrences (recurrences expanded, overrides applied), and a prop-filter's on the
/// property's date-time value. Time ranges are supported on VEVENT, VTODO and VJOURNAL and on
/// date-time properties; one on VALARM or VFREEBUSY is refused as CALDAV:supported-filter.
/// </summary>
internal sealed class CalendarFilter(ComponentFilter root)
{
    public ComponentFilter Root => root;

    /// <summary>The component type every match has, when the filter names exactly one (for the indexed pre-selection).</summary>
    public string? Component => root.Comps is [{ IsNotDefined: false } only] ? only.Name : null;

    /// <summary>The time range the indexed columns can pre-select by.</summary>
    public UtcTimeRange? IndexedRange => root.Comps is [{ IsNotDefined: false, TimeRange: { } range }] ? range : null;

    /// <summary>
    /// The component type and range when the filter is nothing but one time range on one component type
    /// (RFC 4791 §7.8.1's shape): an object of that type then matches exactly when one of its occurrences
    /// overlaps the range, which remembered occurrences answer without parsing it.
    /// </summary>
    public (string Component, UtcTimeRange Range)? TimeRangeOnly =>
        root is { IsNotDefined: false, Props: [], Comps: [{ IsNotDefined: false, TimeRange: { } range, Props: [], Comps: [] } only] }
            ? (only.Name, range)
            : null;

    public static CalendarFilter? Parse(XElement? filter, out FilterError? error)
    {
        error = null;
        if (filter?.Elements(DavNames.CompFilter) is not { } comps || comps.Count() != 1)
        {
            error = new FilterError(DavNames.ValidFilter, "a filter holds exactly one comp-filter");
            return null;
        }

        var root = ParseComp(comps.Single(), 0, ref error);
        if (error is null && root is not null && !string.Equals(root.Name, "VCALENDAR", StringComparison.OrdinalIgnoreCase))
        {
            error = new FilterError(DavNames.ValidFilter, "the outermost comp-filter names VCALENDAR");
        }

        return error is null && root is not null ? new CalendarFilter(root) : null;
    }

    private static ComponentFilter? ParseComp(XElement element, int depth, ref FilterError? error)
    {
        var name = ((string?)element.Attribute("name") ?? "").ToUpperInvariant();
        if (name.Length == 0 || depth > 4)
        {
            error = new FilterError(DavNames.ValidFilter, "a comp-filter needs a name");
            return null;
        }

        UtcTimeRange? range = null;
        if (element.Element(DavNames.TimeRange) is { } rangeElement)
        {
            range = UtcTimeRange.Parse(rangeElement);
            if (range is null)
            {
                error = new FilterError(DavNames.ValidFilter, "a time-range has a start or an end in UTC (yyyymmddThhmmssZ), the start before the end");
                return null;
            }

            if (depth != 1 || name is not ("VEVENT" or "VTODO" or "VJOURNAL"))
            {
                error = new FilterError(DavNames.SupportedFilter, $"time-range on {name} is not supported");
                return null;
            }
        }

        var props = new List<PropertyFilter>();
        foreach (var p in element.Elements(DavNames.PropFilter))
        {
            if (ParseProp(p, ref error) is { } prop)
            {
                props.Add(prop);
            }
        }

        var comps = new List<ComponentFilter>();
        foreach (var c in element.Elements(DavNames.CompFilter))
        {
            if (ParseComp(c, depth + 1, ref error) is { } comp)
            {
                comps.Add(comp);
            }
        }

        return error is null ? new ComponentFilter(name, element.Element(DavNames.IsNotDefined) is not null, range, props, comps) : null;
    }

    private static PropertyFilter? ParseProp(XElement element, ref FilterError? error)
    {
        var name = ((string?)element.Attribute("name") ?? "").ToUpperInvariant();
        UtcTimeRange? range = null;
        if (element.Element(DavNames.TimeRange) is { } rangeElement && (range = UtcTimeRange.Parse(rangeElement)) is null)
        {
            error = new FilterError(DavNames.ValidFilter, "a time-range has a start or an end in UTC");
            return null;
        }

        var text = ParseText(element.Element(DavNames.TextMatch), ref error);
        var parameters = new List<ParameterFilter>();
        foreach (var p in element.Elements(DavNames.ParamFilter))
        {
            var match = ParseText(p.Element(DavNames.TextMatch), ref error);
            parameters.Add(new ParameterFilter(((string?)p.Attribute("name") ?? "").ToUpperInvariant(), p.Element(DavNames.IsNotDefined) is not null, match));
        }

        if (name.Length == 0)
        {
            error = new FilterError(DavNames.ValidFilter, "a prop-filter needs a name");
        }

        return error is null ? new PropertyFilter(name, element.Element(DavNames.IsNotDefined) is not null, range, text, parameters) : null;
    }

    private static TextCondition? ParseText(XElement? element, ref FilterError? error)
    {
        if (element is null)
        {
            return null;
        }

        // RFC 4791 §7.5.1: i;ascii-casemap is the default, i;octet must also be supported.
        var collation = (string?)element.Attribute("collation") ?? "i;ascii-casemap";
        if (collation is not ("i;ascii-casemap" or "i;octet"))
        {
            error = new FilterError(DavNames.CalDav + "supported-collation", collation);
            return null;
        }

        return new TextCondition(element.Value, collation == "i;ascii-casemap", (string?)element.Attribute("negate-condition") == "yes");
    }

    /// <summary>Whether <paramref name="calendar"/> (one calendar object) matches.</summary>
    public bool Matches(IcalCalendar calendar) =>
        !root.IsNotDefined && root.Props.All(p => MatchesProp(p, calendar.Properties)) && root.Comps.All(c => MatchesComp(c, calendar.Children, calendar));

    private static bool MatchesComp(ComponentFilter filter, IEnumerable<ICalendarObject> siblings, IcalCalendar calendar)
    {
        var components = siblings.OfType<ICalendarComponent>().Where(c => string.Equals(c.Name, filter.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (filter.IsNotDefined)
        {
            return components.Count == 0;
        }

        if (components.Count == 0)
        {
            return false;
        }

        if (filter.TimeRange is { } range && CalendarTime.Overlapping(calendar, filter.Name, range.Start, range.End).Count == 0)
        {
            return false;
        }

        return components.Any(c => filter.Props.All(p => MatchesProp(p, c.Properties)) && filter.Comps.All(f => MatchesComp(f, c.Children, calendar)));
    }

    private static bool MatchesProp(PropertyFilter filter, CalendarPropertyList properties)
    {
        var found = properties.Where(p => string.Equals(p.Name, filter.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (filter.IsNotDefined)
        {
            return found.Count == 0;
        }

        return found.Any(p =>
            (filter.Text is null || filter.Text.Matches(p.Values.Select(ValueText)))
            && (filter.TimeRange is not { } range || (p.Values.FirstOrDefault() is CalDateTime at && CalendarTime.Overlaps(at.AsUtc, at.AsUtc, range.Start, range.End)))
            && filter.Params.All(f => MatchesParam(f, p)));
    }

    private static bool MatchesParam(ParameterFilter filter, ICalendarProperty property)
    {
        var found = property.Parameters.Where(p => string.Equals(p.Name, filter.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (filter.IsNotDefined)
        {
            return found.Count == 0;
        }

        return found.Count > 0 && (filter.Text is null || filter.Text.Matches(found.SelectMany(p => p.Values).Select(v => v ?? "")));
    }

    private static string ValueText(object? value) => value switch
    {
        null => "",
        string text => text,
        // ATTENDEE and ORGANIZER: the calendar user address as written (RFC 5545 §3.8.4.1).
        Attendee attendee => attendee.Value?.OriginalString ?? "",
        Organizer organizer => organizer.Value?.OriginalString ?? "",
        Uri uri => uri.OriginalString,
        IEnumerable<string> list => string.Join(",", list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
