using System.Xml.Linq;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;
using IcalCalendar = Ical.Net.Calendar;

namespace Groupware.CalDav.Reports;

/// <summary>
/// CALDAV:calendar-query (RFC 4791 §7.8) on a calendar (Depth 1: its objects) or on one object
/// (Depth 0). The store pre-selects candidates by component type and by the first/last occurrence
/// columns indexed at write time; only those are tested exactly (§9.9), by parsing them, or for the
/// usual filter of one time range from their remembered occurrences (<see cref="OccurrenceCache"/>).
/// </summary>
internal static class CalendarQueryReport
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request, DavResource resource, XElement report)
    {
        var filter = CalendarFilter.Parse(report.Element(Xml.DavNames.Filter), out var error);
        if (filter is null)
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, error!.Condition);
        }

        var data = CalendarDataRequest.Parse(report, out var refusal);
        if (data is null)
        {
            return refusal!;
        }

        // RFC 4791 §7.8: Depth 0 when absent; Depth 0 on a collection tests the collection itself, which is no calendar object.
        var depth = request.Depth(absent: 0) ?? 1;
        var calendar = resource.Calendar!;
        IReadOnlyList<CalendarObject> candidates;
        if (resource.Kind == DavResourceKind.CalendarObject)
        {
            candidates = await request.Store.GetObjectsAsync(request.Account.Id, calendar.Id, [resource.Object!.Name], request.Aborted);
        }
        else if (depth == 0)
        {
            candidates = [];
        }
        else
        {
            var range = filter.IndexedRange;
            candidates = await request.Store.FindCandidatesAsync(request.Account.Id, calendar.Id, filter.Component, range?.Start, range?.End,
                request.Aborted);
        }

        var responses = new List<XElement>();
        var timeRangeOnly = filter.TimeRangeOnly;
        foreach (var item in candidates)
        {
            if (Matches(request, filter, timeRangeOnly, item))
            {
                var path = new DavPath(DavResourceKind.CalendarObject, request.Account.Login, calendar.Name, item.Name);
                var info = new CalendarObjectInfo(item.Name, item.Uid, item.Component, item.ETag, item.Size, item.Revision, item.ModifiedAt);
                responses.Add(data.Response(new DavResource(path, calendar, info), item, request));
            }
        }

        return DavResponse.Multistatus(responses);
    }

    /// <summary>
    /// The exact test of §9.9 for one candidate: from its remembered occurrences when the filter is only a
    /// time range on its component type, otherwise (and the first time) by parsing it.
    /// </summary>
    private static bool Matches(DavRequest request, CalendarFilter filter, (string Component, UtcTimeRange Range)? timeRangeOnly, CalendarObject item)
    {
        if (timeRangeOnly is not { } simple || !string.Equals(simple.Component, item.Component, StringComparison.OrdinalIgnoreCase))
        {
            return IcalCalendar.Load(item.Ical) is { } any && filter.Matches(any);
        }

        if (!request.Occurrences.TryGet(item.ETag, out var occurrences))
        {
            if (IcalCalendar.Load(item.Ical) is not { } parsed)
            {
                return false;
            }

            if (CalendarTime.AllOccurrences(parsed, item.Component) is not { } all)
            {
                return filter.Matches(parsed);
            }

            request.Occurrences.Add(item.ETag, all);
            occurrences = all;
        }

        var (start, end) = (simple.Range.Start, simple.Range.End);
        return occurrences.Any(o => CalendarTime.Overlaps(o.Start, o.End, start, end));
    }
}
