using System.Xml.Linq;
using Groupware.CalDav.Xml;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;

namespace Groupware.CalDav.Reports;

/// <summary>
/// CALDAV:calendar-multiget (RFC 4791 §7.9): the named objects of the calendar the request is made
/// on, in one round trip; an href that names nothing there gets its own 404 response.
/// </summary>
internal static class CalendarMultigetReport
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request, DavResource resource, XElement report)
    {
        var data = CalendarDataRequest.Parse(report, out var refusal);
        if (data is null)
        {
            return refusal!;
        }

        var hrefs = report.Elements(DavNames.Href).Select(h => h.Value.Trim()).Where(h => h.Length > 0).Distinct().ToList();
        if (hrefs.Count > request.Options.MaxMultigetHrefs)
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, DavNames.Dav + "number-of-matches-within-limits");
        }

        var calendar = resource.Calendar!;
        var wanted = new List<(string Href, string? Name)>();
        foreach (var href in hrefs)
        {
            var path = DavPath.ParseHref(href);
            var inCalendar = path.Kind == DavResourceKind.CalendarObject && request.IsOwn(path) && path.Calendar == calendar.Name;
            wanted.Add((href, inCalendar ? path.Object : null));
        }

        var found = (await request.Store.GetObjectsAsync(request.Account.Id, calendar.Id,
            [.. wanted.Where(w => w.Name is not null).Select(w => w.Name!)], request.Aborted)).ToDictionary(o => o.Name, StringComparer.Ordinal);
        var responses = wanted.Select(w =>
        {
            if (w.Name is null || !found.TryGetValue(w.Name, out var item))
            {
                return new XElement(DavNames.Response, new XElement(DavNames.Href, w.Href), DavXml.Status(StatusCodes.Status404NotFound));
            }

            var path = new DavPath(DavResourceKind.CalendarObject, request.Account.Login, calendar.Name, item.Name);
            var info = new CalendarObjectInfo(item.Name, item.Uid, item.Component, item.ETag, item.Size, item.Revision, item.ModifiedAt);
            return data.Response(new DavResource(path, calendar, info), item, request);
        }).ToList();
        return DavResponse.Multistatus(responses);
    }
}
