using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// Debian's vdirsyncer as a real client, over TLS with the node's certificate as the one it trusts:
/// discovery of the account's calendars from the bare server URL, then a two-way sync with a local
/// directory, in which an event made on the server arrives locally, and one made locally arrives on
/// the server; a change made on one side and a deletion made on the other follow on the next sync.
/// </summary>
public sealed class CalDavVdirsyncerTests
{
    private static string Event(string uid, string summary) =>
        CalendarObject("VEVENT", uid, $"DTSTART:20300310T090000Z\nDTEND:20300310T100000Z\nSUMMARY:{summary}");

    [Test]
    public async Task Vdirsyncer_discovers_and_syncs_both_ways()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var client = Client(node, login);
        var home = $"/calendars/{login}/default/";
        Assert.That((int)(await client.PutCalendarAsync(home + "from-server.ics", Event("from-server", "made on the server"))).StatusCode, Is.EqualTo(201));

        var directory = Directory.CreateTempSubdirectory("gwtest-vdirsyncer-").FullName;
        try
        {
            var local = Path.Combine(directory, "local");
            var config = Path.Combine(directory, "config");
            await File.WriteAllTextAsync(config, $"""
                [general]
                status_path = "{Path.Combine(directory, "status")}/"

                [pair calendars]
                a = "local"
                b = "server"
                collections = ["from b"]
                conflict_resolution = "b wins"

                [storage local]
                type = "filesystem"
                path = "{local}/"
                fileext = ".ics"

                [storage server]
                type = "caldav"
                url = "{BaseOf(node)}"
                username = "{login}"
                password = "{Password}"
                verify = "{node.Certificates!.CertificateFile}"
                """);

            await VdirsyncerAsync(config, "discover");
            Assert.That(Directory.Exists(Path.Combine(local, "default")) && Directory.Exists(Path.Combine(local, "tasks")), Is.True,
                "both calendars of the account were discovered");
            await VdirsyncerAsync(config, "sync");
            var pulled = Directory.GetFiles(Path.Combine(local, "default"), "*.ics");
            Assert.That(pulled, Has.Length.EqualTo(1));
            Assert.That(await File.ReadAllTextAsync(pulled[0]), Does.Contain("UID:from-server"));

            await File.WriteAllTextAsync(Path.Combine(local, "default", "from-local.ics"), Event("from-local", "made locally"));
            await File.WriteAllTextAsync(pulled[0], Event("from-server", "changed locally"));
            await VdirsyncerAsync(config, "sync");
            var changed = await client.GetAsync(home + "from-server.ics");
            Assert.That(await changed.Content.ReadAsStringAsync(), Does.Contain("SUMMARY:changed locally"));
            var onServer = Hrefs(await MultistatusAsync(await client.SendAsync("PROPFIND", home, """
                <d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>
                """, depth: "1")));
            var uploaded = onServer.Where(h => h != home).ToList();
            Assert.That(uploaded, Has.Count.EqualTo(2), string.Join(", ", onServer));

            var upload = uploaded.Single(h => !h.EndsWith("from-server.ics", StringComparison.Ordinal));
            Assert.That(await (await client.GetAsync(upload)).Content.ReadAsStringAsync(), Does.Contain("UID:from-local"));
            Assert.That((int)(await client.DeleteAsync(upload)).StatusCode, Is.EqualTo(204));
            await VdirsyncerAsync(config, "sync");
            Assert.That(Directory.GetFiles(Path.Combine(local, "default"), "*.ics").Select(f => File.ReadAllText(f).Contains("UID:from-local")),
                Is.EqualTo(new[] { false }), "the event deleted on the server is gone locally, the other one stays");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task VdirsyncerAsync(string config, string verb)
    {
        // discover asks before it creates a local collection; the answer is yes for each.
        var run = await ExternalProcess.RunAsync("vdirsyncer", ["-c", config, verb], standardInput: "y\ny\ny\ny\n", timeout: TimeSpan.FromSeconds(60));
        Assert.That(run.ExitCode, Is.Zero, $"vdirsyncer {verb}: {run}");
    }
}
