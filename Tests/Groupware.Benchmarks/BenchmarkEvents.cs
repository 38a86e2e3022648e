using System.Globalization;
using System.Text;

namespace Groupware.Benchmarks;

/// <summary>
/// The events the CalDAV benchmark stores: what Thunderbird and Apple Calendar write for a busy
/// person's five years, the same octets for our node and for Radicale. Each has the VTIMEZONE of
/// its TZID (clients send it with every object), a local start in working hours, 30 to 120 minutes,
/// a description of 0 to 1,500 characters, up to five attendees and a reminder; every tenth recurs
/// weekly for half a year (COUNT=26). About 2 KB each.
/// </summary>
internal static class BenchmarkEvents
{
    /// <summary>The first event's day; the rest follow over five years.</summary>
    public static readonly DateTime FirstDay = new(2022, 1, 3, 0, 0, 0, DateTimeKind.Unspecified);

    private const int Days = 5 * 365;

    private const string Berlin = """
        BEGIN:VTIMEZONE
        TZID:Europe/Berlin
        BEGIN:DAYLIGHT
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        TZNAME:CEST
        DTSTART:19700329T020000
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
        END:DAYLIGHT
        BEGIN:STANDARD
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        TZNAME:CET
        DTSTART:19701025T030000
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
        END:STANDARD
        END:VTIMEZONE
        """;

    private static readonly string[] Words =
        ["budget", "review", "release", "customer", "planning", "design", "retro", "hiring", "roadmap", "support", "migration", "security",
         "lunch", "offsite", "quarterly", "standup", "interview", "training", "incident", "backlog"];

    /// <summary>The resource name of event <paramref name="i"/>.</summary>
    public static string Name(int i) => string.Create(CultureInfo.InvariantCulture, $"bench-{i:D5}.ics");

    /// <summary>Event <paramref name="i"/> of <paramref name="count"/>; <paramref name="revision"/> changes its summary (a client's edit).</summary>
    public static string Event(int i, int count, int revision = 0)
    {
        var random = new Random(i);
        var day = FirstDay.AddDays((long)i * Days / Math.Max(1, count));
        var start = day.AddHours(8 + random.Next(10)).AddMinutes(15 * random.Next(4));
        var end = start.AddMinutes(30 * (1 + random.Next(4)));
        var summary = $"{Words[random.Next(Words.Length)]} {Words[random.Next(Words.Length)]} #{i}" + (revision > 0 ? $" (edit {revision})" : "");
        var text = new StringBuilder();
        text.Append("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupware benchmarks//CalDAV//EN\r\nCALSCALE:GREGORIAN\r\n");
        text.Append(Berlin.ReplaceLineEndings("\r\n")).Append("\r\n");
        text.Append("BEGIN:VEVENT\r\n");
        text.Append(CultureInfo.InvariantCulture, $"UID:{Uid(i)}@bench.example.test\r\n");
        text.Append("DTSTAMP:20240101T120000Z\r\nCREATED:20211201T090000Z\r\n");
        text.Append(CultureInfo.InvariantCulture, $"LAST-MODIFIED:2024010{1 + (revision % 9)}T120000Z\r\nSEQUENCE:{revision}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"DTSTART;TZID=Europe/Berlin:{start:yyyyMMdd'T'HHmmss}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"DTEND;TZID=Europe/Berlin:{end:yyyyMMdd'T'HHmmss}\r\n");
        if (i % 10 == 0)
        {
            text.Append("RRULE:FREQ=WEEKLY;COUNT=26\r\n");
        }

        Fold(text, "SUMMARY:" + summary);
        Fold(text, "LOCATION:Room " + random.Next(1, 40).ToString(CultureInfo.InvariantCulture) + ", Building " + (char)('A' + random.Next(6)));
        var description = new StringBuilder();
        var length = random.Next(1500);
        while (description.Length < length)
        {
            description.Append(Words[random.Next(Words.Length)]).Append(' ');
        }

        if (description.Length > 0)
        {
            Fold(text, "DESCRIPTION:" + description.ToString().TrimEnd());
        }

        Fold(text, "ORGANIZER;CN=Owner:mailto:owner@example.test");
        for (var a = random.Next(6); a > 0; a--)
        {
            Fold(text, string.Create(CultureInfo.InvariantCulture,
                $"ATTENDEE;CN=Person {a};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:person{(i + a) % 97}@example.org"));
        }

        text.Append("STATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\n");
        text.Append("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n");
        text.Append("END:VEVENT\r\nEND:VCALENDAR\r\n");
        return text.ToString();
    }

    private static string Uid(int i) => string.Create(CultureInfo.InvariantCulture, $"{i:D8}-b3c1-4e2a-9f00-000000bench");

    /// <summary>RFC 5545 §3.1: lines longer than 75 octets folded (the text here is ASCII).</summary>
    private static void Fold(StringBuilder text, string line)
    {
        for (var offset = 0; offset < line.Length; offset += offset == 0 ? 75 : 74)
        {
            if (offset > 0)
            {
                text.Append(' ');
            }

            text.Append(line, offset, Math.Min(line.Length - offset, offset == 0 ? 75 : 74)).Append("\r\n");
        }
    }
}
