using System.Text.RegularExpressions;
using System.Xml.Linq;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// The examples of RFC 4791 replayed against a real node: MKCALENDAR (§5.3.1.2), the PUT of the
/// Appendix B collection, and the calendar-query (§7.8) and calendar-multiget (§7.9) examples on
/// it, with the answers the RFC gives (hrefs adapted to this server's URL space, entity tags to
/// its own, and the expanded times in UTC as RFC 4791 errata 1,2 correct them).
/// </summary>
public sealed partial class CalDavRfc4791ExampleTests
{
    private static TestNode _node = null!;
    private static string _login = null!;
    private static HttpClient _client = null!;
    private static string _work = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await StartSecureNodeAsync();
        _login = await CreateAccountAsync();
        _client = Client(_node, _login);
        _work = $"/calendars/{_login}/work/";

        // The collection of Appendix B takes events and to-dos: made without a component set (§5.2.3: all).
        using var made = await _client.SendAsync("MKCALENDAR", _work);
        Assert.That((int)made.StatusCode, Is.EqualTo(201));
        foreach (var (name, ical) in Rfc4791AppendixB.Objects)
        {
            using var put = await _client.PutCalendarAsync(_work + name, ICalendarText(ical), ("If-None-Match", "*"));
            Assert.That((int)put.StatusCode, Is.EqualTo(201), $"{name}: {await put.Content.ReadAsStringAsync()}");
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
    }

    [Test]
    public async Task Section_5_3_1_2_MKCALENDAR_with_properties_creates_a_calendar_restricted_to_events()
    {
        var events = $"/calendars/{_login}/events/";
        using var response = await _client.SendAsync("MKCALENDAR", events, """
            <?xml version="1.0" encoding="utf-8" ?>
            <C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:set>
                <D:prop>
                  <D:displayname>Lisa's Events</D:displayname>
                  <C:calendar-description xml:lang="en">Calendar restricted to events.</C:calendar-description>
                  <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
                  <C:calendar-timezone><![CDATA[BEGIN:VCALENDAR
            PRODID:-//Example Corp.//CalDAV Client//EN
            VERSION:2.0
            BEGIN:VTIMEZONE
            TZID:US-Eastern
            END:VTIMEZONE
            END:VCALENDAR
            ]]></C:calendar-timezone>
                </D:prop>
              </D:set>
            </C:mkcalendar>
            """);
        Assert.That((int)response.StatusCode, Is.EqualTo(201));
        Assert.That(response.Headers.CacheControl?.NoCache, Is.True);

        using var again = await _client.SendAsync("MKCALENDAR", events);
        Assert.That((int)again.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(again), Is.EqualTo(Dav + "resource-must-be-null"));

        using var found = await _client.SendAsync("PROPFIND", events, """
            <D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><D:displayname/><C:calendar-description/><C:supported-calendar-component-set/><C:calendar-timezone/></D:prop>
            </D:propfind>
            """, "0");
        var multistatus = await MultistatusAsync(found);
        Assert.That(Property(multistatus, events, Dav + "displayname")!.Value, Is.EqualTo("Lisa's Events"));
        Assert.That(Property(multistatus, events, Cal + "calendar-description")!.Value, Is.EqualTo("Calendar restricted to events."));
        Assert.That(Property(multistatus, events, Cal + "calendar-timezone")!.Value, Does.Contain("TZID:US-Eastern"));

        using var todo = await _client.PutCalendarAsync(events + "abcd4.ics", ICalendarText(Rfc4791AppendixB.Objects["abcd4.ics"]));
        Assert.That((int)todo.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(todo), Is.EqualTo(Cal + "supported-calendar-component"));
    }

    [Test]
    public async Task Appendix_B_every_object_is_listed_by_a_query_for_VCALENDAR()
    {
        var multistatus = await QueryAsync("""<C:filter><C:comp-filter name="VCALENDAR"/></C:filter>""");
        Assert.That(Hrefs(multistatus), Is.EquivalentTo(Rfc4791AppendixB.Objects.Keys.Select(n => _work + n)));
        Assert.That(Property(multistatus, _work + "abcd1.ics", Cal + "calendar-data")!.Value.Replace("\r\n", "\n"),
            Is.EqualTo(ICalendarText(Rfc4791AppendixB.Objects["abcd1.ics"]).Replace("\r\n", "\n")), "stored as sent");
    }

