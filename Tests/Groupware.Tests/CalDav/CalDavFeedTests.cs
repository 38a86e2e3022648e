using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// The whole-calendar iCal URL (zarafa-ical's <c>/ical/{login}/{calendar}</c>): GET of every object
/// as one .ics with its time zones once, conditional GET by ETag and Last-Modified, and PUT of a
/// whole .ics merging by UID in one transaction, seen by CalDAV and by sync-collection. curl is
/// the real client here, as a subscribing script would use it.
/// </summary>
public sealed class CalDavFeedTests
{
    private static TestNode _node = null!;
    private static string _login = null!;
    private static HttpClient _client = null!;

    private const string Zone = """
        BEGIN:VTIMEZONE
        TZID:Europe/Berlin
        BEGIN:STANDARD
        DTSTART:19701025T030000
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:19700329T020000
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        END:DAYLIGHT
        END:VTIMEZONE
        """;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await StartSecureNodeAsync();
        _login = await CreateAccountAsync();
        _client = Client(_node, _login);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
    }

    private static string Event(string uid, string summary) => $"""
        BEGIN:VEVENT
        UID:{uid}
        DTSTAMP:20240101T000000Z
        DTSTART;TZID=Europe/Berlin:20300110T100000
        DTEND;TZID=Europe/Berlin:20300110T110000
        SUMMARY:{summary}
        END:VEVENT
        """;

    private static string Calendar(params string[] parts) =>
        ICalendarText("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//groupware tests//EN\n" + string.Join("\n", parts) + "\nEND:VCALENDAR");

    private static async Task<string> MakeCalendarAsync(string name)
    {
        using var made = await _client.SendAsync("MKCALENDAR", $"/calendars/{_login}/{name}/");
        Assert.That((int)made.StatusCode, Is.EqualTo(201));
        return $"/calendars/{_login}/{name}/";
    }

    [Test]
    public async Task GET_gives_every_object_in_one_calendar_with_each_time_zone_once_and_answers_304_when_unchanged()
    {
        var calendar = await MakeCalendarAsync("feed-get");
        foreach (var uid in new[] { "one", "two" })
        {
            using var put = await _client.PutCalendarAsync(calendar + uid + ".ics", Calendar(Zone, Event(uid, "event " + uid)));
            Assert.That((int)put.StatusCode, Is.EqualTo(201));
        }

        using var response = await _client.GetAsync($"/ical/{_login}/feed-get");
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/calendar"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Does.StartWith("BEGIN:VCALENDAR\r\n").And.EndWith("END:VCALENDAR\r\n"));
        Assert.That(text.Split("\r\n").Count(l => l == "BEGIN:VTIMEZONE"), Is.EqualTo(1));
        Assert.That(text.Split("\r\n").Where(l => l.StartsWith("UID:", StringComparison.Ordinal)), Is.EquivalentTo(new[] { "UID:one", "UID:two" }));

        var etag = response.Headers.ETag!.ToString();
        using var unchanged = await _client.SendAsync("GET", $"/ical/{_login}/feed-get", headers: ("If-None-Match", etag));
        Assert.That((int)unchanged.StatusCode, Is.EqualTo(304));
        using var notModified = await _client.SendAsync("GET", $"/ical/{_login}/feed-get",
            headers: ("If-Modified-Since", response.Content.Headers.LastModified!.Value.ToString("R")));
        Assert.That((int)notModified.StatusCode, Is.EqualTo(304));

        using var changed = await _client.PutCalendarAsync(calendar + "three.ics", Calendar(Event("three", "event three")));
        using var after = await _client.SendAsync("GET", $"/ical/{_login}/feed-get", headers: ("If-None-Match", etag));
        Assert.That((int)after.StatusCode, Is.EqualTo(200), "a change gives a new ETag");
    }

    [Test]
    public async Task PUT_of_a_whole_calendar_adds_replaces_and_deletes_by_UID_in_one_go()
    {
        var calendar = await MakeCalendarAsync("feed-put");
        foreach (var uid in new[] { "kept", "changed", "dropped" })
        {
            using var put = await _client.PutCalendarAsync(calendar + uid + ".ics", Calendar(Zone, Event(uid, uid)));
        }

        using var sync = await _client.SendAsync("REPORT", calendar,
            """<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>""");
        var token = (await MultistatusAsync(sync)).Element(Dav + "sync-token")!.Value;
        using var before = await _client.GetAsync(calendar + "kept.ics");
        var keptTag = before.Headers.ETag!.ToString();

        using var merged = await _client.PutCalendarAsync($"/ical/{_login}/feed-put",
            Calendar(Zone, Event("kept", "kept"), Event("changed", "changed, now"), Event("new", "new")));
        Assert.That((int)merged.StatusCode, Is.EqualTo(200), await merged.Content.ReadAsStringAsync());
        Assert.That(await merged.Content.ReadAsStringAsync(), Does.StartWith("1 added, 1 replaced, 1 deleted"));

        using var kept = await _client.GetAsync(calendar + "kept.ics");
        Assert.That(kept.Headers.ETag!.ToString(), Is.EqualTo(keptTag), "an unchanged object is left alone");
        Assert.That(await _client.GetStringAsync(calendar + "changed.ics"), Does.Contain("SUMMARY:changed, now"));
        using var dropped = await _client.GetAsync(calendar + "dropped.ics");
        Assert.That((int)dropped.StatusCode, Is.EqualTo(404));
        var added = await _client.GetStringAsync(calendar + "new.ics");
        Assert.That(added, Does.Contain("UID:new").And.Contain("TZID:Europe/Berlin"), "each object carries the time zone it uses");

        using var changes = await _client.SendAsync("REPORT", calendar, $"""
            <D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>
            """);
        var responses = (await MultistatusAsync(changes)).Elements(Dav + "response")
            .ToDictionary(r => r.Element(Dav + "href")!.Value, r => r.Element(Dav + "status")?.Value);
        Assert.That(responses, Is.EquivalentTo(new Dictionary<string, string?>
        {
            [calendar + "changed.ics"] = null,
            [calendar + "new.ics"] = null,
            [calendar + "dropped.ics"] = "HTTP/1.1 404 Not Found",
        }));
    }

    [Test]
    public async Task A_PUT_with_a_stale_ETag_or_an_object_the_calendar_cannot_take_changes_nothing()
    {
        var calendar = await MakeCalendarAsync("feed-refused");
        using var first = await _client.PutCalendarAsync(calendar + "a.ics", Calendar(Event("a", "a")));
        using var feed = await _client.GetAsync($"/ical/{_login}/feed-refused");
        var etag = feed.Headers.ETag!.ToString();
        using var second = await _client.PutCalendarAsync(calendar + "b.ics", Calendar(Event("b", "b")));

        using var stale = await _client.PutCalendarAsync($"/ical/{_login}/feed-refused", Calendar(Event("c", "c")), ("If-Match", etag));
        Assert.That((int)stale.StatusCode, Is.EqualTo(412));

        using var invalid = await _client.PutCalendarAsync($"/ical/{_login}/feed-refused",
            Calendar(Event("d", "d"), "BEGIN:VEVENT\nDTSTAMP:20240101T000000Z\nDTSTART:20300110T100000Z\nEND:VEVENT"));
        Assert.That((int)invalid.StatusCode, Is.EqualTo(422), "a component without UID");

        var now = await _client.GetStringAsync($"/ical/{_login}/feed-refused");
        Assert.That(now.Split("\r\n").Where(l => l.StartsWith("UID:", StringComparison.Ordinal)), Is.EquivalentTo(new[] { "UID:a", "UID:b" }));
    }

    [Test]
    public async Task Another_accounts_feed_is_not_found()
    {
        var other = await CreateAccountAsync();
        using var response = await _client.GetAsync($"/ical/{other}/default");
        Assert.That((int)response.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task Curl_downloads_the_feed_and_uploads_a_calendar()
    {
        var curl = ExternalProcess.Require("curl");
        var calendar = await MakeCalendarAsync("feed-curl");
        var file = Path.Combine(Path.GetTempPath(), $"gwtest-{Guid.NewGuid():N}.ics");
        await File.WriteAllTextAsync(file, Calendar(Zone, Event("from-curl", "uploaded")));
        try
        {
            var url = $"{BaseOf(_node)}ical/{_login}/feed-curl.ics";
            var upload = await ExternalProcess.RunAsync(curl, ["-sS", "-k", "--max-time", "20", "-u", $"{_login}:{Password}", "-T", file,
                "-H", "Content-Type: text/calendar", "-w", "%{http_code}", "-o", "/dev/null", url]);
            Assert.That(upload.Output, Is.EqualTo("200"), upload.ToString());
            var download = await ExternalProcess.RunAsync(curl, ["-sS", "-k", "--max-time", "20", "-u", $"{_login}:{Password}", url]);
            Assert.That(download.Output, Does.Contain("UID:from-curl").And.Contain("SUMMARY:uploaded"), download.ToString());
            using var viaCalDav = await _client.GetAsync(calendar + "from-curl.ics");
            Assert.That((int)viaCalDav.StatusCode, Is.EqualTo(200));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
