using System.Xml.Linq;
using System.Text;
using Dapper;
using Npgsql;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// The quota of RFC 4331 on the calendar home and each calendar: DAV:quota-used-bytes is the
/// account's whole usage, mail and calendar data together (one quota per account, as IMAP's QUOTA
/// reports it), DAV:quota-available-bytes what is left of it, absent without a quota; neither is
/// part of allprop. A write that would pass the quota is 507 with DAV:quota-not-exceeded (§6) and
/// changes nothing; deletes give the octets back.
/// </summary>
public sealed class CalDavQuotaTests
{
    private static TestNode _node = null!;
    private static NpgsqlDataSource _data = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await StartSecureNodeAsync(n => n.Listener("lmtp", "lmtp", "none"));
        _data = await TestDatabase.OpenAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _data.DisposeAsync();
        await _node.DisposeAsync();
    }

    private static string Event(string uid, int descriptionLength = 0) =>
        CalendarObject("VEVENT", uid, "DTSTART:20300110T100000Z\nDTEND:20300110T110000Z" + (descriptionLength > 0 ? "\nDESCRIPTION:" + new string('x', descriptionLength) : ""));

    private static int Octets(string text) => Encoding.UTF8.GetByteCount(text);

    private static async Task SetQuotaAsync(string login, long? bytes)
    {
        await using var connection = await _data.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE accounts SET quota_bytes = @bytes WHERE login = @login", new { login, bytes });
    }

    private static async Task<long> StoredUsageAsync(string login)
    {
        await using var connection = await _data.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT used_bytes FROM accounts WHERE login = @login", new { login });
    }

    /// <summary>The two properties of one resource from a PROPFIND naming them; null for one answered 404.</summary>
    private static async Task<(long? Available, long? Used)> QuotaAsync(HttpClient client, string href)
    {
        using var response = await client.SendAsync("PROPFIND", href, """
            <D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>
            """, "0");
        var multistatus = await MultistatusAsync(response);
        var available = Property(multistatus, href, Dav + "quota-available-bytes");
        var used = Property(multistatus, href, Dav + "quota-used-bytes");
        return (available is null ? null : long.Parse(available.Value, System.Globalization.CultureInfo.InvariantCulture),
            used is null ? null : long.Parse(used.Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Test]
    public async Task Home_and_calendars_report_the_account_wide_usage_mail_included_and_what_is_left()
    {
        var login = await CreateAccountAsync();
        await SetQuotaAsync(login, 100_000);
        using var client = Client(_node, login);
        var home = $"/calendars/{login}/";
        Assert.That(await QuotaAsync(client, home), Is.EqualTo(((long?)100_000, (long?)0)));

        var ical = Event("q1");
        using (var put = await client.PutCalendarAsync(home + "default/q1.ics", ical))
        {
            Assert.That((int)put.StatusCode, Is.EqualTo(201));
        }

        Assert.That(await QuotaAsync(client, home + "default/"), Is.EqualTo(((long?)(100_000 - Octets(ical)), (long?)Octets(ical))));

        await LmtpSender.DeliverAsync(_node.EndPoint("lmtp"), $"{login}@example.test", 1, LmtpSender.Message(2000));
        var used = await StoredUsageAsync(login);
        Assert.That(used, Is.GreaterThan(Octets(ical) + 2000), "the delivered message counts in the same figure");
        foreach (var href in new[] { home, home + "default/", home + "tasks/" })
        {
            Assert.That(await QuotaAsync(client, href), Is.EqualTo(((long?)(100_000 - used), (long?)used)), href);
        }
    }

    [Test]
    public async Task Without_a_quota_the_usage_is_given_and_the_available_octets_are_not_and_allprop_has_neither()
    {
        var login = await CreateAccountAsync();
        using var client = Client(_node, login);
        var calendar = $"/calendars/{login}/default/";
        Assert.That(await QuotaAsync(client, calendar), Is.EqualTo(((long?)null, (long?)0)));

        using var response = await client.SendAsync("PROPFIND", calendar, """
            <D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/></D:prop></D:propfind>
            """, "0");
        var missing = (await MultistatusAsync(response)).Descendants(Dav + "propstat")
            .Single(p => p.Element(Dav + "prop")!.Element(Dav + "quota-available-bytes") is not null);
        Assert.That(missing.Element(Dav + "status")!.Value, Does.Contain(" 404 "));

        using var all = await client.SendAsync("PROPFIND", calendar, """<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>""", "0");
        var allText = (await MultistatusAsync(all)).ToString();
        Assert.That(allText, Does.Not.Contain("quota-used-bytes"));

        using var names = await client.SendAsync("PROPFIND", calendar, """<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>""", "0");
        var nameList = (await MultistatusAsync(names)).Descendants(Dav + "prop").Elements().Select(e => e.Name).ToList();
        Assert.That(nameList, Does.Contain(Dav + "quota-used-bytes").And.Contain(Dav + "quota-available-bytes"));
    }

    [Test]
    public async Task A_PUT_or_COPY_past_the_quota_is_507_quota_not_exceeded_and_stores_nothing_and_DELETE_gives_the_octets_back()
    {
        var login = await CreateAccountAsync();
        var small = Event("small");
        await SetQuotaAsync(login, Octets(small) + 100);
        using var client = Client(_node, login);
        var calendar = $"/calendars/{login}/default/";
        using (var put = await client.PutCalendarAsync(calendar + "small.ics", small))
        {
            Assert.That((int)put.StatusCode, Is.EqualTo(201));
        }

        using (var over = await client.PutCalendarAsync(calendar + "big.ics", Event("big")))
        {
            Assert.That((int)over.StatusCode, Is.EqualTo(507));
            Assert.That(await PreconditionAsync(over), Is.EqualTo(Dav + "quota-not-exceeded"));
        }

        using (var get = await client.GetAsync(calendar + "big.ics"))
        {
            Assert.That((int)get.StatusCode, Is.EqualTo(404), "nothing of the refused PUT is stored");
        }

        Assert.That(await StoredUsageAsync(login), Is.EqualTo(Octets(small)));

        // Replacing counts only the difference: 100 octets more fit, 101 do not.
        var grown = Event("small", 100 - "\r\nDESCRIPTION:".Length);
        using (var replaced = await client.PutCalendarAsync(calendar + "small.ics", grown))
        {
            Assert.That((int)replaced.StatusCode, Is.EqualTo(204), "exactly at the quota");
        }

        using (var tooMuch = await client.PutCalendarAsync(calendar + "small.ics", Event("small", 101 - "\r\nDESCRIPTION:".Length)))
        {
            Assert.That((int)tooMuch.StatusCode, Is.EqualTo(507));
        }

        using (var copy = await client.SendAsync("COPY", calendar + "small.ics", headers: ("Destination", $"/calendars/{login}/tasks/copy.ics")))
        {
            Assert.That((int)copy.StatusCode, Is.AnyOf(403, 507), "the tasks list takes no VEVENT, and the quota no copy");
        }

        var work = $"/calendars/{login}/work/";
        using (var made = await client.SendAsync("MKCALENDAR", work))
        {
            Assert.That((int)made.StatusCode, Is.EqualTo(201));
        }

        using (var copy = await client.SendAsync("COPY", calendar + "small.ics", headers: ("Destination", work + "copy.ics")))
        {
            Assert.That((int)copy.StatusCode, Is.EqualTo(507));
            Assert.That(await PreconditionAsync(copy), Is.EqualTo(Dav + "quota-not-exceeded"));
        }

        using (var move = await client.SendAsync("MOVE", calendar + "small.ics", headers: ("Destination", work + "moved.ics")))
        {
            Assert.That((int)move.StatusCode, Is.EqualTo(201), "a MOVE adds nothing");
        }

        Assert.That(await StoredUsageAsync(login), Is.EqualTo(Octets(grown)));
        using (var deleted = await client.DeleteAsync(work + "moved.ics"))
        {
            Assert.That((int)deleted.StatusCode, Is.EqualTo(204));
        }

        Assert.That(await StoredUsageAsync(login), Is.Zero);
    }

    [Test]
    public async Task A_whole_calendar_PUT_past_the_quota_is_507_and_changes_nothing()
    {
        var login = await CreateAccountAsync();
        await SetQuotaAsync(login, 1000);
        using var client = Client(_node, login);
        var feed = $"/ical/{login}/default";
        string Body(params string[] uids) => ICalendarText(string.Join('\n', new[] { "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//groupware tests//EN" }
            .Concat(uids.SelectMany(u => new[] { "BEGIN:VEVENT", $"UID:{u}", "DTSTAMP:20240101T000000Z", "DTSTART:20300110T100000Z", $"DESCRIPTION:{new string('x', 300)}", "END:VEVENT" }))
            .Append("END:VCALENDAR")));
        using (var fits = await client.PutCalendarAsync(feed, Body("f1", "f2")))
        {
            Assert.That((int)fits.StatusCode, Is.EqualTo(200), await fits.Content.ReadAsStringAsync());
        }

        var used = await StoredUsageAsync(login);
        Assert.That(used, Is.InRange(600, 1000));
        using (var over = await client.PutCalendarAsync(feed, Body("f1", "f2", "f3", "f4")))
        {
            Assert.That((int)over.StatusCode, Is.EqualTo(507));
            Assert.That(await PreconditionAsync(over), Is.EqualTo(Dav + "quota-not-exceeded"));
        }

        Assert.That(await StoredUsageAsync(login), Is.EqualTo(used), "nothing of the refused upload is stored");

        // The whole upload counts at once: replacing both with one fits.
        using (var smaller = await client.PutCalendarAsync(feed, Body("f3")))
        {
            Assert.That((int)smaller.StatusCode, Is.EqualTo(200));
        }

        Assert.That(await StoredUsageAsync(login), Is.LessThan(used));
    }

    [Test]
    public async Task Deleting_a_calendar_gives_its_octets_back()
    {
        var login = await CreateAccountAsync();
        using var client = Client(_node, login);
        var work = $"/calendars/{login}/work/";
        using (var made = await client.SendAsync("MKCALENDAR", work))
        {
            Assert.That((int)made.StatusCode, Is.EqualTo(201));
        }

        foreach (var uid in new[] { "a", "b", "c" })
        {
            using var put = await client.PutCalendarAsync(work + uid + ".ics", Event(uid, 500));
            Assert.That((int)put.StatusCode, Is.EqualTo(201));
        }

        Assert.That(await StoredUsageAsync(login), Is.EqualTo(3 * Octets(Event("a", 500))));
        using (var deleted = await client.DeleteAsync(work))
        {
            Assert.That((int)deleted.StatusCode, Is.EqualTo(204));
        }

        Assert.That(await StoredUsageAsync(login), Is.Zero);
    }
}
