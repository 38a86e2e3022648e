using System.Text.Json;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// Debian's python3-caldav as a real client, over TLS: discovery from the bare server URL, the
/// account's calendars, MKCALENDAR, events (one single, one weekly), a ranged search with expand,
/// todos in the tasks list, and incremental sync by sync token (RFC 6578). python-caldav expands
/// recurrences itself when a server does not (DESIGN.md); the server's own expansion is checked on
/// the raw REPORT by <see cref="CalDavRfc4791ExampleTests"/>.
/// </summary>
public sealed class CalDavPythonClientTests
{
    private const string Script = """
        import json, sys, os
        from datetime import datetime, timezone
        os.environ["PYTHON_CALDAV_DEBUGMODE"] = "PRODUCTION"
        import caldav
        url, user, password = sys.argv[1:4]
        client = caldav.DAVClient(url, username=user, password=password, ssl_verify_cert=False, timeout=20)
        client.session.trust_env = False
        principal = client.principal()
        out = {"principal": str(principal.url), "home": str(principal.calendar_home_set.url),
               "calendars": sorted(str(c.url) for c in principal.calendars())}
        cal = principal.make_calendar(name="Python", cal_id="python")
        out["made"] = str(cal.url)
        def ics(uid, start, end, summary, rrule=None, kind="VEVENT"):
            lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//python//EN", "BEGIN:" + kind, "UID:" + uid,
                     "DTSTAMP:20240101T000000Z", "DTSTART:" + start, ("DTEND:" if kind == "VEVENT" else "DUE:") + end, "SUMMARY:" + summary]
            if rrule: lines.append("RRULE:" + rrule)
            return "\r\n".join(lines + ["END:" + kind, "END:VCALENDAR", ""])
        cal.save_event(ics("single", "20300306T120000Z", "20300306T130000Z", "single"))
        cal.save_event(ics("weekly", "20300304T100000Z", "20300304T110000Z", "weekly", "FREQ=WEEKLY;COUNT=10"))
        cal.save_event(ics("outside", "20300501T090000Z", "20300501T100000Z", "outside"))
        found = cal.search(start=datetime(2030, 3, 4, tzinfo=timezone.utc), end=datetime(2030, 3, 25, tzinfo=timezone.utc), event=True, expand=True)
        out["search"] = sorted(o.icalendar_component["UID"] + "@" + o.icalendar_component["DTSTART"].dt.strftime("%Y%m%dT%H%M%SZ") for o in found)
        synced = cal.objects_by_sync_token(load_objects=False)
        token = synced.sync_token
        tasks = caldav.Calendar(client=client, url=[c for c in principal.calendars() if str(c.url).rstrip("/").endswith("/tasks")][0].url)
        tasks.save_todo(ics("todo", "20300305T090000Z", "20300305T170000Z", "todo", kind="VTODO"))
        out["todos"] = [str(t.icalendar_component["UID"]) for t in tasks.todos()]
        cal.event_by_uid("single").delete()
        cal.save_event(ics("later", "20300601T090000Z", "20300601T100000Z", "later"))
        updated, deleted = synced.sync()
        out["sync_updated"] = sorted(str(o.url).rsplit("/", 1)[1] for o in updated)
        out["sync_deleted"] = sorted(str(o.url).rsplit("/", 1)[1] for o in deleted)
        out["token_moved"] = synced.sync_token != token
        print(json.dumps(out))
        """;

    [Test]
    public async Task Python_caldav_discovers_saves_searches_syncs_and_keeps_todos()
    {
        // Debian's interpreter, where python3-caldav is installed (deploy/dev/test.sh), whatever else is on PATH.
        const string python = "/usr/bin/python3";
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        var run = await ExternalProcess.RunAsync(python, ["-c", Script, BaseOf(node).ToString(), login, Password], timeout: TimeSpan.FromSeconds(90));
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var result = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        var server = BaseOf(node).ToString().TrimEnd('/');
        Assert.That(root.GetProperty("principal").GetString(), Is.EqualTo($"{server}/principals/{login}/"));
        Assert.That(root.GetProperty("home").GetString(), Is.EqualTo($"{server}/calendars/{login}/"));
        Assert.That(root.GetProperty("calendars").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { $"{server}/calendars/{login}/default/", $"{server}/calendars/{login}/tasks/" }));
        Assert.That(root.GetProperty("made").GetString(), Is.EqualTo($"{server}/calendars/{login}/python/"));
        Assert.That(root.GetProperty("search").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[]
        {
            "single@20300306T120000Z", "weekly@20300304T100000Z", "weekly@20300311T100000Z", "weekly@20300318T100000Z",
        }));
        Assert.That(root.GetProperty("todos").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "todo" }));
        Assert.That(root.GetProperty("sync_updated").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "later.ics" }));
        Assert.That(root.GetProperty("sync_deleted").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "single.ics" }));
        Assert.That(root.GetProperty("token_moved").GetBoolean(), Is.True);
    }
}
