using System.Globalization;

namespace Groupware.Tests.Probe;

/// <summary>
/// A port the probe cannot judge — closed, or serving another protocol — is UNKNOWN by default (the
/// monitoring-plugins convention), and what the operator asks for with <c>--refuse-state</c> and
/// <c>--mismatch-state</c> (check_tcp's <c>-r</c> and <c>-M</c>).
/// </summary>
public sealed class ProbeUnreachableTests
{
    private static readonly string Closed = GarbageServer.ClosedPort().ToString(CultureInfo.InvariantCulture);

    [TestCase("--imap-port")]
    [TestCase("--pop3-port")]
    public async Task A_closed_port_is_UNKNOWN(string portOption)
    {
        var run = await ProbeCli.RunAsync("plaintext", "-H", "127.0.0.1", portOption, Closed, "--no-credentials");
        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("PLAINTEXT UNKNOWN - ").And.Contain($"/{Closed}: connection to port {Closed} failed"));
    }

    [Test]
    public async Task A_closed_port_is_CRITICAL_when_the_operator_says_so()
    {
        var run = await ProbeCli.RunAsync("plaintext", "-H", "127.0.0.1", "--imap-port", Closed, "--no-credentials", "--refuse-state", "critical");
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
    }

    [TestCase("--imap-port")]
    [TestCase("--pop3-port")]
    public async Task A_server_that_never_greets_is_UNKNOWN_after_the_timeout(string portOption)
    {
        // The kernel completes the connection from the backlog; nobody ever accepts or writes.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var run = await ProbeCli.RunAsync("plaintext", "-H", "127.0.0.1", portOption, port, "--no-credentials", "--timeout", "1");
        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.StatusLine, Does.Contain($"/{port}: no answer within 1 s"));
    }

    [TestCase("--imap-port", "not an IMAP greeting: SSH-2.0")]
    [TestCase("--pop3-port", "not a POP3 response: SSH-2.0")]
    public async Task A_server_speaking_another_protocol_is_UNKNOWN(string portOption, string message)
    {
        await using var garbage = new GarbageServer();
        var port = garbage.Port.ToString(CultureInfo.InvariantCulture);
        var run = await ProbeCli.RunAsync("plaintext", "-H", "127.0.0.1", portOption, port, "--user", "probe", "--password-file", "/dev/null");
        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.StatusLine, Does.Contain(message));

        var strict = await ProbeCli.RunAsync("plaintext", "-H", "127.0.0.1", portOption, port, "--no-credentials", "--mismatch-state", "warning");
        Assert.That(strict.ExitCode, Is.EqualTo(1), strict.ToString());
    }

    [Test]
    public async Task A_TLS_probe_of_a_closed_port_is_UNKNOWN_and_of_a_clear_text_server_CRITICAL()
    {
        var closed = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", Closed);
        Assert.That(closed.ExitCode, Is.EqualTo(3), closed.ToString());
        Assert.That(closed.StatusLine, Does.StartWith("TLS UNKNOWN - "));

        // A clear-text banner where TLS was expected: the TLS service is broken, not unknown.
        await using var garbage = new GarbageServer();
        var run = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", garbage.Port.ToString(CultureInfo.InvariantCulture));
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("TLS CRITICAL - ").And.Contain("TLS handshake failed"));

        var starttls = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", garbage.Port.ToString(CultureInfo.InvariantCulture), "--starttls", "imap");
        Assert.That(starttls.ExitCode, Is.EqualTo(3), starttls.ToString());
        Assert.That(starttls.StatusLine, Does.Contain("not an IMAP greeting"));
    }

    [Test]
    public async Task The_RPC_port_says_its_probe_arrives_with_that_front_end()
    {
        var run = await ProbeCli.RunAsync("plaintext", "-H", "127.0.0.1", "--rpc-port", "237", "--no-credentials");
        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.StatusLine, Does.Contain("rpc/237: the RPC logon probe arrives with the RPC front-end"));
    }

    [Test]
    public async Task Usage_errors_are_UNKNOWN()
    {
        var missing = await ProbeCli.RunAsync("plaintext", "-H", "127.0.0.1", "--imap-port", Closed);
        Assert.That(missing.ExitCode, Is.EqualTo(3), missing.ToString());
        Assert.That(missing.StatusLine, Does.Contain("--user and --password-file are required"));

        var injected = await ProbeCli.RunAsync("plaintext", "-H", "127.0.0.1", "--pop3-port", Closed, "--user", "probe\r\nDELE 1",
            "--password-file", "/dev/null");
        Assert.That(injected.ExitCode, Is.EqualTo(3), injected.ToString());
        Assert.That(injected.StatusLine, Does.Contain("--user must not contain control characters"));

        var unparsable = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", "993", "--starttls", "smtp");
        Assert.That(unparsable.ExitCode, Is.EqualTo(3), unparsable.ToString());

        var days = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", "993", "--warn-days", "7", "--crit-days", "21");
        Assert.That(days.ExitCode, Is.EqualTo(3), days.ToString());
        Assert.That(days.StatusLine, Does.StartWith("TLS UNKNOWN - --crit-days"));
    }
}
