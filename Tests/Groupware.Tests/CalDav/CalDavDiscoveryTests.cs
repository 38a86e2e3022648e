using System.Net;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// Discovery as clients do it (RFC 6764 §5 and §6, RFC 5397, RFC 4791 §6.2, RFC 4918 §9.1 and
/// §10.1): from the bare server URL or /.well-known/caldav to the principal, its calendar home, and
/// the account's default calendar and tasks list, over HTTP/2 and TLS.
/// </summary>
public sealed class CalDavDiscoveryTests
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
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _node.DisposeAsync();
    }

    private const string CurrentUserPrincipal = """
        <?xml version="1.0" encoding="utf-8"?>
        <D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>
        """;

    [Test]
    public async Task The_well_known_URL_redirects_to_the_context_path_with_an_absolute_Location()
    {
        using var anonymous = Client(_node, null);
        using var response = await anonymous.SendAsync("PROPFIND", "/.well-known/caldav", CurrentUserPrincipal, "0");
        Assert.That((int)response.StatusCode, Is.EqualTo(301));
        Assert.That(response.Headers.Location, Is.EqualTo(BaseOf(_node)));
    }

    [Test]
    public async Task The_root_names_the_current_user_principal_and_the_principal_its_calendar_home()
    {
        using var root = await _client.SendAsync("PROPFIND", "/", CurrentUserPrincipal, "0");
        Assert.That(root.Version, Is.EqualTo(HttpVersion.Version20), "h2 negotiated by ALPN");
        var principal = Property(await MultistatusAsync(root), "/", Dav + "current-user-principal")!.Element(Dav + "href")!.Value;
        Assert.That(principal, Is.EqualTo($"/principals/{_login}/"));

        using var found = await _client.SendAsync("PROPFIND", principal, """
            <?xml version="1.0" encoding="utf-8"?>
            <D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><D:resourcetype/><C:calendar-home-set/><C:calendar-user-address-set/><D:displayname/><D:getetag/></D:prop>
            </D:propfind>
            """, "0");
        var multistatus = await MultistatusAsync(found);
        Assert.That(Property(multistatus, principal, Dav + "resourcetype")!.Element(Dav + "principal"), Is.Not.Null);
        Assert.That(Property(multistatus, principal, Cal + "calendar-home-set")!.Element(Dav + "href")!.Value, Is.EqualTo($"/calendars/{_login}/"));
        Assert.That(Property(multistatus, principal, Cal + "calendar-user-address-set")!.Elements(Dav + "href").Select(h => h.Value),
            Does.Contain($"mailto:{_login}@example.test"));
        var missing = multistatus.Descendants(Dav + "propstat").Single(p => p.Element(Dav + "status")!.Value == "HTTP/1.1 404 Not Found");
        Assert.That(missing.Element(Dav + "prop")!.Elements().Select(e => e.Name), Is.EqualTo(new[] { Dav + "getetag" }), "a principal has no entity tag");
    }

    [Test]
    public async Task A_new_account_has_a_default_calendar_for_events_and_a_tasks_list()
    {
        using var response = await _client.SendAsync("PROPFIND", $"/calendars/{_login}/", """
            <?xml version="1.0" encoding="utf-8"?>
            <D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">
              <D:prop><D:resourcetype/><D:displayname/><C:supported-calendar-component-set/><CS:getctag/><D:sync-token/>
                      <D:supported-report-set/><D:current-user-privilege-set/><D:owner/></D:prop>
            </D:propfind>
            """, "1");
        var multistatus = await MultistatusAsync(response);
        var home = $"/calendars/{_login}/";
        Assert.That(Hrefs(multistatus), Is.EqualTo(new[] { home, home + "default/", home + "tasks/" }));
        Assert.That(Property(multistatus, home + "default/", Dav + "resourcetype")!.Element(Cal + "calendar"), Is.Not.Null);
        Assert.That(Property(multistatus, home + "default/", Cal + "supported-calendar-component-set")!.Elements().Select(c => (string?)c.Attribute("name")),
            Is.EqualTo(new[] { "VEVENT" }));
        Assert.That(Property(multistatus, home + "tasks/", Cal + "supported-calendar-component-set")!.Elements().Select(c => (string?)c.Attribute("name")),
            Is.EqualTo(new[] { "VTODO" }));
        Assert.That(Property(multistatus, home + "default/", CalendarServer + "getctag")!.Value, Is.Not.Empty);
        Assert.That(Property(multistatus, home + "default/", Dav + "sync-token")!.Value, Does.StartWith("urn:"));
        Assert.That(Property(multistatus, home + "default/", Dav + "supported-report-set")!.Descendants(Dav + "report").Select(r => r.Elements().Single().Name),
            Is.EquivalentTo(new[] { Cal + "calendar-query", Cal + "calendar-multiget", Cal + "free-busy-query", Dav + "sync-collection" }));
        Assert.That(Property(multistatus, home + "tasks/", Dav + "current-user-privilege-set")!.Descendants(Dav + "privilege")
            .Select(p => p.Elements().Single().Name), Does.Contain(Dav + "read").And.Contain(Dav + "write"));
        Assert.That(Property(multistatus, home + "tasks/", Dav + "owner")!.Element(Dav + "href")!.Value, Is.EqualTo($"/principals/{_login}/"));
    }

    [TestCase("infinity")]
    [TestCase(null)]
    public async Task Depth_infinity_is_refused_with_propfind_finite_depth(string? depth)
    {
        using var response = await _client.SendAsync("PROPFIND", $"/calendars/{_login}/", CurrentUserPrincipal, depth);
        Assert.That((int)response.StatusCode, Is.EqualTo(403));
        Assert.That(await PreconditionAsync(response), Is.EqualTo(Dav + "propfind-finite-depth"));
    }

    [Test]
    public async Task OPTIONS_names_the_compliance_classes()
    {
        using var response = await _client.SendAsync("OPTIONS", $"/calendars/{_login}/default/");
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Headers.GetValues("DAV").Single(), Is.EqualTo("1, 3, calendar-access, extended-mkcol"));
        Assert.That(response.Content.Headers.Allow, Does.Contain("REPORT").And.Contain("MKCALENDAR"));
    }

    [Test]
    public async Task Another_accounts_home_and_calendars_are_not_found()
    {
        var other = await CreateAccountAsync();
        foreach (var path in new[] { $"/calendars/{other}/", $"/calendars/{other}/default/", $"/principals/{other}/" })
        {
            using var response = await _client.SendAsync("PROPFIND", path, CurrentUserPrincipal, "0");
            Assert.That((int)response.StatusCode, Is.EqualTo(404), path);
        }
    }

    [Test]
    public async Task A_body_with_a_DTD_is_refused_unparsed()
    {
        using var response = await _client.SendAsync("PROPFIND", "/", """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol2;</D:displayname></D:prop></D:propfind>
            """, "0");
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("DTD"));
    }

    [Test]
    public async Task A_body_over_the_XML_limit_is_refused_with_413()
    {
        var padding = new string(' ', 1024 * 1024 + 1);
        using var response = await _client.SendAsync("PROPFIND", "/", $"<D:propfind xmlns:D=\"DAV:\">{padding}<D:allprop/></D:propfind>", "0");
        Assert.That((int)response.StatusCode, Is.EqualTo(413));
    }
}
