using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Calendar;
using Groupware.Tests.Imap;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

namespace Groupware.Tests.Cli;

/// <summary>
/// <c>groupware import ...</c> through the real executable. The Maildir comes from Debian's Dovecot:
/// mail delivered over its LMTP, flags, keywords, folders and subscriptions set over its IMAP, then
/// imported; our IMAP must then answer what Dovecot answered (UIDVALIDITY, UIDNEXT, UIDs, flags,
/// keywords, bodies), and a second import must change nothing.
/// </summary>
public sealed class ImportCommandTests
{
    private const string DovecotPassword = "dovecot side password";

    private TestCertificates _certificates = null!;
    private DovecotPeer _dovecot = null!;
    private TestNode _node = null!;
    private string _directory = null!;
    private string _config = null!;

    /// <summary>One folder as a client caches it: its UIDVALIDITY, UIDNEXT and each message's UID, flags, keywords and body digest.</summary>
    private sealed record FolderState(string Name, uint UidValidity, uint UidNext, IReadOnlyList<string> Messages);

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        await (await TestDatabase.OpenAsync()).DisposeAsync();
        _certificates = new TestCertificates();
        _dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions
        {
            DisablePlaintextAuth = false,
            Users = new Dictionary<string, string> { ["mig1"] = DovecotPassword, ["mig2"] = DovecotPassword, ["mig3"] = DovecotPassword },
        });
        _node = await ImapFixture.StartSecureNodeAsync(n => n.Certificates = _certificates);
        _directory = Directory.CreateTempSubdirectory("gwtest-import-").FullName;
        _config = Path.Combine(_directory, "groupware.json");
        await File.WriteAllTextAsync(_config, new JsonObject
        {
            ["Node"] = new JsonObject { ["Name"] = "import1" },
            ["Database"] = new JsonObject { ["ConnectionString"] = TestDatabase.ConnectionString },
            ["Tls"] = new JsonObject { ["CertificateFile"] = _certificates.CertificateFile, ["KeyFile"] = _certificates.KeyFile },
        }.ToJsonString());
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        await _node.DisposeAsync();
        await _dovecot.DisposeAsync();
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<ProcessResult> GroupwareAsync(params string[] arguments) =>
        ExternalProcess.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, .. arguments, "--config", _config],
            timeout: TimeSpan.FromSeconds(120));

    [Test]
    public async Task A_Dovecot_maildir_is_imported_with_its_UIDs_flags_keywords_folders_and_subscriptions_and_a_second_run_changes_nothing()
    {
        await LmtpSender.DeliverAsync(_dovecot.Lmtp, "mig1", 6, i => Encoding.ASCII.GetBytes(
            $"From: a@example.net\r\nTo: mig1@example.test\r\nSubject: message {i}\r\nMessage-ID: <m{i}@example.net>\r\n\r\nbody {i}\r\n.\r\n"));
        using (var dovecot = await DovecotAsync("mig1"))
        {
            var inbox = dovecot.Inbox;
            await inbox.OpenAsync(FolderAccess.ReadWrite);
            await inbox.AddFlagsAsync(new UniqueId(1), MessageFlags.Seen, true);
            await inbox.AddFlagsAsync(new UniqueId(2), MessageFlags.Flagged | MessageFlags.Answered, true);
            await inbox.AddFlagsAsync(new UniqueId(3), MessageFlags.None, new HashSet<string> { "$Forwarded", "Work" }, true);
            await inbox.AddFlagsAsync(new UniqueId(4), MessageFlags.None, new HashSet<string> { "Work" }, true);
            await inbox.AddFlagsAsync(new UniqueId(5), MessageFlags.Deleted, true);
            await inbox.ExpungeAsync();
            await inbox.AddFlagsAsync(new UniqueId(6), MessageFlags.Draft, true);

            var root = dovecot.GetFolder(dovecot.PersonalNamespaces[0]);
            var projects = await root.CreateAsync("Projects", true) ?? throw new AssertionException("CREATE Projects");
            var year = await projects.CreateAsync("2024", true) ?? throw new AssertionException("CREATE Projects.2024");
            var umlaut = await root.CreateAsync("Entwürfe", true) ?? throw new AssertionException("CREATE Entwürfe");
            await projects.SubscribeAsync();
            await umlaut.SubscribeAsync();
            await year.AppendAsync(new MimeKit.MimeMessage(
                [new MimeKit.MailboxAddress("", "b@example.net")], [new MimeKit.MailboxAddress("", "mig1@example.test")], "in 2024",
                new MimeKit.TextPart("plain") { Text = "nested" }), MessageFlags.Seen);
            await umlaut.AppendAsync(new MimeKit.MimeMessage(
                [new MimeKit.MailboxAddress("", "c@example.net")], [new MimeKit.MailboxAddress("", "mig1@example.test")], "Entwurf",
                new MimeKit.TextPart("plain") { Text = "draft" }), MessageFlags.Draft);
            await dovecot.DisconnectAsync(true);
        }

        List<FolderState> expected;
        using (var dovecot = await DovecotAsync("mig1"))
        {
            expected = await StateAsync(dovecot, ["INBOX", "Projects", "Projects.2024", "Entwürfe"]);
            await dovecot.DisconnectAsync(true);
        }

        Assert.That(expected[0].Messages, Has.Count.EqualTo(5), "Dovecot's INBOX after the expunge");
        var login = await ImapFixture.CreateAccountAsync();
        var first = await GroupwareAsync("import", "maildir", "--user", login, _dovecot.MaildirOf("mig1"));
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        Assert.That(first.Output, Does.Contain("INBOX: 5 imported, 0 already there"));
        Assert.That(first.Output, Does.Contain("Projects/2024: 1 imported"));

        using (var ours = await ImapFixture.MailKitAsync(_node, login))
        {
            var actual = await StateAsync(ours, ["INBOX", "Projects", "Projects/2024", "Entwürfe"]);
            AssertSameAsDovecot(actual, expected);
            var subscribed = (await ours.GetFoldersAsync(ours.PersonalNamespaces[0], StatusItems.None, subscribedOnly: true)).Select(f => f.FullName).ToList();
            Assert.That(subscribed, Does.Contain("Projects").And.Contain("Entwürfe"));
            await ours.DisconnectAsync(true);
        }

        var second = await GroupwareAsync("import", "maildir", "--user", login, _dovecot.MaildirOf("mig1"));
        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(second.Output, Does.Contain("INBOX: 0 imported, 5 already there"));
        using (var ours = await ImapFixture.MailKitAsync(_node, login))
        {
            AssertSameAsDovecot(await StateAsync(ours, ["INBOX", "Projects", "Projects/2024", "Entwürfe"]), expected);
            await ours.DisconnectAsync(true);
        }
    }

    [Test]
    public async Task Mbsync_synced_with_Dovecot_finds_nothing_new_on_the_imported_account()
    {
        await LmtpSender.DeliverAsync(_dovecot.Lmtp, "mig3", 4, i => Encoding.ASCII.GetBytes(
            $"From: a@example.net\r\nSubject: synced {i}\r\nMessage-ID: <s{i}@example.net>\r\n\r\nbody {i}\r\n.\r\n"));
        using (var dovecot = await DovecotAsync("mig3"))
        {
            await dovecot.Inbox.OpenAsync(FolderAccess.ReadWrite);
            await dovecot.Inbox.AddFlagsAsync(new UniqueId(2), MessageFlags.Seen | MessageFlags.Flagged, true);
            await dovecot.Inbox.AddFlagsAsync(new UniqueId(3), MessageFlags.Deleted, true);
            await dovecot.Inbox.ExpungeAsync();
            var projects = await dovecot.GetFolder(dovecot.PersonalNamespaces[0]).CreateAsync("Projects", true)
                ?? throw new AssertionException("CREATE Projects");
            await projects.AppendAsync(new MimeKit.MimeMessage(
                [new MimeKit.MailboxAddress("", "b@example.net")], [new MimeKit.MailboxAddress("", "mig3@example.test")], "project",
                new MimeKit.TextPart("plain") { Text = "project mail" }), MessageFlags.Seen);
            await dovecot.DisconnectAsync(true);
        }

        var home = Directory.CreateTempSubdirectory("gwtest-mbsync-").FullName;
        try
        {
            var maildir = Path.Combine(home, "Mail");
            Directory.CreateDirectory(maildir);
            var mbsync = ExternalProcess.Require("mbsync");
            var environment = new Dictionary<string, string> { ["HOME"] = home };
            var dovecotRc = await MbsyncConfigAsync(home, "dovecot", maildir, _dovecot.Imap.Port, "mig3", DovecotPassword, tls: false);
            var fromDovecot = await ExternalProcess.RunAsync(mbsync, ["-c", dovecotRc, "-a"], timeout: TimeSpan.FromSeconds(60), environment: environment);
            Assert.That(fromDovecot.ExitCode, Is.Zero, fromDovecot.ToString());
            var pulled = MaildirFiles(maildir);
            Assert.That(pulled.Count(f => f.Contains("/INBOX/", StringComparison.Ordinal)), Is.EqualTo(3));
            Assert.That(pulled.Count(f => f.Contains("/Projects/", StringComparison.Ordinal)), Is.EqualTo(1));

            var login = await ImapFixture.CreateAccountAsync();
            var import = await GroupwareAsync("import", "maildir", "--user", login, _dovecot.MaildirOf("mig3"));
            Assert.That(import.ExitCode, Is.Zero, import.ToString());

            // The same local state, now against our node: same UIDVALIDITY and UIDs, so nothing to pull again.
            var oursRc = await MbsyncConfigAsync(home, "ours", maildir, _node.EndPoint("imaps").Port, login, ImapFixture.Password, tls: true);
            var fromOurs = await ExternalProcess.RunAsync(mbsync, ["-c", oursRc, "-a"], timeout: TimeSpan.FromSeconds(60), environment: environment);
            Assert.That(fromOurs.ExitCode, Is.Zero, fromOurs.ToString());
            Assert.That(fromOurs.All, Does.Not.Contain("UIDVALIDITY"), fromOurs.ToString());
            Assert.That(MaildirFiles(maildir), Is.EquivalentTo(pulled), "mbsync fetched nothing and changed no flag");
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Test]
    public async Task A_folder_that_already_holds_mail_under_another_UIDVALIDITY_is_refused_and_left_alone()
    {
        await LmtpSender.DeliverAsync(_dovecot.Lmtp, "mig2", 1, Encoding.ASCII.GetBytes(
            "From: a@example.net\r\nSubject: dovecot side\r\n\r\nbody\r\n.\r\n"));
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("already here"));
        var result = await GroupwareAsync("import", "maildir", "--user", login, _dovecot.MaildirOf("mig2"));
        Assert.That(result.ExitCode, Is.EqualTo(65), result.ToString());
        Assert.That(result.Error, Does.Contain("INBOX: already holds messages under UIDVALIDITY"));
        using var ours = await ImapFixture.MailKitAsync(_node, login);
        await ours.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.That(ours.Inbox.Count, Is.EqualTo(1), "the delivered message only");
    }

    [Test]
    public async Task A_directory_that_is_not_a_maildir_and_an_unknown_user_are_named()
    {
        var login = await ImapFixture.CreateAccountAsync();
        var notMaildir = await GroupwareAsync("import", "maildir", "--user", login, _directory);
        Assert.That(notMaildir.ExitCode, Is.EqualTo(65), notMaildir.ToString());
        Assert.That(notMaildir.Error, Does.Contain("is not a Maildir"));
        var maildir = Directory.CreateDirectory(Path.Combine(_directory, "Maildir-of-nobody", "cur")).Parent!.FullName;
        var unknown = await GroupwareAsync("import", "maildir", "--user", "nobody-" + Guid.NewGuid().ToString("N")[..8], maildir);
        Assert.That(unknown.ExitCode, Is.EqualTo(67), unknown.ToString());
    }

    [Test]
    public async Task A_passwd_file_creates_accounts_that_log_in_with_their_Dovecot_hashes_and_a_second_run_creates_none()
    {
        var user = $"imp{Guid.NewGuid():N}"[..12];
        var hash = (await ExternalProcess.RunAsync("openssl", ["passwd", "-6", "-salt", "importsalt", "imported password"])).Output.Trim();
        var file = Path.Combine(_directory, $"passwd-{user}");
        await File.WriteAllTextAsync(file,
            $"# Dovecot passwd-file\n{user}@example.org:{{SHA512-CRYPT}}{hash}::::::\n{user}b:{{PLAIN}}plain password::::::\n" +
            $"{user}c:{{MD5-CRYPT}}$1$abc$def::::::\n");

        var first = await GroupwareAsync("import", "passwd-file", file, "--domain", "example.org");
        Assert.That(first.ExitCode, Is.EqualTo(65), "one line has a scheme this server does not verify: " + first);
        Assert.That(first.Output, Does.Contain("2 accounts created, 0 existing ones left as they are"));
        Assert.That(first.Error, Does.Contain($":4: {user}c: the password scheme is not one this server verifies"));

        foreach (var (login, password) in new[] { ($"{user}@example.org", "imported password"), ($"{user}b", "plain password") })
        {
            using var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 15000 };
            var endPoint = _node.EndPoint("imaps");
            await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync(login, password);
            Assert.That(client.IsAuthenticated, Is.True, login);
            await client.DisconnectAsync(true);
        }

        var second = await GroupwareAsync("import", "passwd-file", file, "--domain", "example.org");
        // The logins above upgraded both hashes; a second run keeps them (the user may have changed the password since).
        Assert.That(second.Output, Does.Contain("0 accounts created, 2 existing ones left as they are, 0 given the file's password hash"),
            second.ToString());
    }

    [Test]
    public async Task An_iCalendar_file_fills_a_calendar_one_object_per_UID_and_a_second_run_changes_nothing()
    {
        var login = await ImapFixture.CreateAccountAsync();
        var file = Path.Combine(_directory, $"export-{Guid.NewGuid():N}.ics");
        // A recurring event with an override (one object), a plain event and a task; a component without UID is skipped.
        await File.WriteAllTextAsync(file, string.Join("\r\n",
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//export//test//EN",
            "BEGIN:VEVENT", "UID:weekly@example.org", "DTSTAMP:20260101T000000Z", "DTSTART:20260105T090000Z", "DURATION:PT1H",
            "RRULE:FREQ=WEEKLY;COUNT=4", "SUMMARY:Weekly", "END:VEVENT",
            "BEGIN:VEVENT", "UID:weekly@example.org", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID:20260112T090000Z",
            "DTSTART:20260112T100000Z", "DURATION:PT1H", "SUMMARY:Weekly, moved", "END:VEVENT",
            "BEGIN:VEVENT", "UID:once@example.org", "DTSTAMP:20260101T000000Z", "DTSTART:20260201T120000Z", "DURATION:PT30M",
            "SUMMARY:Once", "END:VEVENT",
            "BEGIN:VTODO", "UID:task@example.org", "DTSTAMP:20260101T000000Z", "SUMMARY:Task", "END:VTODO",
            "BEGIN:VEVENT", "DTSTAMP:20260101T000000Z", "DTSTART:20260301T120000Z", "SUMMARY:No UID", "END:VEVENT",
            "END:VCALENDAR", ""));

        var first = await GroupwareAsync("import", "ics", "--user", login, "--calendar", "imported", file);
        Assert.That(first.ExitCode, Is.EqualTo(65), "the component without UID is named: " + first);
        Assert.That(first.Output, Does.Contain("imported: 3 added, 0 replaced, 0 unchanged, 1 skipped"), first.ToString());
        Assert.That(first.Error, Does.Contain("components without a UID; skipped"));

        await using var dataSource = Database.CreateDataSource(TestDatabase.ConnectionString, "test");
        var account = await new AccountStore(dataSource).FindByLoginAsync(login, CancellationToken.None);
        var calendars = new CalendarStore(dataSource);
        var calendar = await calendars.FindCalendarAsync(account!.Id, "imported", CancellationToken.None);
        var objects = await calendars.ListObjectsAsync(account.Id, calendar!.Id, CancellationToken.None);
        Assert.That(objects.Select(o => $"{o.Name} {o.Component}").Order(StringComparer.Ordinal), Is.EqualTo(new[]
        {
            "once@example.org.ics VEVENT", "task@example.org.ics VTODO", "weekly@example.org.ics VEVENT",
        }));
        var weekly = await calendars.GetObjectAsync(account.Id, calendar.Id, "weekly@example.org.ics", CancellationToken.None);
        Assert.That(weekly!.Ical, Does.Contain("RECURRENCE-ID:20260112T090000Z"), "the override stays with its master");

        var second = await GroupwareAsync("import", "ics", "--user", login, "--calendar", "imported", file);
        Assert.That(second.Output, Does.Contain("imported: 0 added, 0 replaced, 3 unchanged, 1 skipped"), second.ToString());
        var after = await calendars.FindCalendarAsync(account.Id, "imported", CancellationToken.None);
        Assert.That(after!.Revision, Is.EqualTo(calendar.Revision), "nothing written the second time");
    }

    /// <summary>An mbsync channel pulling INBOX and Projects from one server into <paramref name="maildir"/>, keeping its state there.</summary>
    private async Task<string> MbsyncConfigAsync(string home, string name, string maildir, int port, string user, string password, bool tls)
    {
        var passwordFile = Path.Combine(home, name + ".pw");
        await File.WriteAllTextAsync(passwordFile, password);
        var rc = Path.Combine(home, name + ".mbsyncrc");
        await File.WriteAllTextAsync(rc, $"""
            IMAPAccount far
            Host 127.0.0.1
            Port {port}
            User {user}
            PassCmd "cat {passwordFile}"
            SSLType {(tls ? "IMAPS\nCertificateFile " + _certificates.CertificateFile : "None")}
            Timeout 20

            IMAPStore far
            Account far

            MaildirStore near
            Path {maildir}/
            Inbox {maildir}/INBOX
            SubFolders Verbatim

            Channel pull
            Far :far:
            Near :near:
            Patterns INBOX Projects
            Create Near
            Sync Pull
            SyncState *

            """);
        return rc;
    }

    /// <summary>Every message file of the local Maildir, by path relative to it (flags included in the name).</summary>
    private static List<string> MaildirFiles(string maildir) =>
        [.. Directory.GetFiles(maildir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) is "cur" or "new")
            .Select(f => "/" + Path.GetRelativePath(maildir, f)).Order(StringComparer.Ordinal)];

    private async Task<ImapClient> DovecotAsync(string user)
    {
        var client = new ImapClient { Timeout = 15000 };
        await client.ConnectAsync(_dovecot.Imap.Address.ToString(), _dovecot.Imap.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, DovecotPassword);
        return client;
    }

    private static async Task<List<FolderState>> StateAsync(ImapClient client, IReadOnlyList<string> names)
    {
        var states = new List<FolderState>();
        foreach (var name in names)
        {
            var folder = await client.GetFolderAsync(name);
            await folder.OpenAsync(FolderAccess.ReadOnly);
            var messages = new List<string>();
            var uids = await folder.SearchAsync(SearchQuery.All);
            foreach (var summary in await folder.FetchAsync(uids, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags))
            {
                using var body = await folder.GetStreamAsync(summary.UniqueId, "");
                var digest = Convert.ToHexString(await SHA256.HashDataAsync(body))[..16];
                var flags = (summary.Flags ?? MessageFlags.None) & ~MessageFlags.Recent;
                messages.Add($"{summary.UniqueId.Id} {flags} [{string.Join(' ', summary.Keywords.Order(StringComparer.Ordinal))}] {digest}");
            }

            states.Add(new FolderState(name, folder.UidValidity, folder.UidNext?.Id ?? 0, messages));
            await folder.CloseAsync();
        }

        return states;
    }

    private static void AssertSameAsDovecot(List<FolderState> actual, List<FolderState> expected)
    {
        Assert.That(actual.Select(s => s with { Name = "" }), Is.EqualTo(expected.Select(s => s with { Name = "" })).Using<FolderState>(
            (a, b) => a.UidValidity == b.UidValidity && a.UidNext == b.UidNext && a.Messages.SequenceEqual(b.Messages)),
            "ours:\n" + Describe(actual) + "\nDovecot:\n" + Describe(expected));
    }

    private static string Describe(List<FolderState> states) =>
        string.Join("\n", states.Select(s => $"{s.Name} V{s.UidValidity} N{s.UidNext}: {string.Join("; ", s.Messages)}"));
}
