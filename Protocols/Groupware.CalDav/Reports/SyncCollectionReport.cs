using System.Globalization;
using System.Xml.Linq;
using Groupware.CalDav.Xml;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;

namespace Groupware.CalDav.Reports;

/// <summary>
/// DAV:sync-collection (RFC 6578 §3) on a calendar: with an empty token every member (§3.4), with
/// a token of this calendar what changed since, deleted members as 404 responses from their
/// tombstones (§3.5). A token of another collection, or not one of this server's, is refused with
/// DAV:valid-sync-token (§3.2). Truncated answers (DAV:limit, or more than
/// <see cref="CalDavOptions.MaxSyncResults"/> changes) end with a 507 response for the collection
/// and a token that covers exactly what was listed (§3.6).
/// </summary>
internal static class SyncCollectionReport
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request, DavResource resource, XElement report)
    {
        var calendar = resource.Calendar!;
        var token = DavXml.TextOf(report.Element(DavNames.SyncToken));
        long since = 0;
        if (token.Length > 0)
        {
            if (SyncTokens.RevisionOf(token, calendar) is not { } revision)
            {
                return DavResponse.Precondition(StatusCodes.Status403Forbidden, DavNames.Dav + "valid-sync-token");
            }

            since = revision;
        }

        // RFC 6578 §3.3: sync-level 1 or infinite; a calendar has no child collections, so both mean its members.
        var level = DavXml.TextOf(report.Element(DavNames.SyncLevel));
        if (level is not ("1" or "infinite" or ""))
        {
            return DavResponse.Text(StatusCodes.Status400BadRequest, "DAV:sync-level is 1 or infinite");
        }

        var limit = request.Options.MaxSyncResults;
        if (report.Element(DavNames.Limit)?.Element(DavNames.NResults) is { } nresults)
        {
            if (!int.TryParse(nresults.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var asked) || asked < 1)
            {
                return DavResponse.Text(StatusCodes.Status400BadRequest, "DAV:nresults is a positive integer");
            }

            limit = Math.Min(limit, asked);
        }

        var data = CalendarDataRequest.Parse(report, out var refusal);
        if (data is null)
        {
            return refusal!;
        }

        var (changes, upTo, truncated) = await request.Store.ChangesSinceAsync(request.Account.Id, calendar.Id, since, limit, request.Aborted);
        // The rows themselves only when more than the tag is asked for (the change log carries the tag).
        var present = data.WantsCalendarData || data.Properties.Any(p => p != DavNames.GetETag)
            ? (await request.Store.GetObjectsAsync(request.Account.Id, calendar.Id, [.. changes.Where(c => !c.Deleted).Select(c => c.Name)], request.Aborted))
                .ToDictionary(o => o.Name, StringComparer.Ordinal)
            : [];
        var responses = new List<XElement>();
        foreach (var change in changes)
        {
            var path = new DavPath(DavResourceKind.CalendarObject, request.Account.Login, calendar.Name, change.Name);
            if (change.Deleted || change.ETag is null)
            {
                responses.Add(new XElement(DavNames.Response, new XElement(DavNames.Href, path.Href), DavXml.Status(StatusCodes.Status404NotFound)));
                continue;
            }

            var info = new CalendarObjectInfo(change.Name, "", "", change.ETag, 0, change.Revision, DateTime.UtcNow);
            var item = present.GetValueOrDefault(change.Name);
            responses.Add(item is not null
                ? data.Response(new DavResource(path, calendar, info with { Uid = item.Uid, Component = item.Component, Size = item.Size, ModifiedAt = item.ModifiedAt }), item, request)
                : DavProperties.Response(new DavResource(path, calendar, info), data.Properties, request));
        }

        if (truncated)
        {
            responses.Add(new XElement(DavNames.Response, new XElement(DavNames.Href, resource.Href), DavXml.Status(StatusCodes.Status507InsufficientStorage),
                new XElement(DavNames.Error, new XElement(DavNames.Dav + "number-of-matches-within-limits"))));
        }

        return DavResponse.Multistatus(responses, new XElement(DavNames.SyncToken, SyncTokens.Format(calendar.Id, upTo)));
    }
}
