using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;
using static Groupware.CalDav.Xml.DavNames;

namespace Groupware.CalDav.Methods;

/// <summary>
/// COPY and MOVE (RFC 4918 §9.8, §9.9) of a calendar object to another href in the user's calendar
/// home, in one transaction: Destination names the target (an absolute URL or path), Overwrite: F
/// makes an existing target a 412 (§10.6), and the target calendar's component set and UIDs are
/// checked as for a PUT (RFC 4791 §5.3.2.1: supported-calendar-component, no-uid-conflict).
/// Collections are not copied or moved.
/// </summary>
internal static class CopyMoveMethod
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request)
    {
        var move = string.Equals(request.Method, "MOVE", StringComparison.OrdinalIgnoreCase);
        var (resource, missing) = await DavResource.ResolveAsync(request, request.Path);
        if (resource is null)
        {
            return missing!;
        }

        if (resource.Kind != DavResourceKind.CalendarObject)
        {
            return DavResponse.Text(StatusCodes.Status403Forbidden, $"only calendar objects can be {(move ? "moved" : "copied")}");
        }

        var destinationHeader = request.Http.Request.Headers["Destination"].ToString();
        if (destinationHeader.Length == 0)
        {
            return DavResponse.Text(StatusCodes.Status400BadRequest, "the Destination header is missing");
        }

        var destination = DavPath.ParseHref(destinationHeader);
        if (destination.Kind != DavResourceKind.CalendarObject || !request.IsOwn(destination) || !CalendarStore.IsValidObjectName(destination.Object!))
        {
            return DavResponse.Text(StatusCodes.Status403Forbidden, "the destination is not a calendar object href in your calendar home");
        }

        if (destination.Calendar == resource.Path.Calendar && destination.Object == resource.Path.Object)
        {
            // RFC 4918 §9.8.5: source and destination are the same resource.
            return DavResponse.Text(StatusCodes.Status403Forbidden, "the destination is the source");
        }

        var target = await request.Store.FindCalendarAsync(request.Account.Id, destination.Calendar!, request.Aborted);
        if (target is null)
        {
            return DavResponse.Text(StatusCodes.Status409Conflict, "the destination calendar does not exist");
        }

        if (!target.Components.Contains(resource.Object!.Component))
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, SupportedCalendarComponent);
        }

        var overwrite = !string.Equals(request.Http.Request.Headers["Overwrite"].ToString().Trim(), "F", StringComparison.OrdinalIgnoreCase);
        var result = await request.Store.CopyObjectAsync(request.Account.Id, resource.Calendar!.Id, resource.Object.Name, target.Id, destination.Object!,
            overwrite, move, request.Aborted);
        var location = DavPath.ObjectHref(request.Account.Login, target.Name, destination.Object!);
        return result.Outcome switch
        {
            PutOutcome.Created => DavResponse.Empty(StatusCodes.Status201Created).With("Location", location).With("ETag", result.ETag!),
            PutOutcome.Replaced => DavResponse.Empty(StatusCodes.Status204NoContent).With("ETag", result.ETag!),
            PutOutcome.PreconditionFailed => DavResponse.Text(StatusCodes.Status412PreconditionFailed, "the destination exists and Overwrite is F"),
            PutOutcome.UidConflict => DavResponse.Precondition(StatusCodes.Status403Forbidden, NoUidConflict,
                new System.Xml.Linq.XElement(Href, DavPath.ObjectHref(request.Account.Login, target.Name, result.ConflictingName!))),
            PutOutcome.OverQuota => DavResponse.Precondition(StatusCodes.Status507InsufficientStorage, QuotaNotExceeded),
            _ => DavResponse.Text(StatusCodes.Status404NotFound, "the source or the destination calendar is gone"),
        };
    }
}
