using System.Globalization;
using System.Text;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Groupware.CalDav.Feeds;

/// <summary>
/// The whole-calendar iCal URL <c>/ical/{login}/{calendar}</c> as zarafa-ical served it: GET gives
/// every object of the calendar as one .ics (RFC 5545), with an ETag and Last-Modified for
/// conditional GET (RFC 9110 §13.1.2, §13.1.3), so that subscribing clients poll cheaply; PUT of a
/// whole .ics merges by UID in one transaction (new UIDs added, changed ones replaced, missing ones
/// deleted), each object checked as a CalDAV PUT checks it (RFC 4791 §5.3.2.1).
/// </summary>
internal static class CalendarFeed
{
    internal const string ProdId = "-//groupware//iCal//EN";

    public static async Task<DavResponse> GetAsync(DavRequest request, CalendarCollection calendar)
    {
        var objects = await request.Store.FindCandidatesAsync(request.Account.Id, calendar.Id, null, null, null, request.Aborted);
        var etag = ETagOf(calendar);
        var modified = objects.Count == 0 ? DateTime.UnixEpoch : objects.Max(o => o.ModifiedAt);
        var lastModified = new DateTimeOffset(DateTime.SpecifyKind(modified, DateTimeKind.Utc));
        var headers = request.Http.Request.GetTypedHeaders();
        if (headers.IfNoneMatch.Count > 0
            ? headers.IfNoneMatch.Any(t => t.Tag.Value == etag || t == EntityTagHeaderValue.Any)
            : headers.IfModifiedSince is { } since && lastModified <= since.AddSeconds(1))
        {
            return DavResponse.Empty(StatusCodes.Status304NotModified).With("ETag", etag);
        }

        var zones = new Dictionary<string, CalendarBlock>(StringComparer.Ordinal);
        var components = new List<CalendarBlock>();
        foreach (var item in objects)
        {
            foreach (var block in CalendarText.TopLevel(item.Ical).Blocks)
            {
                if (block.Name == "VTIMEZONE")
                {
                    if (block.TzId is { } id)
                    {
                        zones.TryAdd(id, block);
                    }
                }
                else
                {
                    components.Add(block);
                }
            }
        }

        var text = CalendarText.Calendar(ProdId, [.. zones.Values, .. components]);
        return DavResponse.Calendar(StatusCodes.Status200OK, text).With("ETag", etag)
            .With("Last-Modified", lastModified.ToString("R", CultureInfo.InvariantCulture))
            .With("Content-Disposition", $"inline; filename=\"{calendar.Name}.ics\"");
    }

    public static async Task<DavResponse> PutAsync(DavRequest request, CalendarCollection calendar)
    {
        if (!MediaTypeHeaderValue.TryParse(request.Http.Request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "text/calendar", StringComparison.OrdinalIgnoreCase))
        {
            return DavResponse.Text(StatusCodes.Status415UnsupportedMediaType, "a whole calendar is PUT as text/calendar");
        }

        var body = await request.ReadBodyAsync(request.Options.MaxCalendarFeedSize);
        if (body is null)
        {
            return DavResponse.Text(StatusCodes.Status413PayloadTooLarge, $"a whole calendar is at most {request.Options.MaxCalendarFeedSize} octets");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return DavResponse.Text(StatusCodes.Status415UnsupportedMediaType, "the calendar is not UTF-8");
        }

        var (contents, invalid) = CalendarObjects.Split(text);
        var refused = invalid.Count > 0 ? invalid[0] : contents.FirstOrDefault(c => !calendar.Components.Contains(c.Component))?.Uid;
        if (refused is not null)
        {
            return DavResponse.Text(StatusCodes.Status422UnprocessableEntity,
                $"the component with UID \"{refused}\" cannot be stored in this calendar (no UID, invalid, or of a type the calendar does not take); nothing was changed");
        }

        if (contents.FirstOrDefault(c => c.Size > request.Options.MaxResourceSize) is { } large)
        {
            return DavResponse.Text(StatusCodes.Status413PayloadTooLarge, $"the component with UID \"{large.Uid}\" is larger than {request.Options.MaxResourceSize} octets");
        }

        var condition = request.Condition();
        long? expected = null;
        if (condition.IfMatch is { Count: > 0 } tags && !tags.Contains("*"))
        {
            // The ETag of this URL names the calendar's revision; any other tag cannot match.
            expected = tags.Select(t => RevisionOf(t, calendar)).FirstOrDefault(r => r is not null) ?? -1;
        }

        var result = await request.Store.MergeObjectsAsync(request.Account.Id, calendar.Id, contents, expected, request.Aborted);
        if (result.OverQuota)
        {
            return DavResponse.Precondition(StatusCodes.Status507InsufficientStorage, Xml.DavNames.QuotaNotExceeded);
        }

        if (!result.Applied)
        {
            return DavResponse.Text(StatusCodes.Status412PreconditionFailed, "the calendar changed since the ETag given in If-Match");
        }

        return DavResponse.Text(StatusCodes.Status200OK,
                string.Create(CultureInfo.InvariantCulture, $"{result.Added} added, {result.Replaced} replaced, {result.Deleted} deleted"))
            .With("ETag", ETagOf(calendar.Id, result.Revision));
    }

    private static string ETagOf(CalendarCollection calendar) => ETagOf(calendar.Id, calendar.Revision);

    private static string ETagOf(long calendarId, long revision) => string.Create(CultureInfo.InvariantCulture, $"\"ical-{calendarId}-{revision}\"");

    private static long? RevisionOf(string tag, CalendarCollection calendar)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"\"ical-{calendar.Id}-");
        return tag.StartsWith(prefix, StringComparison.Ordinal) && tag.EndsWith('"')
            && long.TryParse(tag[prefix.Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : null;
    }
}
