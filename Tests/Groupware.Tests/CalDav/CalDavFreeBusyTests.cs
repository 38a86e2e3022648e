using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// Free/busy across the accounts of one installation (RFC 4791 §7.10 with CALDAV:read-free-busy
/// for every user): another user's free-busy-query on a calendar answers its busy periods and
/// nothing else, while its objects stay hidden from that user (404).
/// </summary>
public sealed class CalDavFreeBusyTests
{
    [Test]
    public async Task Another_user_sees_the_busy_periods_of_a_calendar_and_no_details()
    {
        await using var node = await StartSecureNodeAsync();
        var owner = await CreateAccountAsync();
        var colleague = await CreateAccountAsync();
        using var ownerClient = Client(node, owner);
        using var colleagueClient = Client(node, colleague);
        var calendar = $"/calendars/{owner}/default/";
        foreach (var (uid, start, extra) in new[] { ("busy", "20300304T100000Z", ""), ("tentative", "20300304T140000Z", "STATUS:TENTATIVE\n"),
                     ("free", "20300304T160000Z", "TRANSP:TRANSPARENT\n") })
        {
            using var put = await ownerClient.PutCalendarAsync(calendar + uid + ".ics",
                CalendarObject("VEVENT", uid, $"DTSTART:{start}\nDURATION:PT1H\n{extra}SUMMARY:secret {uid}"));
            Assert.That((int)put.StatusCode, Is.EqualTo(201));
        }

        const string query = """
            <C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20300304T000000Z" end="20300305T000000Z"/></C:free-busy-query>
            """;
        using var response = await colleagueClient.SendAsync("REPORT", calendar, query, "1");
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text.Split("\r\n").Where(l => l.StartsWith("FREEBUSY", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            "FREEBUSY:20300304T100000Z/20300304T110000Z",
            "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20300304T140000Z/20300304T150000Z",
        }));
        Assert.That(text, Does.Not.Contain("secret").And.Not.Contain("UID:"));

        using var details = await colleagueClient.SendAsync("REPORT", calendar, """
            <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
              <D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>
            </C:calendar-query>
            """, "1");
        Assert.That((int)details.StatusCode, Is.EqualTo(404));
        using var get = await colleagueClient.GetAsync(calendar + "busy.ics");
        Assert.That((int)get.StatusCode, Is.EqualTo(404));
        using var nobody = await colleagueClient.SendAsync("REPORT", "/calendars/nobody-here/default/", query, "1");
        Assert.That((int)nobody.StatusCode, Is.EqualTo(404));
    }
}
