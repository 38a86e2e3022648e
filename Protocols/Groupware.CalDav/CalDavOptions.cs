namespace Groupware.CalDav;

/// <summary>The CalDAV front-end's limits; each default names where it comes from.</summary>
public sealed record CalDavOptions
{
    /// <summary>
    /// Largest XML request body (PROPFIND, PROPPATCH, MKCALENDAR, REPORT) in octets; a larger one is
    /// answered 413 without being parsed. 1 MiB: what Kestrel lets one connection buffer
    /// (<c>MaxRequestBufferSize</c>), far above a multiget of a thousand hrefs.
    /// </summary>
    public int MaxXmlBodySize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Largest calendar object resource in octets, advertised as CALDAV:max-resource-size (RFC 4791
    /// §5.2.5) and refused above it with that precondition. 1 MiB: Apple CalendarServer's
    /// <c>MaxResourceSize</c> default.
    /// </summary>
    public int MaxResourceSize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Most members one sync-collection answer lists (RFC 6578 §3.6: the rest follow with the next
    /// token, after a 507 for the collection). 1000, Apple CalendarServer's <c>MaxQueryWithDataResults</c>
    /// default: an answer of a thousand hrefs with their tags stays near 200 KiB.
    /// </summary>
    public int MaxSyncResults { get; init; } = 1000;

    /// <summary>
    /// Largest whole calendar PUT to its /ical/ URL, in octets. 16 MiB: some thousand events of the
    /// size clients write, and below Kestrel's <c>MaxRequestBodySize</c> (30,000,000 octets), which would
    /// otherwise end the request first.
    /// </summary>
    public int MaxCalendarFeedSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most hrefs one calendar-multiget may name (RFC 4791 §7.9); more are refused with 403. 1000, as <see cref="MaxSyncResults"/>.</summary>
    public int MaxMultigetHrefs { get; init; } = 1000;

    /// <summary>
    /// Octets the node spends at most on remembered occurrences for calendar-query time ranges
    /// (<see cref="Reports.OccurrenceCache"/>), as estimated per entry. 32 MiB: the objects of some
    /// twenty busy calendars of 10,000 events (a tenth of them weekly for half a year).
    /// </summary>
    public long OccurrenceCacheSize { get; init; } = 32L * 1024 * 1024;
}
