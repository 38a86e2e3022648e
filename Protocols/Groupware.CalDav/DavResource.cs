using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;

namespace Groupware.CalDav;

/// <summary>A resource that exists, as a handler needs it: where it is, and its calendar or object row.</summary>
internal sealed record DavResource(DavPath Path, CalendarCollection? Calendar = null, CalendarObjectInfo? Object = null)
{
    public DavResourceKind Kind => Path.Kind;

    public string Href => Path.Href;

    public bool IsCollection => Kind is not DavResourceKind.CalendarObject;

    /// <summary>
    /// Finds what <paramref name="path"/> names for the current user. Another account's principal,
    /// home, calendars and objects are 404, so that nobody learns which logins or calendars exist
    /// (free/busy for others comes with the scheduling work); a path outside the URL space is 404 too.
    /// </summary>
    public static async Task<(DavResource? Resource, DavResponse? Refusal)> ResolveAsync(DavRequest request, DavPath path)
    {
        var notFound = DavResponse.Text(StatusCodes.Status404NotFound, "no such resource");
        switch (path.Kind)
        {
            case DavResourceKind.Root or DavResourceKind.PrincipalCollection:
                return (new DavResource(path), null);
            case DavResourceKind.Principal or DavResourceKind.CalendarHome when request.IsOwn(path):
                return (new DavResource(path with { Login = request.Account.Login }), null);
            case DavResourceKind.Calendar or DavResourceKind.CalendarObject when request.IsOwn(path):
                var calendar = await request.Store.FindCalendarAsync(request.Account.Id, path.Calendar!, request.Aborted);
                if (calendar is null)
                {
                    return (null, notFound);
                }

                var own = path with { Login = request.Account.Login };
                if (path.Kind == DavResourceKind.Calendar)
                {
                    return (new DavResource(own, calendar), null);
                }

                var found = await request.Store.GetObjectAsync(request.Account.Id, calendar.Id, path.Object!, request.Aborted);
                return found is null
                    ? (null, notFound)
                    : (new DavResource(own, calendar, new CalendarObjectInfo(found.Name, found.Uid, found.Component, found.ETag, found.Size,
                        found.Revision, found.ModifiedAt)), null);
            default:
                return (null, notFound);
        }
    }
}
