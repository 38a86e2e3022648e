using System.Globalization;
using System.Xml.Linq;
using Groupware.CalDav.Xml;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;
using static Groupware.CalDav.Xml.DavNames;

namespace Groupware.CalDav.Methods;

/// <summary>
/// PROPPATCH (RFC 4918 §9.2) on a calendar: displayname, calendar-description, calendar-timezone,
/// calendar-color and calendar-order may be set (and removed, except displayname's value which
/// becomes empty). Every other property is refused with 403 — DAV:cannot-modify-protected-property
/// for the live ones (§16) — and then, the request being atomic, the others with 424.
/// </summary>
internal static class ProppatchMethod
{
    public static async Task<DavResponse> ExecuteAsync(DavRequest request)
    {
        var (document, refusal) = await request.ReadXmlAsync();
        if (refusal is not null)
        {
            return refusal;
        }

        if (document?.Root is not { } root || root.Name != PropertyUpdate)
        {
            return DavResponse.Text(StatusCodes.Status400BadRequest, "the body of a PROPPATCH is a DAV:propertyupdate");
        }

        var (resource, missing) = await DavResource.ResolveAsync(request, request.Path);
        if (resource is null)
        {
            return missing!;
        }

        var changes = root.Elements().Where(e => e.Name == Set || e.Name == Remove)
            .SelectMany(e => e.Element(Prop)?.Elements().Select(p => (Set: e.Name == Set, Property: p)) ?? []).ToList();
        var (properties, refused) = Read(changes, resource);
        var status = new List<(XName Name, int Status)>();
        if (refused.Count > 0)
        {
            status.AddRange(changes.Select(c => (c.Property.Name, refused.Contains(c.Property.Name) ? StatusCodes.Status403Forbidden : StatusCodes.Status424FailedDependency)));
        }
        else
        {
            if (changes.Count > 0)
            {
                await request.Store.UpdateCalendarAsync(request.Account.Id, resource.Calendar!.Id, properties, request.Aborted);
            }

            status.AddRange(changes.Select(c => (c.Property.Name, StatusCodes.Status200OK)));
        }

        var propstats = status.GroupBy(s => s.Status).Select(g => new XElement(Propstat,
            new XElement(Prop, g.Select(s => new XElement(s.Name)).DistinctBy(e => e.Name)), DavXml.Status(g.Key),
            g.Key == StatusCodes.Status403Forbidden ? new XElement(DavNames.Error, new XElement(Dav + "cannot-modify-protected-property")) : null));
        return DavResponse.Multistatus([new XElement(DavNames.Response, new XElement(Href, resource.Href), propstats)]);
    }

    /// <summary>The changes as calendar properties (also for MKCALENDAR's and extended MKCOL's DAV:set), and the names refused.</summary>
    public static (CalendarProperties Properties, HashSet<XName> Refused) Read(IEnumerable<(bool Set, XElement Property)> changes, DavResource? resource)
    {
        var properties = new CalendarProperties();
        var refused = new HashSet<XName>();
        foreach (var (set, property) in changes)
        {
            var name = property.Name;
            var value = set ? property.Value.Trim() : "";
            if ((resource is not null && resource.Kind != DavResourceKind.Calendar) || !DavProperties.Writable.Contains(name))
            {
                refused.Add(name);
            }
            else if (name == DisplayName)
            {
                properties = properties with { DisplayName = value };
            }
            else if (name == CalendarDescription)
            {
                properties = properties with { Description = value };
            }
            else if (name == CalendarColor && value.Length <= 32)
            {
                properties = properties with { Color = value };
            }
            else if (name == CalendarTimezone)
            {
                properties = properties with { TimeZone = set ? value : "" };
            }
            else if (name == CalendarOrder && (!set || int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
            {
                properties = properties with { SortOrder = set ? int.Parse(value, CultureInfo.InvariantCulture) : 0 };
            }
            else
            {
                refused.Add(name);
            }
        }

        return (properties, refused);
    }
}
