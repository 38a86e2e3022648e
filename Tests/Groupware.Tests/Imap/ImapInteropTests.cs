using System.Globalization;

namespace Groupware.Tests.Imap;

/// <summary>
/// Real IMAP clients against the server: Python's imaplib over STARTTLS, Debian's isync (mbsync)
/// syncing a Maildir both ways over IMAPS, fetchmail over IMAP with STARTTLS (and refused without),
/// and curl with --ssl-reqd (and giving up before sending a password without TLS).
/// </summary>
public sealed class ImapInteropTests
{
    private static TestNode _node = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("gwtest-imap-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private static string Port(string listener) => _node.EndPoint(listener).Port.ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task Pythons_imaplib_works_after_starttls()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("for imaplib", "text for imaplib"));
        var script = """
            import imaplib, ssl, sys
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=20)
            print('before:', ' '.join(sorted(m.capabilities)))
            m.starttls(ssl_context=context)
            print('after:', ' '.join(sorted(m.capabilities)))
            m.login(sys.argv[2], sys.argv[3])
            print('select:', m.select('INBOX'))
            typ, data = m.search(None, 'SUBJECT', '"for imaplib"')
            print('search:', data[0].decode())
            typ, data = m.fetch(data[0].split()[0], '(BODY.PEEK[TEXT] FLAGS)')
            print('text:', data[0][1].decode().strip())
            print('store:', m.store('1', '+FLAGS', '(\\Answered)')[0])
            print('create:', m.create('imaplib-box')[0])
            print('copy:', m.copy('1', 'imaplib-box')[0])
            print('list:', [l.decode() for l in m.list()[1] if b'imaplib-box' in l])
            m.logout()
            """;
        var result = await ExternalProcess.RunAsync("/usr/bin/python3", ["-c", script, Port("imap"), login, ImapFixture.Password]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var before = result.Output.Split('\n').First(l => l.StartsWith("before:", StringComparison.Ordinal));
        Assert.That(before, Does.Contain("STARTTLS").And.Contain("LOGINDISABLED").And.Not.Contain("AUTH="));
        Assert.That(result.Output, Does.Contain("after:").And.Contain("AUTH=PLAIN"));
        Assert.That(result.Output, Does.Contain("search: 1"));
        Assert.That(result.Output, Does.Contain("text: text for imaplib"));
        Assert.That(result.Output, Does.Contain("store: OK").And.Contain("create: OK").And.Contain("copy: OK"));
        Assert.That(result.Output, Does.Contain("\"/\" \"imaplib-box\""));
    }

    [Test]
    public async Task Mbsync_syncs_a_maildir_both_ways_over_IMAPS()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("from the server"));
        var mbsync = ExternalProcess.Require("mbsync");
        var maildir = Path.Combine(_directory, "Mail");
        Directory.CreateDirectory(maildir);
        var passwordFile = Path.Combine(_directory, "password");
        await File.WriteAllTextAsync(passwordFile, ImapFixture.Password);
        var rc = Path.Combine(_directory, "mbsyncrc");
        await File.WriteAllTextAsync(rc, $"""
            IMAPAccount test
            Host 127.0.0.1
            Port {Port("imaps")}
            User {login}
            PassCmd "cat {passwordFile}"
            SSLType IMAPS
            CertificateFile {_node.Certificates!.CertificateFile}
            Timeout 20

            IMAPStore remote
            Account test

            MaildirStore local
            Path {maildir}/
            Inbox {maildir}/INBOX
            SubFolders Verbatim

            Channel sync
            Far :remote:
            Near :local:
            Patterns INBOX Archive
            Create Both
            Expunge Both
            SyncState *

            """);
        var environment = new Dictionary<string, string> { ["HOME"] = _directory };
        var first = await ExternalProcess.RunAsync(mbsync, ["-c", rc, "-a"], timeout: TimeSpan.FromSeconds(60), environment: environment);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        var pulled = Directory.GetFiles(Path.Combine(maildir, "INBOX", "new")).Concat(Directory.GetFiles(Path.Combine(maildir, "INBOX", "cur"))).ToList();
        Assert.That(pulled, Has.Count.EqualTo(1));
        Assert.That(await File.ReadAllTextAsync(pulled[0]), Does.Contain("Subject: from the server"));

