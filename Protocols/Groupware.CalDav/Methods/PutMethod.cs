using System.Text;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using static Groupware.CalDav.Xml.DavNames;

namespace Groupware.CalDav.Methods;

/// <summary>
/// PUT of a calendar object resource (RFC 4791 §5.3.2) with the preconditions of §5.3.2.1, each
/// refused with 403 and its element: supported-calendar-data (text/calendar, UTF-8),
/// valid-calendar-data, valid-calendar-object-resource (one UID, one component type, no METHOD),
/// supported-calendar-component (of the collection's set), max-resource-size, and no-uid-conflict
/// with the href of the object that has the UID; over the account's quota it is 507 with
/// DAV:quota-not-exceeded (RFC 4331 §6). If-Match and If-None-Match: * are evaluated by
/// the store under the calendar's lock, so a lost race is a 412 (RFC 9110 §13.1), never a lost update.
/// </summary>
internal static class PutMethod
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request)
    {
        var path = request.Path;
        if (path.Kind == DavResourceKind.CalendarFeed)
        {
            var feed = request.IsOwn(path) ? await request.Store.FindCalendarAsync(request.Account.Id, path.Calendar!, request.Aborted) : null;
            return feed is null ? DavResponse.Text(StatusCodes.Status404NotFound, "no such calendar") : await Feeds.CalendarFeed.PutAsync(request, feed);
        }

        if (path.Kind != DavResourceKind.CalendarObject)
        {
            return DavResponse.Text(StatusCodes.Status405MethodNotAllowed, "PUT stores calendar objects inside a calendar: /calendars/{login}/{calendar}/{name}.ics")
                .With("Allow", "OPTIONS, PROPFIND, PROPPATCH, REPORT, DELETE, MKCALENDAR");
        }

        if (!request.IsOwn(path))
        {
            return DavResponse.Text(StatusCodes.Status404NotFound, "no such calendar");
        }

        if (!CalendarStore.IsValidObjectName(path.Object!))
        {
            return DavResponse.Text(StatusCodes.Status403Forbidden, "not a valid resource name");
        }

        // RFC 4791 §5.3.2.1 CALDAV:supported-calendar-data: text/calendar, in UTF-8 (the charset may be left out; RFC 5545 §3.1.4 makes UTF-8 the default).
        // A PUT without Content-Type (cadaver's, curl -T's) is read as what its body turns out to be (RFC 9110 §8.3), which must then be iCalendar.
        var declared = request.Http.Request.ContentType;
        if (!string.IsNullOrEmpty(declared) && (!MediaTypeHeaderValue.TryParse(declared, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "text/calendar", StringComparison.OrdinalIgnoreCase)
            || (mediaType.Charset.HasValue && !string.Equals(mediaType.Charset.Value.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase))))
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, SupportedCalendarData);
        }

        var calendar = await request.Store.FindCalendarAsync(request.Account.Id, path.Calendar!, request.Aborted);
        if (calendar is null)
        {
            // RFC 4918 §9.7.1: a PUT into a collection that does not exist is a conflict.
            return DavResponse.Text(StatusCodes.Status409Conflict, "no such calendar; make it with MKCALENDAR first");
        }

        var body = await request.ReadBodyAsync(request.Options.MaxResourceSize);
        if (body is null)
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, MaxResourceSize);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, SupportedCalendarData);
        }

        var content = CalendarObjectContent.Parse(text, out var problem, out _);
        if (content is null)
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden,
                problem == CalendarDataProblem.InvalidCalendarData ? ValidCalendarData : ValidCalendarObjectResource);
        }

        if (!calendar.Components.Contains(content.Component))
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, SupportedCalendarComponent);
        }

        var result = await request.Store.PutObjectAsync(request.Account.Id, calendar.Id, path.Object!, content, request.Condition(), request.Aborted);
        if (result.ETag is { } written)
        {
            // The expansion that gave the index bounds answers this object's next time-range queries.
            request.Occurrences.Add(written, content.Occurrences);
        }

        return result.Outcome switch
        {
            PutOutcome.Created => DavResponse.Empty(StatusCodes.Status201Created).With("ETag", result.ETag!),
            PutOutcome.Replaced => DavResponse.Empty(StatusCodes.Status204NoContent).With("ETag", result.ETag!),
            PutOutcome.PreconditionFailed => DavResponse.Text(StatusCodes.Status412PreconditionFailed, "the resource changed, or exists, contrary to If-Match/If-None-Match"),
            // RFC 4331 §6: the account's quota (mail and calendars together) has no room for it.
            PutOutcome.OverQuota => DavResponse.Precondition(StatusCodes.Status507InsufficientStorage, QuotaNotExceeded),
            PutOutcome.UidConflict => DavResponse.Precondition(StatusCodes.Status403Forbidden, NoUidConflict,
                new System.Xml.Linq.XElement(Href, DavPath.ObjectHref(request.Account.Login, calendar.Name, result.ConflictingName!))),
            _ => DavResponse.Text(StatusCodes.Status409Conflict, "the calendar was deleted"),
        };
    }
}