    /// <summary>RFC 4791 §7.8.1's calendar-data: VERSION of the VCALENDAR, some VEVENT properties, the VTIMEZONE whole.</summary>
    private const string Section781Selection = """
        <C:comp name="VCALENDAR">
          <C:prop name="VERSION"/>
          <C:comp name="VEVENT">
            <C:prop name="SUMMARY"/>
            <C:prop name="UID"/>
            <C:prop name="DTSTART"/>
            <C:prop name="DTEND"/>
            <C:prop name="DURATION"/>
            <C:prop name="RRULE"/>
            <C:prop name="RDATE"/>
            <C:prop name="EXRULE"/>
            <C:prop name="EXDATE"/>
            <C:prop name="RECURRENCE-ID"/>
          </C:comp>
          <C:comp name="VTIMEZONE"/>
        </C:comp>
        """;

    [Test]
    public async Task Section_7_8_1_partial_retrieval_of_events_by_time_range()
    {
        var multistatus = await QueryAsync("""
            <C:filter>
              <C:comp-filter name="VCALENDAR">
                <C:comp-filter name="VEVENT">
                  <C:time-range start="20060104T000000Z" end="20060105T000000Z"/>
                </C:comp-filter>
              </C:comp-filter>
            </C:filter>
            """, Section781Selection);
        Assert.That(Hrefs(multistatus), Is.EquivalentTo(new[] { _work + "abcd2.ics", _work + "abcd3.ics" }));

        // The RFC's answer, less its inconsistencies: abcd2's "Event #2 bis bis" override, which Appendix B's abcd2
        // does not have (nor the blank line before its END:VEVENT), and abcd3's PRODID, which the selection
        // (VERSION only) leaves out as it does for abcd2.
        Assert.That(CalendarDataOf(multistatus, "abcd2.ics"), Is.EqualTo(ICalendarText($"""
            BEGIN:VCALENDAR
            VERSION:2.0
            {Rfc4791AppendixB.UsEastern}
            BEGIN:VEVENT
            DTSTART;TZID=US/Eastern:20060102T120000
            DURATION:PT1H
            RRULE:FREQ=DAILY;COUNT=5
            SUMMARY:Event #2
            UID:00959BC664CA650E933C892C@example.com
            END:VEVENT
            BEGIN:VEVENT
            DTSTART;TZID=US/Eastern:20060104T140000
            DURATION:PT1H
            RECURRENCE-ID;TZID=US/Eastern:20060104T120000
            SUMMARY:Event #2 bis
            UID:00959BC664CA650E933C892C@example.com
            END:VEVENT
            END:VCALENDAR
            """)));
        Assert.That(CalendarDataOf(multistatus, "abcd3.ics"), Is.EqualTo(ICalendarText($"""
            BEGIN:VCALENDAR
            VERSION:2.0
            {Rfc4791AppendixB.UsEastern}
            BEGIN:VEVENT
            DTSTART;TZID=US/Eastern:20060104T100000
            DURATION:PT1H
            SUMMARY:Event #3
            UID:DC6C50A017428C5216A2F1CD@example.com
            END:VEVENT
            END:VCALENDAR
            """)));
    }

