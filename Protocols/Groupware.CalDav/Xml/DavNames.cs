using System.Xml.Linq;

namespace Groupware.CalDav.Xml;

/// <summary>The XML namespaces and element names of WebDAV (RFC 4918), CalDAV (RFC 4791) and the calendar servers' extensions clients use.</summary>
internal static class DavNames
{
    public static readonly XNamespace Dav = "DAV:";
    public static readonly XNamespace CalDav = "urn:ietf:params:xml:ns:caldav";

    /// <summary>getctag (Apple's CalendarServer), which Apple Calendar, Thunderbird and DAVx5 still read besides sync tokens.</summary>
    public static readonly XNamespace CalendarServer = "http://calendarserver.org/ns/";

    /// <summary>calendar-color and calendar-order (Apple's iCal namespace).</summary>
    public static readonly XNamespace Apple = "http://apple.com/ns/ical/";

    public static readonly XName Multistatus = Dav + "multistatus";
    public static readonly XName Response = Dav + "response";
    public static readonly XName Href = Dav + "href";
    public static readonly XName Status = Dav + "status";
    public static readonly XName Propstat = Dav + "propstat";
    public static readonly XName Prop = Dav + "prop";
    public static readonly XName Error = Dav + "error";
    public static readonly XName ResponseDescription = Dav + "responsedescription";

    public static readonly XName Propfind = Dav + "propfind";
    public static readonly XName AllProp = Dav + "allprop";
    public static readonly XName PropName = Dav + "propname";
    public static readonly XName Include = Dav + "include";
    public static readonly XName PropertyUpdate = Dav + "propertyupdate";
    public static readonly XName Set = Dav + "set";
    public static readonly XName Remove = Dav + "remove";
    public static readonly XName Mkcol = Dav + "mkcol";
    public static readonly XName MkcolResponse = Dav + "mkcol-response";

    public static readonly XName ResourceType = Dav + "resourcetype";
    public static readonly XName Collection = Dav + "collection";
    public static readonly XName Principal = Dav + "principal";
    public static readonly XName DisplayName = Dav + "displayname";
    public static readonly XName GetETag = Dav + "getetag";
    public static readonly XName GetContentType = Dav + "getcontenttype";
    public static readonly XName GetContentLength = Dav + "getcontentlength";
    public static readonly XName GetLastModified = Dav + "getlastmodified";
    public static readonly XName SyncToken = Dav + "sync-token";
    public static readonly XName SyncLevel = Dav + "sync-level";
    public static readonly XName SyncCollection = Dav + "sync-collection";
    public static readonly XName Limit = Dav + "limit";
    public static readonly XName NResults = Dav + "nresults";
    public static readonly XName CurrentUserPrincipal = Dav + "current-user-principal";
    public static readonly XName PrincipalUrl = Dav + "principal-URL";
    public static readonly XName PrincipalCollectionSet = Dav + "principal-collection-set";
    public static readonly XName Owner = Dav + "owner";
    public static readonly XName CurrentUserPrivilegeSet = Dav + "current-user-privilege-set";
    public static readonly XName Privilege = Dav + "privilege";
    public static readonly XName SupportedReportSet = Dav + "supported-report-set";
    public static readonly XName SupportedReport = Dav + "supported-report";
    public static readonly XName Report = Dav + "report";
    public static readonly XName QuotaAvailableBytes = Dav + "quota-available-bytes";
    public static readonly XName QuotaUsedBytes = Dav + "quota-used-bytes";
    public static readonly XName QuotaNotExceeded = Dav + "quota-not-exceeded";

    public static readonly XName Calendar = CalDav + "calendar";
    public static readonly XName Mkcalendar = CalDav + "mkcalendar";
    public static readonly XName MkcalendarResponse = CalDav + "mkcalendar-response";
    public static readonly XName CalendarHomeSet = CalDav + "calendar-home-set";
    public static readonly XName CalendarUserAddressSet = CalDav + "calendar-user-address-set";
    public static readonly XName CalendarDescription = CalDav + "calendar-description";
    public static readonly XName CalendarTimezone = CalDav + "calendar-timezone";
    public static readonly XName SupportedCalendarComponentSet = CalDav + "supported-calendar-component-set";
    public static readonly XName SupportedCalendarData = CalDav + "supported-calendar-data";
    public static readonly XName MaxResourceSize = CalDav + "max-resource-size";
    public static readonly XName Comp = CalDav + "comp";
    public static readonly XName CalendarData = CalDav + "calendar-data";
    public static readonly XName CalendarQuery = CalDav + "calendar-query";
    public static readonly XName CalendarMultiget = CalDav + "calendar-multiget";
    public static readonly XName FreeBusyQuery = CalDav + "free-busy-query";
    public static readonly XName Filter = CalDav + "filter";
    public static readonly XName CompFilter = CalDav + "comp-filter";
    public static readonly XName PropFilter = CalDav + "prop-filter";
    public static readonly XName ParamFilter = CalDav + "param-filter";
    public static readonly XName TextMatch = CalDav + "text-match";
    public static readonly XName IsNotDefined = CalDav + "is-not-defined";
    public static readonly XName TimeRange = CalDav + "time-range";
    public static readonly XName Expand = CalDav + "expand";
    public static readonly XName SupportedCalendarComponent = CalDav + "supported-calendar-component";
    public static readonly XName ValidCalendarData = CalDav + "valid-calendar-data";
    public static readonly XName ValidCalendarObjectResource = CalDav + "valid-calendar-object-resource";
    public static readonly XName NoUidConflict = CalDav + "no-uid-conflict";
    public static readonly XName ValidFilter = CalDav + "valid-filter";
    public static readonly XName SupportedFilter = CalDav + "supported-filter";

    public static readonly XName GetCTag = CalendarServer + "getctag";
    public static readonly XName CalendarColor = Apple + "calendar-color";
    public static readonly XName CalendarOrder = Apple + "calendar-order";

    /// <summary>The prefixes written on every multistatus root, so that responses stay short and readable.</summary>
    public static XAttribute[] Prefixes() =>
    [
        new(XNamespace.Xmlns + "D", Dav.NamespaceName),
        new(XNamespace.Xmlns + "C", CalDav.NamespaceName),
        new(XNamespace.Xmlns + "CS", CalendarServer.NamespaceName),
        new(XNamespace.Xmlns + "A", Apple.NamespaceName),
    ];
}
