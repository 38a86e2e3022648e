using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// PUT and DELETE of calendar object resources: the preconditions of RFC 4791 §5.3.2.1, each
/// answered 403 with its element, and the conditional requests of RFC 9110 §13.1 (If-None-Match: *
/// to create only, If-Match to replace or delete only what the client saw) with 412 otherwise.
/// </summary>
public sealed class CalDavPutTests
{
    private static TestNode _node = null!;
    private static string _login = null!;
    private static HttpClient _client = null!;
    private static string _calendar = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await StartSecureNodeAsync();
        _login = await CreateAccountAsync();
        _client = Client(_node, _login);
        _calendar = $"/calendars/{_login}/default/";
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
    }

    private static string Event(string uid, string summary = "Meeting") =>
        CalendarObject("VEVENT", uid, $"DTSTART:20300110T100000Z\nDTEND:20300110T110000Z\nSUMMARY:{summary}");

    [Test]
    public async Task A_new_object_is_created_with_its_entity_tag_and_read_back_as_stored()
    {
        var uid = Guid.NewGuid().ToString();
        var text = Event(uid);
        using var put = await _client.PutCalendarAsync(_calendar + uid + ".ics", text, ("If-None-Match", "*"));
        Assert.That((int)put.StatusCode, Is.EqualTo(201));
        var etag = put.Headers.ETag!.ToString();

        using var get = await _client.GetAsync(_calendar + uid + ".ics");
        Assert.That((int)get.StatusCode, Is.EqualTo(200));
        Assert.That(get.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/calendar"));
        Assert.That(get.Headers.ETag!.ToString(), Is.EqualTo(etag));
        Assert.That(await get.Content.ReadAsStringAsync(), Is.EqualTo(text));
        Assert.That(get.Content.Headers.LastModified, Is.Not.Null);

        using var head = await _client.SendAsync("HEAD", _calendar + uid + ".ics");
        Assert.That(head.Headers.ETag!.ToString(), Is.EqualTo(etag));
        Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(text)));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);

        using var unchanged = await _client.SendAsync("GET", _calendar + uid + ".ics", headers: ("If-None-Match", etag));
        Assert.That((int)unchanged.StatusCode, Is.EqualTo(304));
    }

    [Test]
    public async Task If_None_Match_star_on_an_existing_href_and_a_stale_If_Match_are_412_and_change_nothing()
    {
        var uid = Guid.NewGuid().ToString();
        var href = _calendar + uid + ".ics";
        using var created = await _client.PutCalendarAsync(href, Event(uid, "first"), ("If-None-Match", "*"));
        var etag = created.Headers.ETag!.ToString();

        using var again = await _client.PutCalendarAsync(href, Event(uid, "second"), ("If-None-Match", "*"));
        Assert.That((int)again.StatusCode, Is.EqualTo(412));
        using var stale = await _client.PutCalendarAsync(href, Event(uid, "second"), ("If-Match", "\"not-the-tag\""));
        Assert.That((int)stale.StatusCode, Is.EqualTo(412));
        Assert.That(await _client.GetStringAsync(href), Does.Contain("SUMMARY:first"));

        using var replaced = await _client.PutCalendarAsync(href, Event(uid, "second"), ("If-Match", etag));
        Assert.That((int)replaced.StatusCode, Is.EqualTo(204));
        Assert.That(replaced.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        Assert.That(await _client.GetStringAsync(href), Does.Contain("SUMMARY:second"));

        using var staleDelete = await _client.SendAsync("DELETE", href, headers: ("If-Match", etag));
        Assert.That((int)staleDelete.StatusCode, Is.EqualTo(412));
        using var deleted = await _client.SendAsync("DELETE", href, headers: ("If-Match", replaced.Headers.ETag!.ToString()));
        Assert.That((int)deleted.StatusCode, Is.EqualTo(204));
        using var gone = await _client.GetAsync(href);
        Assert.That((int)gone.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task If_None_Match_star_lets_exactly_one_of_concurrent_creators_win()
    {
        var uid = Guid.NewGuid().ToString();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var response = await _client.PutCalendarAsync(_calendar + uid + ".ics", Event(uid, $"writer {i}"), ("If-None-Match", "*"));
            return (int)response.StatusCode;
        }));
        Assert.That(attempts.Count(s => s == 201), Is.EqualTo(1));
        Assert.That(attempts.Count(s => s == 412), Is.EqualTo(7));
    }

    [Test]
    public async Task A_second_object_with_a_UID_already_in_the_calendar_is_refused_naming_the_first()
    {
        var uid = Guid.NewGuid().ToString();
        using var first = await _client.PutCalendarAsync(_calendar + "first-" + uid + ".ics", Event(uid));
        Assert.That((int)first.StatusCode, Is.EqualTo(201));
        using var second = await _client.PutCalendarAsync(_calendar + "second-" + uid + ".ics", Event(uid));
        Assert.That((int)second.StatusCode, Is.EqualTo(403));
        var body = System.Xml.Linq.XElement.Parse(await second.Content.ReadAsStringAsync());
        var conflict = body.Element(Cal + "no-uid-conflict");
        Assert.That(conflict?.Element(Dav + "href")?.Value, Is.EqualTo(_calendar + "first-" + uid + ".ics"));
        using var missing = await _client.GetAsync(_calendar + "second-" + uid + ".ics");
        Assert.That((int)missing.StatusCode, Is.EqualTo(404));

        using var renamed = await _client.PutCalendarAsync(_calendar + "first-" + uid + ".ics", Event(Guid.NewGuid().ToString()));
        Assert.That((int)renamed.StatusCode, Is.EqualTo(403), "replacing an object by one of another UID");
        Assert.That(await PreconditionAsync(renamed), Is.EqualTo(Cal + "no-uid-conflict"));
    }

    [TestCase("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:2030011\r\nEND:VCALENDAR\r\n", "valid-calendar-data")]
    [TestCase("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300110T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "valid-calendar-data")]
    [TestCase("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300110T100000Z\r\nEND:VEVENT\r\n" +
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300111T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "valid-calendar-object-resource")]
    [TestCase("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300110T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "valid-calendar-object-resource")]
    [TestCase("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nDTSTAMP:20240101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", "supported-calendar-component")]
    public async Task Calendar_data_that_cannot_be_stored_is_refused_with_its_precondition(string ical, string precondition)
    {
        var href = _calendar + Guid.NewGuid() + ".ics";
        using var response = await _client.PutCalendarAsync(href, ical);
        Assert.That((int)response.StatusCode, Is.EqualTo(403), await response.Content.ReadAsStringAsync());
        Assert.That(await PreconditionAsync(response), Is.EqualTo(Cal + precondition));
        using var missing = await _client.GetAsync(href);
        Assert.That((int)missing.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task A_body_other_than_text_calendar_is_refused_with_supported_calendar_data()
    {
        using var response = await _client.SendAsync("PUT", _calendar + "x.ics", Event("x"), contentType: "text/plain");
        Assert.That((int)response.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(response), Is.EqualTo(Cal + "supported-calendar-data"));
    }

    [Test]
    public async Task An_object_over_max_resource_size_is_refused_with_that_precondition()
    {
        var uid = Guid.NewGuid().ToString();
        var large = Event(uid, new string('x', 1024 * 1024));
        using var response = await _client.PutCalendarAsync(_calendar + uid + ".ics", large);
        Assert.That((int)response.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(response), Is.EqualTo(Cal + "max-resource-size"));
    }
}
