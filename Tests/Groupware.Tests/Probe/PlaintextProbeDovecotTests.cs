using System.Net;

namespace Groupware.Tests.Probe;

/// <summary>
/// <c>groupware probe plaintext</c> against Debian's Dovecot, for IMAP and POP3: a secure Dovecot
/// (<c>disable_plaintext_auth = yes</c>) is OK, an insecure one is CRITICAL naming the port; on a
/// legacy node (<c>--expect allowed</c>) the canary's clear-text login is OK and its failure is
/// CRITICAL. Dovecot counts a client on its own address as secure, so the probe connects from
/// 127.0.0.2 (<c>--bind</c>) to Dovecot on 127.0.0.1.
/// </summary>
public sealed class PlaintextProbeDovecotTests
{
    private const string Canary = "probe";
    private const string CanaryPassword = "canary secret";
    private const string From = "127.0.0.2";

    private TestCertificates _certificates = null!;
    private DovecotPeer _secure = null!;
    private DovecotPeer _insecure = null!;
    private string _passwordFile = null!;
    private string _wrongPasswordFile = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificates = new TestCertificates();
        var users = new Dictionary<string, string> { [Canary] = CanaryPassword };
        _secure = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = _certificates, Users = users });
        _insecure = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = _certificates, Users = users, DisablePlaintextAuth = false });
        _passwordFile = ProbeCli.PasswordFile(CanaryPassword);
        _wrongPasswordFile = ProbeCli.PasswordFile("not the canary's password");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _secure.DisposeAsync();
        await _insecure.DisposeAsync();
        _certificates.Dispose();
        File.Delete(_passwordFile);
        File.Delete(_wrongPasswordFile);
    }

    [TestCase("imap")]
    [TestCase("pop3")]
    public async Task A_secure_server_refusing_clear_text_is_OK(string protocol)
    {
        var run = await ProbeAsync(_secure, protocol, _passwordFile);
        Assert.That(run.ExitCode, Is.Zero, Log(run, _secure));
        Assert.That(run.StatusLine, Does.StartWith("PLAINTEXT OK - ").And.Contain($"{protocol}/{Port(_secure, protocol)}: clear-text"));
        Assert.That(run.StatusLine, Does.Match($@"\| {protocol}_time=\d+(\.\d+)?s;;;0$"));
    }

    [TestCase("imap")]
    [TestCase("pop3")]
    public async Task An_insecure_server_accepting_clear_text_is_CRITICAL_naming_the_port(string protocol)
    {
        var run = await ProbeAsync(_insecure, protocol, _passwordFile);
        Assert.That(run.ExitCode, Is.EqualTo(2), Log(run, _insecure));
        Assert.That(run.StatusLine, Does.StartWith($"PLAINTEXT CRITICAL - {protocol}/{Port(_insecure, protocol)}: clear-text")
            .And.Contain("ACCEPTED"));
    }

    [TestCase("imap")]
    [TestCase("pop3")]
    public async Task A_legacy_node_accepting_the_canary_is_OK_with_expect_allowed(string protocol)
    {
        var run = await ProbeAsync(_insecure, protocol, _passwordFile, "--expect", "allowed");
        Assert.That(run.ExitCode, Is.Zero, Log(run, _insecure));
        Assert.That(run.StatusLine, Does.StartWith("PLAINTEXT OK - ").And.Contain("accepted"));
    }

    /// <summary>A wrong canary password stands in for a disabled canary until our own accounts exist.</summary>
    [TestCase("imap")]
    [TestCase("pop3")]
    public async Task A_legacy_node_refusing_the_canary_is_CRITICAL_with_expect_allowed(string protocol)
    {
        var run = await ProbeAsync(_insecure, protocol, _wrongPasswordFile, "--expect", "allowed");
        Assert.That(run.ExitCode, Is.EqualTo(2), Log(run, _insecure));
        Assert.That(run.StatusLine, Does.StartWith($"PLAINTEXT CRITICAL - {protocol}/{Port(_insecure, protocol)}: clear-text").And.Contain("refused"));
    }

    [TestCase("imap")]
    [TestCase("pop3")]
    public async Task A_secure_node_expected_to_allow_clear_text_is_CRITICAL(string protocol)
    {
        var run = await ProbeAsync(_secure, protocol, _passwordFile, "--expect", "allowed");
        Assert.That(run.ExitCode, Is.EqualTo(2), Log(run, _secure));
    }

    [Test]
    public async Task An_IMAP_refusal_that_judged_the_password_in_clear_text_is_a_WARNING()
    {
        // AUTHENTICATIONFAILED (RFC 5530) says the server checked the password: it took clear text.
        var run = await ProbeAsync(_insecure, "imap", _wrongPasswordFile);
        Assert.That(run.ExitCode, Is.EqualTo(1), Log(run, _insecure));
        Assert.That(run.StatusLine, Does.StartWith("PLAINTEXT WARNING - ").And.Contain("AUTHENTICATIONFAILED"));
    }

    [TestCase("imap")]
    [TestCase("pop3")]
    public async Task Without_credentials_a_secure_offer_is_OK(string protocol)
    {
        var run = await ProbeAsync(_secure, protocol, null, "--no-credentials", "-v");
        Assert.That(run.ExitCode, Is.Zero, Log(run, _secure));
        Assert.That(run.StatusLine, Does.Contain("offers no clear-text login"));
        var sent = run.Output.Split('\n').Where(l => l.TrimStart().StartsWith("C: ", StringComparison.Ordinal)).ToList();
        Assert.That(sent, Has.Some.Contains(protocol == "imap" ? "CAPABILITY" : "CAPA"), run.Output);
        Assert.That(sent, Has.None.Contains("LOGIN").And.None.Contains("USER").And.None.Contains("PASS"), "no credential was sent");
    }

    [TestCase("imap")]
    [TestCase("pop3")]
    public async Task Without_credentials_an_insecure_offer_is_a_WARNING(string protocol)
    {
        var run = await ProbeAsync(_insecure, protocol, null, "--no-credentials");
        Assert.That(run.ExitCode, Is.EqualTo(1), Log(run, _insecure));
        Assert.That(run.StatusLine, Does.StartWith($"PLAINTEXT WARNING - {protocol}/{Port(_insecure, protocol)}: would accept a clear-text password"));
    }

    [TestCase("imap")]
    [TestCase("pop3")]
    public async Task The_verbose_transcript_masks_the_password(string protocol)
    {
        var run = await ProbeAsync(_insecure, protocol, _passwordFile, "-v");
        await TestContext.Out.WriteLineAsync(run.Output);
        Assert.That(run.ExitCode, Is.EqualTo(2), Log(run, _insecure));
        var transcript = run.Output.Split('\n').Skip(1).ToList();
        Assert.That(transcript, Has.Some.Contains(protocol == "imap" ? "C: P2 LOGIN \"probe\" ********" : "C: PASS ********"), run.Output);
        Assert.That(transcript, Has.Some.Contains("S: "), "the server's side is in the transcript");
        Assert.That(run.Output, Does.Not.Contain("canary").And.Not.Contain("secret"));
    }

    [Test]
    public async Task Both_protocols_in_one_run_report_the_worst_status_and_time_each_port()
    {
        var run = await ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--bind", From, "--imap-port", Port(_insecure, "imap"),
            "--pop3-port", Port(_secure, "pop3"), "--user", Canary, "--password-file", _passwordFile);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StatusLine, Does.Contain($"imap/{Port(_insecure, "imap")}").And.Contain($"pop3/{Port(_secure, "pop3")}"));
        Assert.That(run.StatusLine, Does.Match(@"\| imap_time=[\d.]+s;;;0 pop3_time=[\d.]+s;;;0$"));
    }

    [Test]
    public async Task From_the_servers_own_address_Dovecot_counts_the_connection_as_secure()
    {
        // Why --bind matters: without it the probe shares Dovecot's address and Dovecot lets the password through.
        var run = await ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--imap-port", Port(_secure, "imap"), "--user", Canary,
            "--password-file", _passwordFile);
        Assert.That(run.ExitCode, Is.EqualTo(2), Log(run, _secure));
    }

    private static Task<ProbeRun> ProbeAsync(DovecotPeer peer, string protocol, string? passwordFile, params string[] extra)
    {
        List<string> arguments = ["plaintext", "--host", IPAddress.Loopback.ToString(), "--bind", From, $"--{protocol}-port", Port(peer, protocol)];
        if (passwordFile is not null)
        {
            arguments.AddRange(["--user", Canary, "--password-file", passwordFile]);
        }

        return ProbeCli.RunAsync([.. arguments, .. extra]);
    }

    private static string Port(DovecotPeer peer, string protocol) =>
        (protocol == "imap" ? peer.Imap.Port : peer.Pop3.Port).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Log(ProbeRun run, DovecotPeer peer) => $"{run}\n--- dovecot.log ---\n{peer.Log}";
}
