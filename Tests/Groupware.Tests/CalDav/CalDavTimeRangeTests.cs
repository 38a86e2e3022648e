using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// calendar-query time ranges (RFC 4791 §9.9) on the shapes the indexed columns and the bounded
/// expansion must get right: a rule without end that began decades before the range (its index end
/// is open, and the expansion starts near the range, not at the first instance), a rule with an
/// end, an all-day event, a floating time (read as UTC), and to-dos with only a DUE or no time at all.
/// </summary>
public sealed class CalDavTimeRangeTests
{
    private static TestNode _node = null!;
    private static HttpClient _client = null!;
    private static string _calendar = null!;

    private static readonly Dictionary<string, string> Objects = new()
    {
        ["daily-since-2000"] = "DTSTART:20000101T080000Z\nDTEND:20000101T081500Z\nRRULE:FREQ=DAILY",
        ["weekly-until-2030"] = "DTSTART:20300107T090000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;UNTIL=20300121T090000Z",
        ["all-day"] = "DTSTART;VALUE=DATE:20300110\nDTEND;VALUE=DATE:20300111",
        ["floating"] = "DTSTART:20300110T200000\nDTEND:20300110T210000",
    };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        _client = Client(_node, login);
        _calendar = $"/calendars/{login}/mixed/";
        using var made = await _client.SendAsync("MKCALENDAR", _calendar);
        foreach (var (uid, times) in Objects)
        {
            using var put = await _client.PutCalendarAsync(_calendar + uid + ".ics", CalendarObject("VEVENT", uid, $"{times}\nSUMMARY:{uid}"));
            Assert.That((int)put.StatusCode, Is.EqualTo(201), uid);
        }

        foreach (var (uid, times) in new[] { ("due-only", "DUE:20300110T120000Z\n"), ("no-time", "") })
        {
            using var put = await _client.PutCalendarAsync(_calendar + uid + ".ics", CalendarObject("VTODO", uid, $"{times}SUMMARY:{uid}"));
            Assert.That((int)put.StatusCode, Is.EqualTo(201), uid);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
    }

    private static async Task<List<string>> MatchingAsync(string component, string start, string end, string expand = "")
    {
        using var response = await _client.SendAsync("REPORT", _calendar, $"""
            <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><D:getetag/><C:calendar-data>{expand}</C:calendar-data></D:prop>
              <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="{component}">
                <C:time-range start="{start}" end="{end}"/>
              </C:comp-filter></C:comp-filter></C:filter>
            </C:calendar-query>
            """, "1");
        var multistatus = await MultistatusAsync(response);
        return [.. Hrefs(multistatus).Select(h => h[_calendar.Length..].Replace(".ics", "", StringComparison.Ordinal)).Order()];
    }

    [Test]
    public async Task A_day_in_2030_finds_the_daily_rule_of_2000_the_all_day_and_the_floating_event()
    {
        Assert.That(await MatchingAsync("VEVENT", "20300110T000000Z", "20300111T000000Z"),
            Is.EqualTo(new[] { "all-day", "daily-since-2000", "floating" }));
        Assert.That(await MatchingAsync("VEVENT", "20300114T000000Z", "20300115T000000Z"), Is.EqualTo(new[] { "daily-since-2000", "weekly-until-2030" }),
            "the weekly rule's second Monday");
    }

    [Test]
    public async Task A_range_between_instances_finds_none_of_them()
    {
        // 08:15 to 09:00 on a Tuesday: after the daily instance, and the weekly one is on Mondays.
        Assert.That(await MatchingAsync("VEVENT", "20300108T081500Z", "20300108T090000Z"), Is.Empty);
    }

    [Test]
    public async Task A_bounded_rule_does_not_match_after_its_last_instance()
    {
        Assert.That(await MatchingAsync("VEVENT", "20300121T100000Z", "20300201T000000Z"), Is.EqualTo(new[] { "daily-since-2000" }));
    }

    [Test]
    public async Task The_open_ended_rule_is_expanded_within_the_range_decades_on()
    {
        using var response = await _client.SendAsync("REPORT", _calendar, """
            <C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><C:calendar-data><C:expand start="20500601T000000Z" end="20500603T000000Z"/></C:calendar-data></D:prop>
              <D:href>daily-since-2000.ics</D:href>
            </C:calendar-multiget>
            """.Replace("daily-since-2000.ics", _calendar + "daily-since-2000.ics", StringComparison.Ordinal), "1");
        var data = Property(await MultistatusAsync(response), _calendar + "daily-since-2000.ics", Cal + "calendar-data")!.Value;
        Assert.That(data.Split('\n').Where(l => l.StartsWith("RECURRENCE-ID", StringComparison.Ordinal)).Select(l => l.Trim()),
            Is.EqualTo(new[] { "RECURRENCE-ID:20500601T080000Z", "RECURRENCE-ID:20500602T080000Z" }));
        Assert.That(data, Does.Not.Contain("RRULE"));
    }

    [Test]
    public async Task A_to_do_with_only_DUE_is_its_instant_and_one_without_time_matches_every_range()
    {
        Assert.That(await MatchingAsync("VTODO", "20300110T000000Z", "20300111T000000Z"), Is.EqualTo(new[] { "due-only", "no-time" }));
        Assert.That(await MatchingAsync("VTODO", "20300110T120001Z", "20300111T000000Z"), Is.EqualTo(new[] { "no-time" }));
    }
}