        // A message made locally goes up; the one pulled is marked read locally and its \Seen goes up too.
        var local = Path.Combine(maildir, "Archive", "cur", "1700000000.local:2,S");
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        await File.WriteAllTextAsync(local, "From: me@example.test\r\nSubject: from the laptop\r\n\r\nwritten offline\r\n");
        var second = await ExternalProcess.RunAsync(mbsync, ["-c", rc, "-a"], timeout: TimeSpan.FromSeconds(60), environment: environment);
        Assert.That(second.ExitCode, Is.Zero, second.ToString());

        await using var client = await ImapFixture.LogInAsync(_node, login);
        await ImapFixture.CommandAsync(client, "s1", "SELECT Archive");
        var search = await ImapFixture.CommandAsync(client, "s2", "SEARCH SUBJECT \"from the laptop\" SEEN");
        Assert.That(search[0], Is.EqualTo("* SEARCH 1"), string.Join("\n", search));
    }

    [Test]
    public async Task Fetchmail_over_STARTTLS_fetches_and_without_TLS_fails()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("for fetchmail over imap"));
        var clear = await FetchmailAsync(login, tls: false);
        Assert.That(clear.ExitCode, Is.Not.Zero.And.Not.EqualTo(1), clear.ToString());
        Assert.That(File.Exists(Mbox), Is.False, "nothing fetched in clear");

        var tls = await FetchmailAsync(login, tls: true);
        Assert.That(tls.ExitCode, Is.Zero, tls.ToString());
        Assert.That(await File.ReadAllTextAsync(Mbox), Does.Contain("Subject: for fetchmail over imap"));
    }

    [Test]
    public async Task Curl_lists_and_fetches_with_ssl_reqd_and_gives_up_without_TLS()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("for curl over imap"));
        var curl = ExternalProcess.Require("curl");
        var fetched = await ExternalProcess.RunAsync(curl, ["-sS", "--ssl-reqd", "-k", "--max-time", "20", "-u", $"{login}:{ImapFixture.Password}",
            $"imap://127.0.0.1:{Port("imap")}/INBOX;UID=1"]);
        Assert.That(fetched.ExitCode, Is.Zero, fetched.ToString());
        Assert.That(fetched.Output, Does.Contain("Subject: for curl over imap"));

        var listed = await ExternalProcess.RunAsync(curl, ["-sS", "-k", "--max-time", "20", "-u", $"{login}:{ImapFixture.Password}",
            $"imaps://127.0.0.1:{Port("imaps")}/"]);
        Assert.That(listed.ExitCode, Is.Zero, listed.ToString());
        Assert.That(listed.Output, Does.Contain("INBOX").And.Contain("Sent"));

        using var metrics = new MetricRecorder(_node);
        var clear = await ExternalProcess.RunAsync(curl, ["-sS", "--max-time", "20", "-u", $"{login}:{ImapFixture.Password}",
            $"imap://127.0.0.1:{Port("imap")}/INBOX;UID=1"]);
        Assert.That(clear.ExitCode, Is.Not.Zero, clear.ToString());
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused"), Is.Zero, "curl sent no password in clear: LOGINDISABLED");
    }

    private string Mbox => Path.Combine(_directory, "mbox");

    private async Task<ProcessResult> FetchmailAsync(string login, bool tls)
    {
        var rc = Path.Combine(_directory, "fetchmailrc");
        var security = tls ? "sslproto 'TLS1.2+' no sslcertck" : "sslproto ''";
        await File.WriteAllTextAsync(rc, $"""
            set no bouncemail
            set no syslog
            poll 127.0.0.1 with proto IMAP port {Port("imap")} timeout 20
              user "{login}" there with password "{ImapFixture.Password}" is "root" here
              options {security} fetchall
              mda "/bin/sh -c 'cat >> {Mbox}'"

            """);
        File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return await ExternalProcess.RunAsync(ExternalProcess.Require("fetchmail"), ["-f", rc, "-v", "--nodetach"],
            timeout: TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["HOME"] = _directory, ["FETCHMAILHOME"] = _directory });
    }
}
