using System.Xml.Linq;
using Groupware.CalDav.Xml;
using Groupware.Storage.Calendar;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using IcalCalendar = Ical.Net.Calendar;

namespace Groupware.CalDav.Reports;

/// <summary>
/// The properties a report asks for in its DAV:prop, with CALDAV:calendar-data (RFC 4791 §9.6)
/// answered as the stored text or, with CALDAV:expand (§9.6.5), as the instances of recurring
/// components within the expand range, each with a RECURRENCE-ID and its times in UTC, without
/// RRULE, RDATE or EXDATE, or with CALDAV:limit-recurrence-set (§9.6.6) as the master with only
/// the overridden instances that impact its range; then, when it names components and properties
/// (§9.6.1 to §9.6.4), only those (<see cref="CalendarDataSelection"/>).
/// </summary>
internal sealed class CalendarDataRequest
{
    private CalendarDataRequest(IReadOnlyList<XName> properties, bool calendarData, UtcTimeRange? expand, UtcTimeRange? limitRecurrenceSet,
        CalendarDataSelection? selection)
    {
        Selection = selection;
        Properties = properties;
        WantsCalendarData = calendarData;
        Expand = expand;
        LimitRecurrenceSet = limitRecurrenceSet;
    }

    /// <summary>CALDAV:limit-recurrence-set (RFC 4791 §9.6.6): only the overridden instances that impact this range besides the master.</summary>
    public UtcTimeRange? LimitRecurrenceSet { get; }

    /// <summary>The requested properties other than calendar-data.</summary>
    public IReadOnlyList<XName> Properties { get; }

    public bool WantsCalendarData { get; }

    public UtcTimeRange? Expand { get; }

    /// <summary>The components and properties asked for; null for the whole object.</summary>
    public CalendarDataSelection? Selection { get; }

    /// <summary>Reads a report's DAV:prop (absent: getetag only); null with a refusal for an expand without a valid range.</summary>
    public static CalendarDataRequest? Parse(XElement report, out DavResponse? refusal)
    {
        refusal = null;
        var prop = report.Element(DavNames.Prop);
        var names = prop?.Elements().Select(e => e.Name).Where(n => n != DavNames.CalendarData).Distinct().ToList() ?? [DavNames.GetETag];
        var data = prop?.Element(DavNames.CalendarData);
        UtcTimeRange? expand = null;
        if (data?.Element(DavNames.Expand) is { } expandElement)
        {
            expand = UtcTimeRange.Parse(expandElement);
            if (expand?.Start is null || expand.End is null)
            {
                refusal = DavResponse.Precondition(Microsoft.AspNetCore.Http.StatusCodes.Status403Forbidden, DavNames.ValidFilter);
                return null;
            }
        }

        UtcTimeRange? limit = null;
        if (data?.Element(DavNames.CalDav + "limit-recurrence-set") is { } limitElement)
        {
            limit = UtcTimeRange.Parse(limitElement);
            if (limit?.Start is null || limit.End is null)
            {
                refusal = DavResponse.Precondition(Microsoft.AspNetCore.Http.StatusCodes.Status403Forbidden, DavNames.ValidFilter);
                return null;
            }
        }

        var selection = CalendarDataSelection.Parse(data, out var selectionError);
        if (selectionError is not null)
        {
            refusal = DavResponse.Text(Microsoft.AspNetCore.Http.StatusCodes.Status400BadRequest, selectionError);
            return null;
        }

        return new CalendarDataRequest(names, data is not null, expand, limit, selection);
    }

    /// <summary>The DAV:response of one object: its properties and, if asked, its calendar data.</summary>
    public XElement Response(DavResource resource, CalendarObject item, DavRequest request)
    {
        var response = DavProperties.Response(resource, Properties, request);
        if (WantsCalendarData)
        {
            var text = Expand is { } range ? Expanded(item.Ical, range) : LimitRecurrenceSet is { } limit ? Limited(item.Ical, limit) : item.Ical;
            var data = new XElement(DavNames.CalendarData, Selection is { } selection ? selection.Apply(text) : text);
            var ok = response.Elements(DavNames.Propstat).FirstOrDefault(p => p.Element(DavNames.Status)?.Value.Contains(" 200 ", StringComparison.Ordinal) == true);
            if (ok is null)
            {
                ok = new XElement(DavNames.Propstat, new XElement(DavNames.Prop), DavXml.Status(200));
                response.Element(DavNames.Href)!.AddAfterSelf(ok);
            }

            ok.Element(DavNames.Prop)!.Add(data);
        }

        return response;
    }

