using System.Globalization;
using System.Xml.Linq;
using Groupware.CalDav.Xml;
using static Groupware.CalDav.Xml.DavNames;

namespace Groupware.CalDav;

/// <summary>
/// The live properties of each kind of resource (RFC 4918 §15, RFC 4791 §5.2 and §6.2, RFC 3744 §5,
/// RFC 5397, RFC 6578 §4, and getctag, calendar-color and calendar-order as calendar servers define
/// them, and the quota of RFC 4331). There are no dead properties: PROPPATCH sets only the few listed as writable.
/// </summary>
internal static class DavProperties
{
    /// <summary>The properties PROPPATCH may set on a calendar; every other known one is protected.</summary>
    public static readonly IReadOnlySet<XName> Writable = new HashSet<XName> { DisplayName, CalendarDescription, CalendarColor, CalendarOrder, CalendarTimezone };

    /// <summary>The reports of RFC 4791 §7.8 to §7.10 and RFC 6578 §3 this server answers on calendars.</summary>
    private static readonly XName[] CalendarReports = [CalendarQuery, CalendarMultiget, FreeBusyQuery, SyncCollection];

    /// <summary>The names a PROPFIND with DAV:propname lists, and DAV:allprop returns, for a resource of this kind.</summary>
    public static IReadOnlyList<XName> NamesOf(DavResource resource) => resource.Kind switch
    {
        DavResourceKind.Root or DavResourceKind.PrincipalCollection => [ResourceType, CurrentUserPrincipal, PrincipalCollectionSet],
        DavResourceKind.Principal =>
        [
            ResourceType, DisplayName, PrincipalUrl, CalendarHomeSet, CalendarUserAddressSet, CurrentUserPrincipal,
            PrincipalCollectionSet, SupportedReportSet,
        ],
        DavResourceKind.CalendarHome =>
        [
            ResourceType, DisplayName, Owner, CurrentUserPrincipal, CurrentUserPrivilegeSet, SupportedReportSet,
        ],
        DavResourceKind.Calendar =>
        [
            ResourceType, DisplayName, CalendarDescription, CalendarColor, CalendarOrder, CalendarTimezone, SupportedCalendarComponentSet,
            SupportedCalendarData, MaxResourceSize, GetCTag, SyncToken, SupportedReportSet, Owner, CurrentUserPrincipal, CurrentUserPrivilegeSet,
        ],
        DavResourceKind.CalendarObject =>
        [
            ResourceType, GetETag, GetContentType, GetContentLength, GetLastModified, Owner, CurrentUserPrincipal, CurrentUserPrivilegeSet,
        ],
        _ => [],
    };

    /// <summary>
    /// The properties a resource has that DAV:allprop leaves out, answered only when named (and listed
    /// by DAV:propname): the quota of RFC 4331 §3 and §4 on the calendar home and on each calendar.
    /// </summary>
    public static IReadOnlyList<XName> OnRequestOf(DavResource resource) => resource.Kind is DavResourceKind.CalendarHome or DavResourceKind.Calendar
        ? [QuotaAvailableBytes, QuotaUsedBytes]
        : [];

