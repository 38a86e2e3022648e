using System.Xml.Linq;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// DAV:sync-collection (RFC 6578 §3) on a calendar: the initial listing, the changes and the
/// deletions (as 404 from tombstones) after a token, truncation by DAV:limit (§3.6, 507 for the
/// collection and a token that resumes), a foreign token refused with DAV:valid-sync-token; and
/// getctag moving with every change. PROPPATCH sets the writable properties and refuses the rest.
/// </summary>
public sealed class CalDavSyncCollectionTests
{
    private static TestNode _node = null!;
    private static HttpClient _client = null!;
    private static string _calendar = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        _client = Client(_node, login);
        _calendar = $"/calendars/{login}/sync/";
        using var made = await _client.SendAsync("MKCALENDAR", _calendar);
        Assert.That((int)made.StatusCode, Is.EqualTo(201));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
    }

    private static string Todo(string uid, string summary) => CalendarObject("VTODO", uid, $"SUMMARY:{summary}");

    private static async Task<(List<(string Href, string? Status, string? ETag)> Responses, string Token)> SyncAsync(string token, int? limit = null)
    {
        using var response = await _client.SendAsync("REPORT", _calendar, $"""
            <?xml version="1.0" encoding="utf-8" ?>
            <D:sync-collection xmlns:D="DAV:">
              <D:sync-token>{token}</D:sync-token>
              <D:sync-level>1</D:sync-level>
              {(limit is { } n ? $"<D:limit><D:nresults>{n}</D:nresults></D:limit>" : "")}
              <D:prop><D:getetag/></D:prop>
            </D:sync-collection>
            """);
        var multistatus = await MultistatusAsync(response);
        var responses = multistatus.Elements(Dav + "response").Select(r => (r.Element(Dav + "href")!.Value, r.Element(Dav + "status")?.Value,
            r.Descendants(Dav + "getetag").FirstOrDefault()?.Value)).ToList();
        return (responses, multistatus.Element(Dav + "sync-token")!.Value);
    }

    private static async Task<string> CTagAsync()
    {
        using var response = await _client.SendAsync("PROPFIND", _calendar,
            """<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/></D:prop></D:propfind>""", "0");
        return Property(await MultistatusAsync(response), _calendar, CalendarServer + "getctag")!.Value;
    }

    [Test]
    public async Task After_a_change_and_a_delete_the_next_sync_reports_exactly_those()
    {
        var a = Guid.NewGuid().ToString();
        var b = Guid.NewGuid().ToString();
        using (await _client.PutCalendarAsync(_calendar + a + ".ics", Todo(a, "a")))
        using (await _client.PutCalendarAsync(_calendar + b + ".ics", Todo(b, "b")))
        {
        }

        var (initial, token) = await SyncAsync("");
        Assert.That(initial.Select(r => r.Href), Does.Contain(_calendar + a + ".ics").And.Contain(_calendar + b + ".ics"));
        Assert.That(initial.All(r => r.Status is null && r.ETag is not null), Is.True, "members with their tags");

        var ctag = await CTagAsync();
        using var changed = await _client.PutCalendarAsync(_calendar + a + ".ics", Todo(a, "a, changed"));
        using var deleted = await _client.SendAsync("DELETE", _calendar + b + ".ics");
        Assert.That(await CTagAsync(), Is.Not.EqualTo(ctag));

        var (changes, next) = await SyncAsync(token);
        Assert.That(changes, Is.EquivalentTo(new[]
        {
            (_calendar + a + ".ics", (string?)null, (string?)changed.Headers.ETag!.ToString()),
            (_calendar + b + ".ics", (string?)"HTTP/1.1 404 Not Found", (string?)null),
        }));
        Assert.That(next, Is.Not.EqualTo(token));

        var (none, same) = await SyncAsync(next);
        Assert.That(none, Is.Empty);
        Assert.That(same, Is.EqualTo(next));
    }

    [Test]
    public async Task A_limited_sync_ends_with_507_and_resumes_from_its_token()
    {
        var (_, start) = await SyncAsync("");
        var uids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (var uid in uids)
        {
            using var put = await _client.PutCalendarAsync(_calendar + uid + ".ics", Todo(uid, uid));
        }

        var seen = new List<string>();
        var token = start;
        for (var round = 0; round < 3; round++)
        {
            var (page, next) = await SyncAsync(token, limit: 1);
            Assert.That(page.Count(r => r.Status is null), Is.EqualTo(1), $"round {round}");
            var truncation = page.Where(r => r.Href == _calendar).Select(r => r.Status).ToList();
            Assert.That(truncation, Is.EqualTo(round < 2 ? new[] { "HTTP/1.1 507 Insufficient Storage" } : Array.Empty<string>()),
                "507 while changes remain; none on the page that lists the last");
            seen.AddRange(page.Where(r => r.Status is null).Select(r => r.Href));
            token = next;
        }

        Assert.That(seen, Is.EqualTo(uids.Select(u => _calendar + u + ".ics")), "oldest change first, none twice");
        var (rest, _) = await SyncAsync(token, limit: 1);
        Assert.That(rest, Is.Empty);
    }

    [TestCase("urn:x-groupware:sync:999999:1")]
    [TestCase("http://example.com/not-a-token")]
    public async Task A_token_of_another_collection_is_refused_with_valid_sync_token(string token)
    {
        using var response = await _client.SendAsync("REPORT", _calendar, $"""
            <D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>
            """);
        Assert.That((int)response.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(response), Is.EqualTo(Dav + "valid-sync-token"));
    }

    [Test]
    public async Task PROPPATCH_sets_the_writable_properties_and_refuses_protected_ones_atomically()
    {
        var ctag = await CTagAsync();
        using var set = await _client.SendAsync("PROPPATCH", _calendar, """
            <D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/">
              <D:set><D:prop><D:displayname>Chores</D:displayname><A:calendar-color>#FF8800FF</A:calendar-color></D:prop></D:set>
            </D:propertyupdate>
            """);
        var answer = await MultistatusAsync(set);
        Assert.That(answer.Descendants(Dav + "status").Select(s => s.Value), Is.EqualTo(new[] { "HTTP/1.1 200 OK" }));
        Assert.That(await CTagAsync(), Is.Not.EqualTo(ctag));

        using var refused = await _client.SendAsync("PROPPATCH", _calendar, """
            <D:propertyupdate xmlns:D="DAV:">
              <D:set><D:prop><D:displayname>Not applied</D:displayname><D:getetag>"x"</D:getetag></D:prop></D:set>
            </D:propertyupdate>
            """);
        var propstats = (await MultistatusAsync(refused)).Descendants(Dav + "propstat")
            .ToDictionary(p => p.Element(Dav + "prop")!.Elements().Single().Name, p => p.Element(Dav + "status")!.Value);
        Assert.That(propstats[Dav + "getetag"], Is.EqualTo("HTTP/1.1 403 Forbidden"));
        Assert.That(propstats[Dav + "displayname"], Is.EqualTo("HTTP/1.1 424 Failed Dependency"));

        using var read = await _client.SendAsync("PROPFIND", _calendar,
            """<D:propfind xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:prop><D:displayname/><A:calendar-color/></D:prop></D:propfind>""", "0");
        var multistatus = await MultistatusAsync(read);
        Assert.That(Property(multistatus, _calendar, Dav + "displayname")!.Value, Is.EqualTo("Chores"));
        Assert.That(Property(multistatus, _calendar, (XNamespace)"http://apple.com/ns/ical/" + "calendar-color")!.Value, Is.EqualTo("#FF8800FF"));
    }
}
