using System.Globalization;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace Groupware.Tests.Pop3;

/// <summary>
/// Real POP3 clients against the server (issue #4, Must show): MailKit, Python's poplib, curl and
/// Debian's fetchmail — over STLS and implicit TLS on a secure node, and fetchmail as the printer
/// on a legacy node. Without TLS on a secure node they fail, and curl does so before sending a
/// password because nothing is offered.
/// </summary>
public sealed class Pop3InteropTests
{
    private static TestNode _secure = null!;
    private static TestNode _legacy = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _secure = await Pop3Fixture.StartSecureNodeAsync();
        _legacy = await Pop3Fixture.StartLegacyNodeAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _secure.DisposeAsync();
        await _legacy.DisposeAsync();
    }

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("gwtest-pop3-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [TestCase(SecureSocketOptions.StartTls, "pop3")]
    [TestCase(SecureSocketOptions.SslOnConnect, "pop3s")]
    public async Task MailKit_fetches_and_deletes_over_TLS(SecureSocketOptions tls, string listener)
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_secure, login, Pop3Fixture.Message("for MailKit", "body\r\n.leading dot"));
        using var client = new Pop3Client { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _secure.EndPoint(listener).Port, tls);
        await client.AuthenticateAsync(login, Pop3Fixture.Password);
        Assert.That(client.Count, Is.EqualTo(1));
        var message = await client.GetMessageAsync(0);
        Assert.That(message.Subject, Is.EqualTo("for MailKit"));
        Assert.That(message.TextBody, Does.Contain("\n.leading dot"));
        var uids = await client.GetMessageUidsAsync();
        Assert.That(uids, Has.Count.EqualTo(1));
        await client.DeleteMessageAsync(0);
        await client.DisconnectAsync(quit: true);

        await client.ConnectAsync("127.0.0.1", _secure.EndPoint(listener).Port, tls);
        await client.AuthenticateAsync(login, Pop3Fixture.Password);
        Assert.That(client.Count, Is.Zero, "QUIT committed the deletion");
        await client.DisconnectAsync(quit: true);
    }

    [Test]
    public async Task MailKit_without_TLS_on_a_secure_node_cannot_log_in()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        using var client = new Pop3Client();
        await client.ConnectAsync("127.0.0.1", _secure.EndPoint("pop3").Port, SecureSocketOptions.None);
        Assert.That(client.Capabilities.HasFlag(Pop3Capabilities.StartTLS), Is.True);
        Assert.ThrowsAsync<AuthenticationException>(async () => await client.AuthenticateAsync(login, Pop3Fixture.Password));
    }

    [Test]
    public async Task Pythons_poplib_fetches_after_stls()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_secure, login, Pop3Fixture.Message("for poplib"));
        var script = """
            import poplib, ssl, sys
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            pop = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=20)
            capabilities = pop.capa()
            print('before:', ' '.join(sorted(capabilities)))
            pop.stls(context=context)
            print('after:', ' '.join(sorted(pop.capa())))
            pop.user(sys.argv[2])
            pop.pass_(sys.argv[3])
            count, size = pop.stat()
            print('count:', count)
            response, lines, octets = pop.retr(1)
            print('subject:', [l.decode() for l in lines if l.startswith(b'Subject:')][0])
            pop.quit()
            """;
        var result = await ExternalProcess.RunAsync("/usr/bin/python3",
            ["-c", script, _secure.EndPoint("pop3").Port.ToString(CultureInfo.InvariantCulture), login, Pop3Fixture.Password]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("before: "));
        var before = result.Output.Split('\n').First(l => l.StartsWith("before:", StringComparison.Ordinal));
        Assert.That(before, Does.Contain("STLS").And.Not.Contain("USER"));
        Assert.That(result.Output, Does.Contain("count: 1"));
        Assert.That(result.Output, Does.Contain("subject: Subject: for poplib"));
    }

    [Test]
    public async Task Curl_fetches_over_STLS_with_ssl_reqd_and_over_pop3s()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_secure, login, Pop3Fixture.Message("for curl"));
        var curl = ExternalProcess.Require("curl");
        var stls = await ExternalProcess.RunAsync(curl, ["-sS", "--ssl-reqd", "-k", "--max-time", "20", "-u", $"{login}:{Pop3Fixture.Password}",
            $"pop3://127.0.0.1:{_secure.EndPoint("pop3").Port}/1"]);
        Assert.That(stls.ExitCode, Is.Zero, stls.ToString());
        Assert.That(stls.Output, Does.Contain("Subject: for curl"));

        var implicitTls = await ExternalProcess.RunAsync(curl, ["-sS", "-k", "--max-time", "20", "-u", $"{login}:{Pop3Fixture.Password}",
            $"pop3s://127.0.0.1:{_secure.EndPoint("pop3s").Port}/"]);
        Assert.That(implicitTls.ExitCode, Is.Zero, implicitTls.ToString());
        Assert.That(implicitTls.Output.Trim(), Does.Match("^1 \\d+$"));
    }

    [Test]
    public async Task Curl_without_TLS_gives_up_with_67_before_sending_a_password()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        using var metrics = new MetricRecorder(_secure);
        var result = await ExternalProcess.RunAsync(ExternalProcess.Require("curl"), ["-sS", "--max-time", "20", "-u", $"{login}:{Pop3Fixture.Password}",
            $"pop3://127.0.0.1:{_secure.EndPoint("pop3").Port}/"]);
        Assert.That(result.ExitCode, Is.EqualTo(67), result.ToString());
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused"), Is.Zero, "curl sent no password");
        Assert.That(metrics.Sum("groupware.logins"), Is.Zero, "nothing reached the auth module");
    }

    [Test]
    public async Task Fetchmail_over_TLS_fetches_and_without_TLS_fails_on_a_secure_node()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_secure, login, Pop3Fixture.Message("for fetchmail"));

        var clear = await FetchmailAsync(_secure, login, tls: false);
        Assert.That(clear.ExitCode, Is.Not.Zero.And.Not.EqualTo(1), clear.ToString());
        Assert.That(File.Exists(Mbox), Is.False, "nothing fetched in clear");

        var tls = await FetchmailAsync(_secure, login, tls: true);
        Assert.That(tls.ExitCode, Is.Zero, tls.ToString());
        Assert.That(await File.ReadAllTextAsync(Mbox), Does.Contain("Subject: for fetchmail"));
    }

    [Test]
    public async Task Fetchmail_as_the_printer_fetches_in_clear_on_the_legacy_node_and_a_normal_account_is_refused()
    {
        var printer = await Pop3Fixture.CreateAccountAsync(legacyDevice: true);
        await Pop3Fixture.DeliverAsync(_legacy, printer, Pop3Fixture.Message("scan to mail"));
        var fetched = await FetchmailAsync(_legacy, printer, tls: false);
        Assert.That(fetched.ExitCode, Is.Zero, fetched.ToString());
        Assert.That(await File.ReadAllTextAsync(Mbox), Does.Contain("Subject: scan to mail"));
        File.Delete(Mbox);

        var person = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_legacy, person, Pop3Fixture.Message("private"));
        var refused = await FetchmailAsync(_legacy, person, tls: false);
        Assert.That(refused.ExitCode, Is.EqualTo(3), "fetchmail's exit code for an authentication failure: " + refused);
        Assert.That(File.Exists(Mbox), Is.False);
    }

    private string Mbox => Path.Combine(_directory, "mbox");

    /// <summary>Runs fetchmail once, delivering to a file through an MDA; <paramref name="tls"/> false forbids even opportunistic STLS.</summary>
    private async Task<ProcessResult> FetchmailAsync(TestNode node, string login, bool tls)
    {
        var rc = Path.Combine(_directory, "fetchmailrc");
        var security = tls ? "sslproto 'TLS1.2+' no sslcertck" : "sslproto ''";
        await File.WriteAllTextAsync(rc, $"""
            set no bouncemail
            set no syslog
            poll 127.0.0.1 with proto POP3 port {node.EndPoint("pop3").Port} timeout 20
              user "{login}" there with password "{Pop3Fixture.Password}" is "root" here
              options {security} fetchall
              mda "/bin/sh -c 'cat >> {Mbox}'"

            """);
        File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return await ExternalProcess.RunAsync(ExternalProcess.Require("fetchmail"), ["-f", rc, "-v", "--nodetach"],
            timeout: TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["HOME"] = _directory, ["FETCHMAILHOME"] = _directory });
    }
}
