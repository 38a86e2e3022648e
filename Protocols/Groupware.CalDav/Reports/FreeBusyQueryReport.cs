using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Groupware.CalDav.Xml;
using Groupware.Storage.Calendar;
using Ical.Net.CalendarComponents;
using Microsoft.AspNetCore.Http;
using IcalCalendar = Ical.Net.Calendar;

namespace Groupware.CalDav.Reports;

/// <summary>
/// CALDAV:free-busy-query (RFC 4791 §7.10) on one of the user's calendars: one VFREEBUSY with the
/// busy periods of its events within the time range, clipped to it and coalesced per type; FBTYPE
/// from TRANSP and STATUS as §7.10's table says (transparent and cancelled events are free, tentative
/// ones BUSY-TENTATIVE). Candidates come from the indexed columns, as for calendar-query. Only
/// busy time is told: no summaries, no UIDs; so it is also what another account of the
/// installation gets for a calendar of this one (scheduling).
/// </summary>
internal static class FreeBusyQueryReport
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request, DavResource resource, XElement report)
    {
        var ranges = report.Elements(DavNames.TimeRange).ToList();
        var range = ranges.Count == 1 ? UtcTimeRange.Parse(ranges[0]) : null;
        if (range?.Start is not { } start || range.End is not { } end)
        {
            return DavResponse.Text(StatusCodes.Status400BadRequest, "a free-busy-query holds exactly one time-range with a start and an end in UTC");
        }

        // The calendar's owner: the current user, or another account of the installation asked about for scheduling.
        var calendar = resource.Calendar!;
        IReadOnlyList<CalendarObject> candidates = resource.Kind == DavResourceKind.CalendarObject
            ? await request.Store.GetObjectsAsync(calendar.AccountId, calendar.Id, [resource.Object!.Name], request.Aborted)
            : await request.Store.FindCandidatesAsync(calendar.AccountId, calendar.Id, "VEVENT", start, end, request.Aborted);

        var busy = new Dictionary<string, List<(DateTime Start, DateTime End)>>(StringComparer.Ordinal);
        foreach (var item in candidates)
        {
            if (IcalCalendar.Load(item.Ical) is not { } parsed)
            {
                continue;
            }

            foreach (var occurrence in CalendarTime.Overlapping(parsed, "VEVENT", start, end))
            {
                if (CalendarTime.FreeBusyKindOf(occurrence.Source) is not { } kind || occurrence.End <= occurrence.Start)
                {
                    continue;
                }

                var type = kind == FreeBusyKind.Tentative ? "BUSY-TENTATIVE" : "BUSY";

                var period = (occurrence.Start < start ? start : occurrence.Start, occurrence.End > end ? end : occurrence.End);
                (busy.TryGetValue(type, out var list) ? list : busy[type] = []).Add(period);
            }
        }

        var text = new StringBuilder();
        text.Append("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupware//CalDAV//EN\r\nBEGIN:VFREEBUSY\r\n");
        text.Append("DTSTAMP:").Append(Utc(DateTime.UtcNow)).Append("\r\n");
        text.Append("DTSTART:").Append(Utc(start)).Append("\r\nDTEND:").Append(Utc(end)).Append("\r\n");
        foreach (var (type, periods) in busy.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            // One FREEBUSY per period keeps every line under RFC 5545 §3.1's 75 octets without folding.
            foreach (var (from, to) in CalendarTime.Coalesce(periods))
            {
                text.Append(type == "BUSY" ? "FREEBUSY:" : $"FREEBUSY;FBTYPE={type}:").Append(Utc(from)).Append('/').Append(Utc(to)).Append("\r\n");
            }
        }

        text.Append("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
        return DavResponse.Calendar(StatusCodes.Status200OK, text.ToString());
    }

    private static string Utc(DateTime value) => value.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
