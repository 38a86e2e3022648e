using System.Xml.Linq;
using Groupware.CalDav.Xml;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;
using static Groupware.CalDav.Xml.DavNames;

namespace Groupware.CalDav.Methods;

/// <summary>
/// MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689 §3) making a calendar in the user's
/// calendar home, with the properties of the request's DAV:set. Only calendars can be made: an
/// MKCOL whose resourcetype is not a calendar is refused with DAV:valid-resourcetype, and a
/// property that cannot be set fails the whole request (its propstat 403, the others' 424).
/// </summary>
internal static class MkcalendarMethod
{
    private static readonly string[] AllComponents = ["VEVENT", "VTODO", "VJOURNAL"];

    public static async Task<DavResponse> ExecuteAsync(DavRequest request)
    {
        var path = request.Path;
        var isMkcol = string.Equals(request.Method, "MKCOL", StringComparison.OrdinalIgnoreCase);
        if (path.Kind != DavResourceKind.Calendar || !request.IsOwn(path))
        {
            // RFC 4918 §9.3.1: 403 where collections cannot be made; another user's home is not there at all.
            return path.Kind == DavResourceKind.Calendar
                ? DavResponse.Text(StatusCodes.Status404NotFound, "no such calendar home")
                : DavResponse.Text(StatusCodes.Status403Forbidden, "calendars are made directly in your calendar home, " + DavPath.HomeHref(request.Account.Login));
        }

        if (!CalendarStore.IsValidCalendarName(path.Calendar!))
        {
            return DavResponse.Text(StatusCodes.Status403Forbidden, "a calendar's name is 1 to 128 of A-Z a-z 0-9 . _ @ + ~ -, not starting with a dot or dash");
        }

        var (document, refusal) = await request.ReadXmlAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        var root = document?.Root;
        var expected = isMkcol ? DavNames.Mkcol : DavNames.Mkcalendar;
        if (root is not null && root.Name != expected)
        {
            return DavResponse.Text(StatusCodes.Status400BadRequest, $"the body of {request.Method} is a {expected.LocalName}");
        }

        if (isMkcol && root is null)
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, Dav + "valid-resourcetype");
        }

        var set = root?.Elements(Set).SelectMany(s => s.Element(Prop)?.Elements() ?? []).ToList() ?? [];
        var components = AllComponents.ToList();
        var rest = new List<XElement>();
        var invalid = new HashSet<XName>();
        foreach (var property in set)
        {
            if (property.Name == SupportedCalendarComponentSet)
            {
                components = [.. property.Elements(Comp).Select(c => ((string?)c.Attribute("name") ?? "").ToUpperInvariant()).Distinct()];
                if (components.Count == 0 || components.Any(c => !AllComponents.Contains(c)))
                {
                    invalid.Add(property.Name);
                }
            }
            else if (property.Name == ResourceType)
            {
                // RFC 5689 §3: only a calendar collection may be made here.
                if (property.Element(Collection) is null || property.Element(DavNames.Calendar) is null
                    || property.Elements().Any(e => e.Name != Collection && e.Name != DavNames.Calendar))
                {
                    return DavResponse.Precondition(StatusCodes.Status403Forbidden, Dav + "valid-resourcetype");
                }
            }
            else
            {
                rest.Add(property);
            }
        }

        if (isMkcol && set.All(p => p.Name != ResourceType))
        {
            return DavResponse.Precondition(StatusCodes.Status403Forbidden, Dav + "valid-resourcetype");
        }

        var (properties, refused) = ProppatchMethod.Read(rest.Select(p => (true, p)), null);
        refused.UnionWith(invalid);
        if (refused.Count > 0)
        {
            var response = isMkcol ? MkcolResponse : MkcalendarResponse;
            var propstats = set.GroupBy(p => refused.Contains(p.Name)).Select(g => new XElement(Propstat,
                new XElement(Prop, g.Select(p => new XElement(p.Name))), DavXml.Status(g.Key ? StatusCodes.Status403Forbidden : StatusCodes.Status424FailedDependency)));
            // RFC 4791 §5.3.1.1: 207 with the propstats for MKCALENDAR; RFC 5689 §3: 403 with them for MKCOL.
            return DavResponse.Xml(isMkcol ? StatusCodes.Status403Forbidden : StatusCodes.Status207MultiStatus,
                new XElement(response, DavNames.Prefixes(), propstats));
        }

        var created = await request.Store.CreateCalendarAsync(request.Account.Id, path.Calendar!, components,
            properties with { DisplayName = properties.DisplayName is { Length: > 0 } name ? name : null }, request.Aborted);
        if (created is null)
        {
            // RFC 4791 §5.3.1.1 DAV:resource-must-be-null; RFC 4918 §9.3.1 answers MKCOL on an existing resource with 405.
            return isMkcol
                ? DavResponse.Text(StatusCodes.Status405MethodNotAllowed, "a calendar of this name exists").With("Allow", OptionsMethod.Allow)
                : DavResponse.Precondition(StatusCodes.Status403Forbidden, Dav + "resource-must-be-null");
        }

        return DavResponse.Empty(StatusCodes.Status201Created).With("Location", DavPath.CalendarHref(request.Account.Login, created.Name))
            .With("Cache-Control", "no-cache");
    }
}
