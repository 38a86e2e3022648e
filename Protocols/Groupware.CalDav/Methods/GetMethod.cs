using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Groupware.CalDav.Methods;

/// <summary>
/// GET and HEAD (RFC 9110 §9.3.1, §9.3.2; RFC 4791 §4.1) of a calendar object: its iCalendar text
/// as stored, with its ETag and Last-Modified; If-None-Match with the current tag gives 304.
/// Collections have no GET representation here (405); the whole calendar is at its /ical/ URL.
/// </summary>
internal static class GetMethod
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request)
    {
        if (request.Path.Kind == DavResourceKind.CalendarFeed)
        {
            var feed = request.IsOwn(request.Path)
                ? await request.Store.FindCalendarAsync(request.Account.Id, request.Path.Calendar!, request.Aborted)
                : null;
            return feed is null ? DavResponse.Text(StatusCodes.Status404NotFound, "no such calendar") : await Feeds.CalendarFeed.GetAsync(request, feed);
        }

        if (request.Path.Kind != DavResourceKind.CalendarObject)
        {
            var (collection, missing) = await DavResource.ResolveAsync(request, request.Path);
            return collection is null
                ? missing!
                : DavResponse.Text(StatusCodes.Status405MethodNotAllowed, "collections have no GET representation; use PROPFIND or REPORT")
                    .With("Allow", "OPTIONS, PROPFIND, PROPPATCH, REPORT, DELETE");
        }

        if (!request.IsOwn(request.Path))
        {
            return DavResponse.Text(StatusCodes.Status404NotFound, "no such resource");
        }

        var calendar = await request.Store.FindCalendarAsync(request.Account.Id, request.Path.Calendar!, request.Aborted);
        var found = calendar is null ? null : await request.Store.GetObjectAsync(request.Account.Id, calendar.Id, request.Path.Object!, request.Aborted);
        if (found is null)
        {
            return DavResponse.Text(StatusCodes.Status404NotFound, "no such resource");
        }

        var lastModified = new DateTimeOffset(DateTime.SpecifyKind(found.ModifiedAt, DateTimeKind.Utc)).ToString("R", CultureInfo.InvariantCulture);
        if (request.Http.Request.Headers.IfNoneMatch.Any(v => (v ?? "").Split(',').Any(t => t.Trim() == found.ETag || t.Trim() == "*")))
        {
            return DavResponse.Empty(StatusCodes.Status304NotModified).With("ETag", found.ETag);
        }

        return DavResponse.Calendar(StatusCodes.Status200OK, found.Ical).With("ETag", found.ETag).With("Last-Modified", lastModified);
    }
}