    /// <summary>The value of <paramref name="name"/> on <paramref name="resource"/>, or null when it has no such property (404 in its propstat).</summary>
    public static XElement? ValueOf(XName name, DavResource resource, DavRequest request)
    {
        if (!NamesOf(resource).Contains(name) && !OnRequestOf(resource).Contains(name))
        {
            return null;
        }

        var login = request.Account.Login;
        var calendar = resource.Calendar;
        var item = resource.Object;
        return name switch
        {
            _ when name == ResourceType => new XElement(name, resource.Kind switch
            {
                DavResourceKind.Principal => new object[] { new XElement(Collection), new XElement(Principal) },
                DavResourceKind.Calendar => [new XElement(Collection), new XElement(DavNames.Calendar)],
                DavResourceKind.CalendarObject => [],
                _ => [new XElement(Collection)],
            }),
            _ when name == DisplayName => new XElement(name, resource.Kind switch
            {
                DavResourceKind.Calendar => calendar!.DisplayName,
                DavResourceKind.Principal => request.Account.DisplayName is { Length: > 0 } shown ? shown : login,
                _ => login,
            }),
            _ when name == CurrentUserPrincipal => Hrefs(name, DavPath.PrincipalHref(login)),
            _ when name == PrincipalUrl || name == Owner => Hrefs(name, DavPath.PrincipalHref(login)),
            _ when name == PrincipalCollectionSet => Hrefs(name, DavPath.PrincipalsRoot),
            _ when name == CalendarHomeSet => Hrefs(name, DavPath.HomeHref(login)),
            // RFC 4791 §6.2.1: the addresses that identify the user, primary first.
            _ when name == CalendarUserAddressSet => Hrefs(name,
                [.. new[] { request.Account.PrimaryAddress }.Concat(request.Account.Aliases).Where(a => a.Length > 0).Select(a => "mailto:" + a),
                 DavPath.PrincipalHref(login)]),
            // RFC 3744 §5.4: the owner may read and write everything of their own.
            _ when name == CurrentUserPrivilegeSet => new XElement(name,
                new[] { Dav + "read", Dav + "write", Dav + "write-properties", Dav + "write-content", Dav + "bind", Dav + "unbind", Dav + "read-current-user-privilege-set" }
                    .Select(p => new XElement(Privilege, new XElement(p)))),
            _ when name == SupportedReportSet => new XElement(name,
                (resource.Kind == DavResourceKind.Calendar ? CalendarReports : [])
                .Select(r => new XElement(SupportedReport, new XElement(Report, new XElement(r))))),
            _ when name == CalendarDescription => calendar!.Description.Length > 0 ? new XElement(name, calendar.Description) : null,
            _ when name == CalendarColor => calendar!.Color is { } color ? new XElement(name, color) : null,
            _ when name == CalendarOrder => new XElement(name, calendar!.SortOrder.ToString(CultureInfo.InvariantCulture)),
            _ when name == CalendarTimezone => calendar!.TimeZone is { } zone ? new XElement(name, zone) : null,
            _ when name == SupportedCalendarComponentSet => new XElement(name, calendar!.Components.Select(c => new XElement(Comp, new XAttribute("name", c)))),
            _ when name == SupportedCalendarData => new XElement(name,
                new XElement(CalendarData, new XAttribute("content-type", "text/calendar"), new XAttribute("version", "2.0"))),
            _ when name == MaxResourceSize => new XElement(name, request.Options.MaxResourceSize.ToString(CultureInfo.InvariantCulture)),
            _ when name == GetCTag => new XElement(name, calendar!.Revision.ToString(CultureInfo.InvariantCulture)),
            _ when name == SyncToken => new XElement(name, SyncTokens.Format(calendar!)),
            // RFC 4331 §4: the account has one quota for mail and calendars (accounts.used_bytes counts both, as
            // mail delivery does), so a home and each of its calendars report the account's whole usage.
            _ when name == QuotaUsedBytes => new XElement(name, request.Account.UsedBytes.ToString(CultureInfo.InvariantCulture)),
            // RFC 4331 §3: without a quota there is no figure to give, and the property is absent (404).
            _ when name == QuotaAvailableBytes => request.Account.QuotaBytes is { } quota
                ? new XElement(name, Math.Max(0, quota - request.Account.UsedBytes).ToString(CultureInfo.InvariantCulture))
                : null,
            _ when name == GetETag => new XElement(name, item!.ETag),
            _ when name == GetContentType => new XElement(name, $"text/calendar; charset=utf-8; component={item!.Component.ToLowerInvariant()}"),
            _ when name == GetContentLength => new XElement(name, item!.Size.ToString(CultureInfo.InvariantCulture)),
            _ when name == GetLastModified => new XElement(name, new DateTimeOffset(DateTime.SpecifyKind(item!.ModifiedAt, DateTimeKind.Utc)).ToString("R", CultureInfo.InvariantCulture)),
            _ => null,
        };
    }

    /// <summary>
    /// One DAV:response for <paramref name="resource"/> with the requested properties: found ones in a
    /// 200 propstat, unknown ones in a 404 propstat (RFC 4918 §9.1) unless <paramref name="omitMissing"/>
    /// (allprop lists only what the resource has).
    /// </summary>
    public static XElement Response(DavResource resource, IEnumerable<XName> requested, DavRequest request, bool namesOnly = false,
        bool omitMissing = false)
    {
        var found = new List<XElement>();
        var missing = new List<XElement>();
        foreach (var name in requested.Distinct())
        {
            if (namesOnly)
            {
                found.Add(new XElement(name));
                continue;
            }

            if (ValueOf(name, resource, request) is { } value)
            {
                found.Add(value);
            }
            else if (!omitMissing)
            {
                missing.Add(new XElement(name));
            }
        }

        return new XElement(DavNames.Response, new XElement(Href, resource.Href),
            found.Count > 0 ? new XElement(Propstat, new XElement(Prop, found), DavXml.Status(200)) : null,
            missing.Count > 0 ? new XElement(Propstat, new XElement(Prop, missing), DavXml.Status(404)) : null);
    }

    private static XElement Hrefs(XName name, params string[] hrefs) => new(name, hrefs.Select(h => new XElement(Href, h)));
}