    /// <summary>
    /// RFC 4791 §9.6.5: the object with its recurrences expanded within <paramref name="range"/>, every
    /// date-time in UTC (so without VTIMEZONE); an object that does not recur keeps no RECURRENCE-ID.
    /// </summary>
    internal static string Expanded(string ical, UtcTimeRange range)
    {
        var calendar = IcalCalendar.Load(ical);
        if (calendar is null)
        {
            return ical;
        }

        var components = calendar.Children.OfType<IRecurringComponent>().Where(c => c.Name is "VEVENT" or "VTODO" or "VJOURNAL").ToList();
        if (components.Count == 0)
        {
            return ical;
        }

        var recurring = components.Any(c => CalendarTime.Recurs(c) || c.RecurrenceId is not null);

        var output = new IcalCalendar();
        output.Properties.Clear();
        foreach (var property in calendar.Properties)
        {
            output.Properties.Add(property.Copy<Ical.Net.CalendarProperty>());
        }

        foreach (var occurrence in CalendarTime.Overlapping(calendar, components[0].Name!, range.Start, range.End))
        {
            if (((CalendarComponent)occurrence.Source).Copy<CalendarComponent>() is not { } component)
            {
                continue;
            }

            // DURATION stays as it is: it means the same in UTC. DTEND and DUE are rewritten from the instance.
            var end = component.Properties.ContainsKey("DTEND") ? "DTEND" : component.Properties.ContainsKey("DUE") ? "DUE" : null;
            // Only what is not set again below is removed: Ical.Net's property list loses a value set under a name removed before.
            foreach (var name in new[] { "RRULE", "RDATE", "EXDATE", "EXRULE" })
            {
                component.Properties.Remove(name);
            }

            var allDay = (occurrence.Source as RecurringComponent)?.DtStart is { HasTime: false };
            var instance = (RecurringComponent)component;
            instance.DtStart = Time(occurrence.Start, allDay);
            switch (component)
            {
                case CalendarEvent instanceEvent when end == "DTEND":
                    instanceEvent.DtEnd = Time(occurrence.End, allDay);
                    break;
                case Todo instanceTodo when end == "DUE":
                    instanceTodo.Due = Time(occurrence.End, allDay);
                    break;
            }

            if (recurring)
            {
                instance.RecurrenceIdentifier = new RecurrenceIdentifier(Time(occurrence.RecurrenceId ?? occurrence.Start, allDay));
            }

            output.Children.Add(component);
        }

        return new CalendarSerializer().SerializeToString(output) ?? ical;
    }

    /// <summary>
    /// RFC 4791 §9.6.6: the object with its masters and only the overridden instances whose current or
    /// original times overlap <paramref name="range"/> (an override with RANGE=THISANDFUTURE impacts
    /// every range after its original start), each component as the client stored it.
    /// </summary>
    internal static string Limited(string ical, UtcTimeRange range)
    {
        var (blocks, prodId) = Feeds.CalendarText.TopLevel(ical);
        var zones = blocks.Where(b => b.Name == "VTIMEZONE").ToList();
        var kept = new List<Feeds.CalendarBlock>();
        foreach (var block in blocks.Where(b => b.Name != "VTIMEZONE"))
        {
            var alone = IcalCalendar.Load(Feeds.CalendarText.Calendar(prodId ?? "-//groupware//CalDAV//EN", [.. zones, block]));
            var component = alone?.Children.OfType<RecurringComponent>().FirstOrDefault();
            if (component?.RecurrenceIdentifier is not { } identifier || Impacts(component, identifier, range))
            {
                kept.Add(block);
            }
        }

        return kept.Count == blocks.Count - zones.Count ? ical : Feeds.CalendarText.Calendar(prodId ?? "-//groupware//CalDAV//EN", [.. zones, .. kept]);
    }

    private static bool Impacts(RecurringComponent component, RecurrenceIdentifier identifier, UtcTimeRange range)
    {
        var start = component.DtStart?.AsUtc ?? identifier.StartTime.AsUtc;
        var end = (component as CalendarEvent)?.DtEnd?.AsUtc ?? (component as Todo)?.Due?.AsUtc
            ?? start + ((component as CalendarEvent)?.Duration?.ToTimeSpanUnspecified() ?? TimeSpan.Zero);
        var original = identifier.StartTime.AsUtc;
        return CalendarTime.Overlaps(start, end < start ? start : end, range.Start, range.End)
            || CalendarTime.Overlaps(original, original + (end - start), range.Start, range.End)
            || (identifier.Range == RecurrenceRange.ThisAndFuture && original < range.End);
    }

    /// <summary>A time in UTC, or the date of an all-day instance (a DATE has no time zone to convert).</summary>
    private static CalDateTime Time(DateTime utc, bool allDay) =>
        allDay ? new CalDateTime(DateOnly.FromDateTime(utc)) : new CalDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc), CalDateTime.UtcTzId);
}
