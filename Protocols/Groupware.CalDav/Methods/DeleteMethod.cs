using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;

namespace Groupware.CalDav.Methods;

/// <summary>
/// DELETE (RFC 4918 §9.6) of a calendar object (leaving a tombstone for sync-collection, RFC 6578
/// §3.7) or of a whole calendar; If-Match holds or gives 412.
/// </summary>
internal static class DeleteMethod
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request)
    {
        var (resource, missing) = await DavResource.ResolveAsync(request, request.Path);
        if (resource is null)
        {
            return missing!;
        }

        switch (resource.Kind)
        {
            case DavResourceKind.CalendarObject:
                var outcome = await request.Store.DeleteObjectAsync(request.Account.Id, resource.Calendar!.Id, resource.Object!.Name, request.Condition(),
                    request.Aborted);
                return outcome switch
                {
                    DeleteOutcome.Deleted => DavResponse.Empty(StatusCodes.Status204NoContent),
                    DeleteOutcome.PreconditionFailed => DavResponse.Text(StatusCodes.Status412PreconditionFailed, "the resource changed contrary to If-Match"),
                    _ => DavResponse.Text(StatusCodes.Status404NotFound, "no such resource"),
                };
            case DavResourceKind.Calendar:
                if (request.Condition().IfMatch is { Count: > 0 })
                {
                    return DavResponse.Text(StatusCodes.Status412PreconditionFailed, "a calendar has no entity tag to match");
                }

                await request.Store.DeleteCalendarAsync(request.Account.Id, resource.Calendar!.Id, request.Aborted);
                return DavResponse.Empty(StatusCodes.Status204NoContent);
            default:
                return DavResponse.Text(StatusCodes.Status403Forbidden, "only calendars and their objects can be deleted");
        }
    }
}
