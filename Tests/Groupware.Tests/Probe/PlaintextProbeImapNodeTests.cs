using System.Globalization;

namespace Groupware.Tests.Probe;

/// <summary>
/// <c>groupware probe plaintext --imap-port</c> against our own IMAP front-end: a secure node is OK
/// (its clear-text LOGIN is refused with NO [PRIVACYREQUIRED]); a node misconfigured to trust the
/// probe's network is CRITICAL naming the port; a legacy node is OK with <c>--expect allowed</c> while
/// its device canary logs in.
/// </summary>
public sealed class PlaintextProbeImapNodeTests
{
    private const string CanaryPassword = "canary password";
    private string _passwordFile = null!;

    [OneTimeSetUp]
    public void SetUp() => _passwordFile = ProbeCli.PasswordFile(CanaryPassword);

    [OneTimeTearDown]
    public void TearDown() => File.Delete(_passwordFile);

    private Task<ProbeRun> ProbeAsync(TestNode node, string canary, params string[] extra) =>
        ProbeCli.RunAsync(["plaintext", "--host", "127.0.0.1", "--imap-port", Port(node), "--user", canary, "--password-file", _passwordFile, .. extra]);

    private static string Port(TestNode node) => node.EndPoint("imap").Port.ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task A_secure_node_is_OK_with_and_without_credentials()
    {
        await using var node = await TestNode.StartAsync(n => n.Listener("imap", "imap", "starttls"));
        var canary = await TestAccounts.CreateAsync(CanaryPassword);

        var run = await ProbeAsync(node, canary);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("PLAINTEXT OK - ").And.Contain($"imap/{Port(node)}: clear-text").And.Contain("PRIVACYREQUIRED"));

        var offer = await ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--imap-port", Port(node), "--no-credentials");
        Assert.That(offer.ExitCode, Is.Zero, offer.ToString());
        Assert.That(offer.StatusLine, Does.Contain("offers no clear-text login"));
    }

    [Test]
    public async Task A_node_misconfigured_to_accept_clear_text_is_CRITICAL_naming_the_port()
    {
        await using var node = await TestNode.StartAsync(n => n.Listener("imap", "imap", "starttls").Set("Node:TrustedNetworks:0", "127.0.0.0/8"));
        var canary = await TestAccounts.CreateAsync(CanaryPassword);

        var run = await ProbeAsync(node, canary);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StatusLine, Does.StartWith($"PLAINTEXT CRITICAL - imap/{Port(node)}: clear-text").And.Contain("ACCEPTED"));
    }

    [Test]
    public async Task A_legacy_node_is_OK_while_its_device_canary_logs_in()
    {
        await using var node = await TestNode.StartAsync(n => n.Set("Node:AllowPlaintextAuth", "true").Set("Node:Name", "legacy1")
            .Listener("imap", "imap", "none"));
        var canary = await TestAccounts.CreateAsync(CanaryPassword, legacyDevice: true);

        var allowed = await ProbeAsync(node, canary, "--expect", "allowed");
        Assert.That(allowed.ExitCode, Is.Zero, allowed.ToString());
        Assert.That(allowed.StatusLine, Does.StartWith("PLAINTEXT OK - ").And.Contain("accepted"));
    }
}
