namespace Groupware.Tests.CalDav;

/// <summary>
/// The calendar collection of RFC 4791 Appendix B ("Calendar Collections Used in the Examples"), copied
/// from the RFC text: the objects the §7.8 and §7.9 examples query. abcd8 (a VFREEBUSY) is left out:
/// it is not a calendar object resource this server stores (§4.1 allows VEVENT, VTODO, VJOURNAL).
/// </summary>
internal static class Rfc4791AppendixB
{
    /// <summary>The VTIMEZONE every object of Appendix B carries, as the RFC writes it.</summary>
    public const string UsEastern = """
        BEGIN:VTIMEZONE
        LAST-MODIFIED:20040110T032845Z
        TZID:US/Eastern
        BEGIN:DAYLIGHT
        DTSTART:20000404T020000
        RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4
        TZNAME:EDT
        TZOFFSETFROM:-0500
        TZOFFSETTO:-0400
        END:DAYLIGHT
        BEGIN:STANDARD
        DTSTART:20001026T020000
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
        TZNAME:EST
        TZOFFSETFROM:-0400
        TZOFFSETTO:-0500
        END:STANDARD
        END:VTIMEZONE
        """;

    public static readonly IReadOnlyDictionary<string, string> Objects = new Dictionary<string, string>
    {
        ["abcd1.ics"] = $"""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example Corp.//CalDAV Client//EN
            {UsEastern}
            BEGIN:VEVENT
            DTSTAMP:20060206T001102Z
            DTSTART;TZID=US/Eastern:20060102T100000
            DURATION:PT1H
            SUMMARY:Event #1
            Description:Go Steelers!
            UID:74855313FA803DA593CD579A@example.com
            END:VEVENT
            END:VCALENDAR
            """,
        ["abcd2.ics"] = $"""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example Corp.//CalDAV Client//EN
            {UsEastern}
            BEGIN:VEVENT
            DTSTAMP:20060206T001121Z
            DTSTART;TZID=US/Eastern:20060102T120000
            DURATION:PT1H
            RRULE:FREQ=DAILY;COUNT=5
            SUMMARY:Event #2
            UID:00959BC664CA650E933C892C@example.com
            END:VEVENT
            BEGIN:VEVENT
            DTSTAMP:20060206T001121Z
            DTSTART;TZID=US/Eastern:20060104T140000
            DURATION:PT1H
            RECURRENCE-ID;TZID=US/Eastern:20060104T120000
            SUMMARY:Event #2 bis
            UID:00959BC664CA650E933C892C@example.com
            END:VEVENT
            END:VCALENDAR
            """,
        ["abcd3.ics"] = $"""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example Corp.//CalDAV Client//EN
            {UsEastern}
            BEGIN:VEVENT
            ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:cyrus@example.com
            ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:lisa@example.com
            DTSTAMP:20060206T001220Z
            DTSTART;TZID=US/Eastern:20060104T100000
            DURATION:PT1H
            LAST-MODIFIED:20060206T001330Z
            ORGANIZER:mailto:cyrus@example.com
            SEQUENCE:1
            STATUS:TENTATIVE
            SUMMARY:Event #3
            UID:DC6C50A017428C5216A2F1CD@example.com
            END:VEVENT
            END:VCALENDAR
            """,
        ["abcd4.ics"] = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example Corp.//CalDAV Client//EN
            BEGIN:VTODO
            DTSTAMP:20060205T235335Z
            DUE;VALUE=DATE:20060104
            STATUS:NEEDS-ACTION
            SUMMARY:Task #1
            UID:DDDEEB7915FA61233B861457@example.com
            BEGIN:VALARM
            ACTION:AUDIO
            TRIGGER;RELATED=START:-PT10M
            END:VALARM
            END:VTODO
            END:VCALENDAR
            """,
        ["abcd5.ics"] = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example Corp.//CalDAV Client//EN
            BEGIN:VTODO
            DTSTAMP:20060205T235300Z
            DUE;VALUE=DATE:20060106
            LAST-MODIFIED:20060205T235308Z
            SEQUENCE:1
            STATUS:NEEDS-ACTION
            SUMMARY:Task #2
            UID:E10BA47467C5C69BB74E8720@example.com
            BEGIN:VALARM
            ACTION:AUDIO
            TRIGGER;RELATED=START:-PT10M
            END:VALARM
            END:VTODO
            END:VCALENDAR
            """,
        ["abcd6.ics"] = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example Corp.//CalDAV Client//EN
            BEGIN:VTODO
            COMPLETED:20051223T122322Z
            DTSTAMP:20060205T235400Z
            DUE;VALUE=DATE:20051225
            LAST-MODIFIED:20060205T235308Z
            SEQUENCE:1
            STATUS:COMPLETED
            SUMMARY:Task #3
            UID:E10BA47467C5C69BB74E8722@example.com
            END:VTODO
            END:VCALENDAR
            """,
        ["abcd7.ics"] = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example Corp.//CalDAV Client//EN
            BEGIN:VTODO
            DTSTAMP:20060205T235600Z
            DUE;VALUE=DATE:20060101
            LAST-MODIFIED:20060205T235308Z
            SEQUENCE:1
            STATUS:CANCELLED
            SUMMARY:Task #4
            UID:E10BA47467C5C69BB74E8725@example.com
            END:VTODO
            END:VCALENDAR
            """,
    };
}
