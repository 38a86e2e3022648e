using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using static Groupware.CalDav.Xml.DavNames;

namespace Groupware.CalDav.Methods;

/// <summary>
/// PROPFIND (RFC 4918 §9.1) with Depth 0 or 1: prop, propname, or allprop (also for an empty body,
/// with DAV:include adding to it). Depth infinity, or no Depth header, which means infinity, is
/// refused with DAV:propfind-finite-depth (§9.1.1), as clients of large homes expect.
/// </summary>
internal static class PropfindMethod
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request)
    {
        if (request.Depth(absent: null) is not { } depth)
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, Dav + "propfind-finite-depth");
        }

        var (document, refusal) = await request.ReadXmlAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        var root = document?.Root;
        if (root is not null && root.Name != Propfind)
        {
            return DavResponse.Text(StatusCodes.Status400BadRequest, "the body of a PROPFIND is a DAV:propfind");
        }

        var prop = root?.Element(Prop);
        var namesOnly = root?.Element(PropName) is not null;
        var include = root?.Element(Include)?.Elements().Select(e => e.Name).ToList() ?? [];

        var (resource, missing) = await DavResource.ResolveAsync(request, request.Path);
        if (resource is null)
        {
            return missing!;
        }

        var resources = new List<DavResource> { resource };
        if (depth == 1)
        {
            resources.AddRange(await MembersAsync(request, resource));
        }

        var responses = resources.Select(r =>
        {
            IEnumerable<XName> names = prop is not null ? prop.Elements().Select(e => e.Name)
                : namesOnly ? DavProperties.NamesOf(r).Concat(DavProperties.OnRequestOf(r))
                : DavProperties.NamesOf(r).Concat(include);
            return DavProperties.Response(r, names, request, namesOnly, omitMissing: prop is null);
        });
        return DavResponse.Multistatus(responses.ToList());
    }

    /// <summary>The members of a collection (Depth 1): the principal of the root's user, a home's calendars, a calendar's objects.</summary>
    private static async Task<IReadOnlyList<DavResource>> MembersAsync(DavRequest request, DavResource resource)
    {
        var login = request.Account.Login;
        switch (resource.Kind)
        {
            case DavResourceKind.PrincipalCollection:
                return [new DavResource(new DavPath(DavResourceKind.Principal, login))];
            case DavResourceKind.CalendarHome:
                var calendars = await request.Store.ListCalendarsAsync(request.Account.Id, request.Aborted);
                return [.. calendars.Select(c => new DavResource(new DavPath(DavResourceKind.Calendar, login, c.Name), c))];
            case DavResourceKind.Calendar:
                var objects = await request.Store.ListObjectsAsync(request.Account.Id, resource.Calendar!.Id, request.Aborted);
                return [.. objects.Select(o => new DavResource(new DavPath(DavResourceKind.CalendarObject, login, resource.Calendar.Name, o.Name),
                    resource.Calendar, o))];
            default:
                return [];
        }
    }
}
