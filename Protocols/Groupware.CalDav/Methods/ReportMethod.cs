using Groupware.CalDav.Reports;
using Microsoft.AspNetCore.Http;
using static Groupware.CalDav.Xml.DavNames;

namespace Groupware.CalDav.Methods;

/// <summary>
/// REPORT (RFC 3253 §3.6) with the reports a calendar lists in DAV:supported-report-set:
/// calendar-query, calendar-multiget and free-busy-query (RFC 4791 §7.8, §7.9, §7.10) and
/// sync-collection (RFC 6578 §3). Any other report is refused with DAV:supported-report. A
/// free-busy-query may also be made on another account's calendar, and answers busy time only.
/// </summary>
internal static class ReportMethod
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request)
    {
        var (document, refusal) = await request.ReadXmlAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        if (document?.Root is not { } report)
        {
            return DavResponse.Text(StatusCodes.Status400BadRequest, "a REPORT needs a body naming the report");
        }

        if (report.Name == FreeBusyQuery && request.Path.Kind == DavResourceKind.Calendar && !request.IsOwn(request.Path))
        {
            // Scheduling within the installation: everyone may read everyone's busy time (CALDAV:read-free-busy), nothing else.
            var owner = await request.Accounts.FindByLoginAsync(request.Path.Login!, request.Aborted);
            var theirs = owner is null ? null : await request.Store.FindCalendarAsync(owner.Id, request.Path.Calendar!, request.Aborted);
            return theirs is null
                ? DavResponse.Text(StatusCodes.Status404NotFound, "no such calendar")
                : await FreeBusyQueryReport.ExecuteAsync(request, new DavResource(request.Path with { Login = owner!.Login }, theirs), report);
        }

        var (resource, missing) = await DavResource.ResolveAsync(request, request.Path);
        if (resource is null)
        {
            return missing!;
        }

        if (resource.Calendar is null)
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, Dav + "supported-report");
        }

        return report.Name switch
        {
            _ when report.Name == CalendarQuery => await CalendarQueryReport.ExecuteAsync(request, resource, report),
            _ when report.Name == CalendarMultiget => await CalendarMultigetReport.ExecuteAsync(request, resource, report),
            _ when report.Name == FreeBusyQuery => await FreeBusyQueryReport.ExecuteAsync(request, resource, report),
            _ when report.Name == SyncCollection && resource.Kind == DavResourceKind.Calendar => await SyncCollectionReport.ExecuteAsync(request, resource, report),
            _ => DavResponse.Precondition(StatusCodes.Status403Forbidden, Dav + "supported-report"),
        };
    }
}
