namespace Groupware.CalDav;

/// <summary>What a request URL names in this server's URL space.</summary>
internal enum DavResourceKind
{
    /// <summary>Outside the URL space (404).</summary>
    Unknown,

    /// <summary><c>/</c>: where discovery starts (RFC 6764 §6's context path).</summary>
    Root,

    /// <summary><c>/.well-known/caldav</c> (RFC 6764 §5).</summary>
    WellKnown,

    /// <summary><c>/principals/</c>: the principal collection (RFC 3744 §5.8).</summary>
    PrincipalCollection,

    /// <summary><c>/principals/{login}/</c>: an account's principal (RFC 3744 §2, RFC 5397).</summary>
    Principal,

    /// <summary><c>/calendars/{login}/</c>: an account's calendar home (RFC 4791 §6.2.1).</summary>
    CalendarHome,

    /// <summary><c>/calendars/{login}/{calendar}/</c>: a calendar collection (RFC 4791 §4.2).</summary>
    Calendar,

    /// <summary><c>/calendars/{login}/{calendar}/{object}</c>: a calendar object resource (RFC 4791 §4.1).</summary>
    CalendarObject,

    /// <summary><c>/ical/{login}/{calendar}</c>: a whole calendar as one .ics (zarafa-ical's URL), for subscriptions.</summary>
    CalendarFeed,
}

/// <summary>
/// A request URL parsed into this server's URL space: principals under <c>/principals/</c>, calendar
/// homes under <c>/calendars/</c>, every collection's URL ending in <c>/</c> (which clients rely on,
/// DESIGN.md). Segments are percent-decoded; hrefs written back are percent-encoded.
/// </summary>
internal sealed record DavPath(DavResourceKind Kind, string? Login = null, string? Calendar = null, string? Object = null)
{
    public const string PrincipalsRoot = "/principals/";
    public const string CalendarsRoot = "/calendars/";
    public const string WellKnownCalDav = "/.well-known/caldav";

    /// <summary>Parses a raw (still percent-encoded) request path or href path.</summary>
    public static DavPath Parse(string rawPath)
    {
        if (rawPath.Length == 0 || rawPath == "/")
        {
            return new DavPath(DavResourceKind.Root);
        }

        if (rawPath.TrimEnd('/') == WellKnownCalDav)
        {
            return new DavPath(DavResourceKind.WellKnown);
        }

        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape).ToArray();
        if (segments.Any(s => s is null or "." or ".."))
        {
            return new DavPath(DavResourceKind.Unknown);
        }

        return segments switch
        {
            ["principals"] => new DavPath(DavResourceKind.PrincipalCollection),
            ["principals", var login] => new DavPath(DavResourceKind.Principal, login),
            ["calendars", var login] => new DavPath(DavResourceKind.CalendarHome, login),
            ["calendars", var login, var calendar] when rawPath.EndsWith('/') || !calendar!.Contains('.', StringComparison.Ordinal)
                => new DavPath(DavResourceKind.Calendar, login, calendar),
            ["calendars", var login, var calendar] => new DavPath(DavResourceKind.Unknown, login, calendar),
            ["calendars", var login, var calendar, var name] when !rawPath.EndsWith('/') => new DavPath(DavResourceKind.CalendarObject, login, calendar, name),
            ["ical", var login, var calendar] => new DavPath(DavResourceKind.CalendarFeed, login,
                calendar!.EndsWith(".ics", StringComparison.OrdinalIgnoreCase) ? calendar[..^4] : calendar),
            _ => new DavPath(DavResourceKind.Unknown),
        };
    }

    /// <summary>The path of an href as a client sent it: absolute URL or absolute path (RFC 4918 §8.3).</summary>
    public static DavPath ParseHref(string href)
    {
        href = href.Trim();
        if (Uri.TryCreate(href, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            href = absolute.AbsolutePath;
        }

        return Parse(href);
    }

    public static string PrincipalHref(string login) => PrincipalsRoot + Escape(login) + "/";

    public static string HomeHref(string login) => CalendarsRoot + Escape(login) + "/";

    public static string CalendarHref(string login, string calendar) => HomeHref(login) + Escape(calendar) + "/";

    public static string ObjectHref(string login, string calendar, string name) => CalendarHref(login, calendar) + Escape(name);

    /// <summary>The canonical href of this path.</summary>
    public string Href => Kind switch
    {
        DavResourceKind.Root => "/",
        DavResourceKind.PrincipalCollection => PrincipalsRoot,
        DavResourceKind.Principal => PrincipalHref(Login!),
        DavResourceKind.CalendarHome => HomeHref(Login!),
        DavResourceKind.Calendar => CalendarHref(Login!, Calendar!),
        DavResourceKind.CalendarObject => ObjectHref(Login!, Calendar!, Object!),
        DavResourceKind.CalendarFeed => "/ical/" + Escape(Login!) + "/" + Escape(Calendar!),
        _ => "/",
    };

    /// <summary>Percent-encodes a segment, keeping what RFC 3986 §3.3 allows in a path segment unencoded.</summary>
    public static string Escape(string segment) => Uri.EscapeDataString(segment).Replace("%40", "@", StringComparison.Ordinal);

    private static string? Unescape(string segment)
    {
        try
        {
            var text = Uri.UnescapeDataString(segment);
            return text.Contains('/', StringComparison.Ordinal) || text.Any(char.IsControl) ? null : text;
        }
        catch (UriFormatException)
        {
            return null;
        }
    }
}
