using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// Debian's cadaver, a WebDAV command-line client, on the calendar home over HTTPS with the node's
/// self-signed certificate: driven on a pseudo-terminal (it asks whether to accept an untrusted
/// certificate, and for the password, only on a tty), it accepts the certificate, logs in with
/// Basic, lists the home's calendars, puts an event into the default calendar, lists and gets it
/// back, reads its properties, and deletes it.
/// </summary>
public sealed class CalDavCadaverTests
{
    private const string Prompt = @"dav:/[^>]*> $";

    [Test]
    public async Task Cadaver_accepts_the_certificate_logs_in_and_lists_puts_gets_propgets_and_deletes_an_event()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        var work = Directory.CreateTempSubdirectory("gwtest-cadaver-").FullName;
        try
        {
            var ical = CalendarObject("VEVENT", "cadaver-1", "DTSTART:20300110T100000Z\nDTEND:20300110T110000Z\nSUMMARY:put by cadaver");
            await File.WriteAllTextAsync(Path.Combine(work, "event.ics"), ical);
            var home = $"https://127.0.0.1:{node.EndPoint("caldav").Port}/calendars/{login}/";
            var run = await PseudoTerminal.RunAsync("cadaver", [home],
            [
                new TerminalStep("accept the certificate", "y"),
                new TerminalStep("Username: ", login),
                new TerminalStep("Password: ", Password),
                new TerminalStep(Prompt, "ls"),
                new TerminalStep(Prompt, "cd default"),
                new TerminalStep(Prompt, "put event.ics cadaver-1.ics"),
                new TerminalStep(Prompt, "ls"),
                new TerminalStep(Prompt, "get cadaver-1.ics back.ics"),
                new TerminalStep(Prompt, "propget cadaver-1.ics"),
                new TerminalStep(Prompt, "delete cadaver-1.ics"),
                new TerminalStep(Prompt, "ls"),
                new TerminalStep(Prompt, "quit"),
            ], TimeSpan.FromSeconds(15), new Dictionary<string, string> { ["HOME"] = work, ["TERM"] = "dumb", ["LANG"] = "C" }, work);

            var transcript = run.Output.Replace("\r", "", StringComparison.Ordinal);
            Assert.That(run.ExitCode, Is.Zero, transcript);
            var answers = transcript.Split(["dav:/calendars/" + login + "/> ", "dav:/calendars/" + login + "/default/> "], StringSplitOptions.None);
            Assert.That(answers, Has.Length.EqualTo(10), transcript);
            Assert.That(answers[1], Does.Contain("Coll:").And.Contain("default").And.Contain("tasks"), "ls of the home: " + transcript);
            Assert.That(answers[3], Does.Contain("Uploading event.ics to").And.Contain("succeeded"), transcript);
            Assert.That(answers[4], Does.Contain("cadaver-1.ics"), "ls of the calendar: " + transcript);
            Assert.That(answers[5], Does.Contain("succeeded"), transcript);
            Assert.That(await File.ReadAllTextAsync(Path.Combine(work, "back.ics")), Is.EqualTo(ical));
            Assert.That(answers[6], Does.Contain("getetag").And.Contain("getcontenttype"), "propget: " + transcript);
            Assert.That(answers[7], Does.Contain("Deleting").And.Contain("succeeded"), transcript);
            Assert.That(answers[8], Does.Not.Contain("cadaver-1.ics"), transcript);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