    [Test]
    public async Task Section_9_6_allprop_allcomp_novalue_and_a_comp_without_subcomponents_in_a_multiget()
    {
        using var response = await _client.SendAsync("REPORT", _work, $"""
            <?xml version="1.0" encoding="utf-8" ?>
            <C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><D:getetag/>
                <C:calendar-data>
                  <C:comp name="VCALENDAR">
                    <C:allprop/>
                    <C:comp name="VTODO">
                      <C:prop name="UID"/>
                      <C:prop name="SUMMARY" novalue="yes"/>
                      <C:prop name="DUE" novalue="yes"/>
                    </C:comp>
                  </C:comp>
                </C:calendar-data>
              </D:prop>
              <D:href>{_work}abcd5.ics</D:href>
              <D:href>{_work}abcd1.ics</D:href>
            </C:calendar-multiget>
            """, "1");
        var multistatus = await MultistatusAsync(response);
        // abcd5's VTODO with its UID and, without values, its SUMMARY and DUE (and none of its VALARM); no VTIMEZONE, which was not named.
        var todo = CalendarDataOf(multistatus, "abcd5.ics").Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.That(todo, Does.StartWith("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Example Corp.//CalDAV Client//EN\nBEGIN:VTODO\n"));
        Assert.That(todo, Does.Contain("\nSUMMARY:\n").And.Contain("UID:").And.Not.Contain("VTIMEZONE").And.Not.Contain("DTSTAMP").And.Not.Contain("VALARM"));
        Assert.That(todo, Does.Contain("\nDUE;VALUE=DATE:\n"));
        // abcd1 is a VEVENT, which the selection does not name: only the VCALENDAR's own properties remain.
        Assert.That(CalendarDataOf(multistatus, "abcd1.ics"), Is.EqualTo(ICalendarText("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example Corp.//CalDAV Client//EN
            END:VCALENDAR
            """)));

        using var all = await _client.SendAsync("REPORT", _work, $"""
            <C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><C:calendar-data><C:comp name="VCALENDAR"><C:allprop/><C:allcomp/></C:comp></C:calendar-data></D:prop>
              <D:href>{_work}abcd5.ics</D:href>
            </C:calendar-multiget>
            """, "1");
        Assert.That(CalendarDataOf(await MultistatusAsync(all), "abcd5.ics"), Is.EqualTo(ICalendarText(Rfc4791AppendixB.Objects["abcd5.ics"])),
            "allprop and allcomp: the object as stored");

        using var wrong = await _client.SendAsync("REPORT", _work, $"""
            <C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><C:calendar-data><C:comp name="VEVENT"/></C:calendar-data></D:prop>
              <D:href>{_work}abcd1.ics</D:href>
            </C:calendar-multiget>
            """, "1");
        Assert.That((int)wrong.StatusCode, Is.EqualTo(400), "the outermost comp names VCALENDAR");
    }

    [Test]
    public async Task Section_9_6_the_selection_applies_to_expanded_instances_too()
    {
        var multistatus = await QueryAsync("""
            <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
              <C:time-range start="20060103T000000Z" end="20060105T000000Z"/>
            </C:comp-filter></C:comp-filter></C:filter>
            """, """
            <C:comp name="VCALENDAR"><C:comp name="VEVENT"><C:prop name="SUMMARY"/><C:prop name="RECURRENCE-ID"/></C:comp></C:comp>
            <C:expand start="20060103T000000Z" end="20060105T000000Z"/>
            """);
        Assert.That(CalendarDataOf(multistatus, "abcd2.ics"), Is.EqualTo(ICalendarText("""
            BEGIN:VCALENDAR
            BEGIN:VEVENT
            RECURRENCE-ID:20060103T170000Z
            SUMMARY:Event #2
            END:VEVENT
            BEGIN:VEVENT
            RECURRENCE-ID:20060104T170000Z
            SUMMARY:Event #2 bis
            END:VEVENT
            END:VCALENDAR
            """)));
    }

    /// <summary>The calendar data of one response with CRLF line ends (an XML parser hands them out as LF, XML 1.0 §2.11).</summary>
    private static string CalendarDataOf(XElement multistatus, string name) =>
        Property(multistatus, _work + name, Cal + "calendar-data")!.Value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);

    [Test]
    public async Task Section_7_8_3_expanded_retrieval_of_recurring_events()
    {
        var multistatus = await QueryAsync("""
            <C:filter>
              <C:comp-filter name="VCALENDAR">
                <C:comp-filter name="VEVENT">
                  <C:time-range start="20060103T000000Z" end="20060105T000000Z"/>
                </C:comp-filter>
              </C:comp-filter>
            </C:filter>
            """, """<C:expand start="20060103T000000Z" end="20060105T000000Z"/>""");
        Assert.That(Hrefs(multistatus), Is.EquivalentTo(new[] { _work + "abcd2.ics", _work + "abcd3.ics" }));

        var abcd2 = Events(Property(multistatus, _work + "abcd2.ics", Cal + "calendar-data")!.Value);
        Assert.That(abcd2.Select(e => (e["SUMMARY"], e["DTSTART"], e["RECURRENCE-ID"], e.GetValueOrDefault("DURATION"))), Is.EquivalentTo(new[]
        {
            ("Event #2", "20060103T170000Z", "20060103T170000Z", "PT1H"),
            ("Event #2 bis", "20060104T190000Z", "20060104T170000Z", "PT1H"),
        }));
        Assert.That(abcd2.Any(e => e.ContainsKey("RRULE")), Is.False);
        var abcd3 = Events(Property(multistatus, _work + "abcd3.ics", Cal + "calendar-data")!.Value);
        Assert.That(abcd3.Select(e => (e["SUMMARY"], e["DTSTART"], e.ContainsKey("RECURRENCE-ID"))),
            Is.EqualTo(new[] { ("Event #3", "20060104T150000Z", false) }));
        Assert.That(Property(multistatus, _work + "abcd2.ics", Cal + "calendar-data")!.Value, Does.Not.Contain("VTIMEZONE"));
    }

    [TestCase("20060103T000000Z", "20060105T000000Z", true)]
    [TestCase("20060105T000000Z", "20060106T000000Z", false)]
    public async Task Section_7_8_2_limit_recurrence_set_keeps_the_master_and_only_the_overrides_that_impact_the_range(string start, string end,
        bool overrideKept)
    {
        var multistatus = await QueryAsync($"""
            <C:filter>
              <C:comp-filter name="VCALENDAR">
                <C:comp-filter name="VEVENT"><C:time-range start="{start}" end="{end}"/></C:comp-filter>
              </C:comp-filter>
            </C:filter>
            """, $"""<C:limit-recurrence-set start="{start}" end="{end}"/>""");
        var data = Property(multistatus, _work + "abcd2.ics", Cal + "calendar-data")!.Value;
        var lines = data.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.That(lines, Does.Contain("RRULE:FREQ=DAILY;COUNT=5").And.Contain("SUMMARY:Event #2").And.Contain("BEGIN:VTIMEZONE"), "the master, as stored");
        Assert.That(lines.Contains("RECURRENCE-ID;TZID=US/Eastern:20060104T120000"), Is.EqualTo(overrideKept));
    }

    [Test]
    public async Task A_time_range_matches_the_instances_of_a_recurring_event_and_not_the_events_outside()
    {
        // Event #2 recurs daily from 2 to 6 January at 12:00 US/Eastern (17:00 UTC); the others are on the 2nd and the 4th.
        var multistatus = await QueryAsync("""
            <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
              <C:time-range start="20060105T000000Z" end="20060107T000000Z"/>
            </C:comp-filter></C:comp-filter></C:filter>
            """);
        Assert.That(Hrefs(multistatus), Is.EqualTo(new[] { _work + "abcd2.ics" }));

        var after = await QueryAsync("""
            <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
              <C:time-range start="20060106T180000Z" end="20060201T000000Z"/>
            </C:comp-filter></C:comp-filter></C:filter>
            """);
        Assert.That(Hrefs(after), Is.Empty, "the last instance ends at 18:00 UTC on the 6th");
    }

    [Test]
    public async Task Section_7_8_6_retrieval_of_an_event_by_UID()
    {
        var multistatus = await QueryAsync("""
            <C:filter>
              <C:comp-filter name="VCALENDAR">
                <C:comp-filter name="VEVENT">
                  <C:prop-filter name="UID">
                    <C:text-match collation="i;octet">DC6C50A017428C5216A2F1CD@example.com</C:text-match>
                  </C:prop-filter>
                </C:comp-filter>
              </C:comp-filter>
            </C:filter>
            """);
        Assert.That(Hrefs(multistatus), Is.EqualTo(new[] { _work + "abcd3.ics" }));
        Assert.That(Property(multistatus, _work + "abcd3.ics", Dav + "getetag")!.Value, Does.StartWith("\""));
    }

    [Test]
    public async Task Section_7_8_7_retrieval_of_events_by_PARTSTAT()
    {
        var multistatus = await QueryAsync("""
            <C:filter>
              <C:comp-filter name="VCALENDAR">
                <C:comp-filter name="VEVENT">
                  <C:prop-filter name="ATTENDEE">
                    <C:text-match collation="i;ascii-casemap">mailto:lisa@example.com</C:text-match>
                    <C:param-filter name="PARTSTAT">
                      <C:text-match collation="i;ascii-casemap">NEEDS-ACTION</C:text-match>
                    </C:param-filter>
                  </C:prop-filter>
                </C:comp-filter>
              </C:comp-filter>
            </C:filter>
            """);
        Assert.That(Hrefs(multistatus), Is.EqualTo(new[] { _work + "abcd3.ics" }));
    }

    [Test]
    public async Task Section_7_8_8_retrieval_of_events_only()
    {
        var multistatus = await QueryAsync("""
            <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
            """);
        Assert.That(Hrefs(multistatus), Is.EquivalentTo(new[] { _work + "abcd1.ics", _work + "abcd2.ics", _work + "abcd3.ics" }));
    }

    [Test]
    public async Task Section_7_8_9_retrieval_of_all_pending_to_dos()
    {
        var multistatus = await QueryAsync("""
            <C:filter>
              <C:comp-filter name="VCALENDAR">
                <C:comp-filter name="VTODO">
                  <C:prop-filter name="COMPLETED"><C:is-not-defined/></C:prop-filter>
                  <C:prop-filter name="STATUS">
                    <C:text-match negate-condition="yes">CANCELLED</C:text-match>
                  </C:prop-filter>
                </C:comp-filter>
              </C:comp-filter>
            </C:filter>
            """);
        Assert.That(Hrefs(multistatus), Is.EquivalentTo(new[] { _work + "abcd4.ics", _work + "abcd5.ics" }));
    }

    [Test]
    public async Task Section_7_8_a_filter_without_VCALENDAR_is_refused_with_valid_filter()
    {
        using var response = await _client.SendAsync("REPORT", _work, $"""
            <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VEVENT"/></C:filter>
            </C:calendar-query>
            """, "1");
        Assert.That((int)response.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(response), Is.EqualTo(Cal + "valid-filter"));
    }

    [Test]
    public async Task Section_7_9_1_calendar_multiget_of_an_existing_and_a_missing_href()
    {
        using var response = await _client.SendAsync("REPORT", _work, $"""
            <?xml version="1.0" encoding="utf-8" ?>
            <C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><D:getetag/><C:calendar-data/></D:prop>
              <D:href>{_work}abcd1.ics</D:href>
              <D:href>{_work}mtg1.ics</D:href>
            </C:calendar-multiget>
            """, "1");
        var multistatus = await MultistatusAsync(response);
        Assert.That(Hrefs(multistatus), Is.EqualTo(new[] { _work + "abcd1.ics", _work + "mtg1.ics" }));
        Assert.That(Property(multistatus, _work + "abcd1.ics", Cal + "calendar-data")!.Value, Does.Contain("UID:74855313FA803DA593CD579A@example.com"));
        var missing = multistatus.Elements(Dav + "response").Single(r => r.Element(Dav + "href")!.Value == _work + "mtg1.ics");
        Assert.That(missing.Element(Dav + "status")!.Value, Is.EqualTo("HTTP/1.1 404 Not Found"));
    }

    [Test]
    public async Task Section_7_10_1_free_busy_query_gives_the_busy_periods_without_details()
    {
        // The prose of §7.10.1 (9:00 to 17:00 EST on 4 January); its request's end on the 5th would take in Event #2's instance of that day too.
        using var response = await _client.SendAsync("REPORT", _work, """
            <?xml version="1.0" encoding="utf-8" ?>
            <C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
              <C:time-range start="20060104T140000Z" end="20060104T220000Z"/>
            </C:free-busy-query>
            """, "1");
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/calendar"));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Where(l => l.StartsWith("FREEBUSY", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060104T150000Z/20060104T160000Z",
            "FREEBUSY:20060104T190000Z/20060104T200000Z",
        }));
        Assert.That(lines, Does.Contain("DTSTART:20060104T140000Z").And.Contain("DTEND:20060104T220000Z").And.Contain("BEGIN:VFREEBUSY"));
        Assert.That(lines.Any(l => l.StartsWith("SUMMARY", StringComparison.Ordinal) || l.StartsWith("UID", StringComparison.Ordinal)), Is.False);
    }

    private static async Task<XElement> QueryAsync(string filter, string calendarData = "")
    {
        using var response = await _client.SendAsync("REPORT", _work, $"""
            <?xml version="1.0" encoding="utf-8" ?>
            <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><D:getetag/><C:calendar-data>{calendarData}</C:calendar-data></D:prop>
              {filter}
            </C:calendar-query>
            """, "1");
        return await MultistatusAsync(response);
    }

    /// <summary>The VEVENTs of an iCalendar text, each as its properties (name without parameters → value).</summary>
    private static List<Dictionary<string, string>> Events(string ical) =>
        [.. EventBlock().Matches(Regex.Replace(ical, "\r?\n[ \t]", "")).Select(m => m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd('\r')).Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => (Name: l[..l.IndexOf(':', StringComparison.Ordinal)].Split(';')[0].ToUpperInvariant(), Value: l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..]))
            .GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().Value))];

    [GeneratedRegex("BEGIN:VEVENT\r?\n(.*?)END:VEVENT", RegexOptions.Singleline)]
    private static partial Regex EventBlock();
}
