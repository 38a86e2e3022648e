using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// COPY and MOVE of calendar objects within a calendar home (RFC 4918 §9.8, §9.9): to another
/// calendar and to another name, Overwrite: F, and the PUT preconditions at the target (RFC 4791
/// §5.3.2.1: a copy beside its original would hold its UID twice; a to-do list takes no events).
/// </summary>
public sealed class CalDavCopyMoveTests
{
    private static TestNode _node = null!;
    private static string _login = null!;
    private static HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await StartSecureNodeAsync();
        _login = await CreateAccountAsync();
        _client = Client(_node, _login);
        using var made = await _client.SendAsync("MKCALENDAR", $"/calendars/{_login}/work/");
        Assert.That((int)made.StatusCode, Is.EqualTo(201));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
    }

    private static async Task<string> PutEventAsync(string calendar)
    {
        var uid = Guid.NewGuid().ToString();
        using var put = await _client.PutCalendarAsync($"/calendars/{_login}/{calendar}/{uid}.ics", CalendarObject("VEVENT", uid, "DTSTART:20300110T100000Z\nSUMMARY:moved around"));
        Assert.That((int)put.StatusCode, Is.EqualTo(201));
        return uid;
    }

    private static string Url(string calendar, string name) => $"{BaseOf(_node)}calendars/{_login}/{calendar}/{name}";

    [Test]
    public async Task MOVE_to_another_calendar_takes_the_object_there_and_leaves_a_tombstone()
    {
        var uid = await PutEventAsync("default");
        using var sync = await _client.SendAsync("REPORT", $"/calendars/{_login}/default/",
            """<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>""");
        var token = (await MultistatusAsync(sync)).Element(Dav + "sync-token")!.Value;

        using var moved = await _client.SendAsync("MOVE", $"/calendars/{_login}/default/{uid}.ics", headers: ("Destination", Url("work", "moved.ics")));
        Assert.That((int)moved.StatusCode, Is.EqualTo(201));
        using var gone = await _client.GetAsync($"/calendars/{_login}/default/{uid}.ics");
        Assert.That((int)gone.StatusCode, Is.EqualTo(404));
        Assert.That(await _client.GetStringAsync($"/calendars/{_login}/work/moved.ics"), Does.Contain($"UID:{uid}"));

        using var changes = await _client.SendAsync("REPORT", $"/calendars/{_login}/default/", $"""
            <D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>
            """);
        var tombstone = (await MultistatusAsync(changes)).Elements(Dav + "response").Single();
        Assert.That(tombstone.Element(Dav + "status")!.Value, Is.EqualTo("HTTP/1.1 404 Not Found"));
    }

    [Test]
    public async Task MOVE_within_a_calendar_renames_and_COPY_beside_the_original_is_a_UID_conflict()
    {
        var uid = await PutEventAsync("work");
        using var renamed = await _client.SendAsync("MOVE", $"/calendars/{_login}/work/{uid}.ics", headers: ("Destination", $"/calendars/{_login}/work/renamed-{uid}.ics"));
        Assert.That((int)renamed.StatusCode, Is.EqualTo(201));

        using var copied = await _client.SendAsync("COPY", $"/calendars/{_login}/work/renamed-{uid}.ics", headers: ("Destination", Url("work", "copy.ics")));
        Assert.That((int)copied.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(copied), Is.EqualTo(Cal + "no-uid-conflict"));

        using var elsewhere = await _client.SendAsync("COPY", $"/calendars/{_login}/work/renamed-{uid}.ics", headers: ("Destination", Url("default", "copy.ics")));
        Assert.That((int)elsewhere.StatusCode, Is.EqualTo(201));
        Assert.That(await _client.GetStringAsync($"/calendars/{_login}/work/renamed-{uid}.ics"), Does.Contain($"UID:{uid}"), "COPY leaves the source");
    }

    [Test]
    public async Task Overwrite_F_on_an_existing_target_is_412_and_an_event_cannot_go_to_the_tasks_list()
    {
        var first = await PutEventAsync("default");
        var second = await PutEventAsync("default");
        using var refused = await _client.SendAsync("MOVE", $"/calendars/{_login}/default/{first}.ics",
            headers: [("Destination", Url("default", second + ".ics")), ("Overwrite", "F")]);
        Assert.That((int)refused.StatusCode, Is.EqualTo(412));

        using var tasks = await _client.SendAsync("MOVE", $"/calendars/{_login}/default/{first}.ics", headers: ("Destination", Url("tasks", first + ".ics")));
        Assert.That((int)tasks.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(tasks), Is.EqualTo(Cal + "supported-calendar-component"));
        using var still = await _client.GetAsync($"/calendars/{_login}/default/{first}.ics");
        Assert.That((int)still.StatusCode, Is.EqualTo(200));
    }
}
