using System.Globalization;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// <c>groupware probe plaintext --http-port</c> against a node's clear-text caldav listener: OK on
/// a secure node (credentials get 403, and without credentials it redirects to https); on a legacy
/// node OK with <c>--expect allowed</c> for a device canary, CRITICAL with <c>--expect refused</c>.
/// </summary>
public sealed class CalDavPlaintextProbeTests
{
    private string _passwordFile = null!;

    [OneTimeSetUp]
    public void SetUp() => _passwordFile = Probe.ProbeCli.PasswordFile(Password);

    [OneTimeTearDown]
    public void TearDown() => File.Delete(_passwordFile);

    private static string Port(TestNode node) => node.EndPoint("caldavclear").Port.ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task A_secure_nodes_clear_text_caldav_listener_is_OK_with_and_without_credentials()
    {
        await using var node = await StartSecureNodeAsync();
        var canary = await CreateAccountAsync();
        var run = await Probe.ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--http-port", Port(node), "--user", canary, "--password-file", _passwordFile);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StatusLine, Does.StartWith($"PLAINTEXT OK - http/{Port(node)}: clear-text Basic refused (403)"));

        var offer = await Probe.ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--http-port", Port(node), "--no-credentials");
        Assert.That(offer.ExitCode, Is.Zero, offer.ToString());
        Assert.That(offer.StatusLine, Does.Contain($"offers no clear-text login (redirects (301 to https://127.0.0.1:{node.EndPoint("caldav").Port}/))"));
    }

    [Test]
    public async Task A_legacy_node_serving_the_canary_in_clear_is_OK_when_allowed_and_CRITICAL_when_refused_was_expected()
    {
        await using var node = await StartLegacyNodeAsync();
        var canary = await CreateAccountAsync(legacyDevice: true);
        var allowed = await Probe.ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--http-port", Port(node), "--user", canary,
            "--password-file", _passwordFile, "--expect", "allowed");
        Assert.That(allowed.ExitCode, Is.Zero, allowed.ToString());
        Assert.That(allowed.StatusLine, Does.Contain("clear-text Basic for " + canary + " accepted (207)"));

        var refused = await Probe.ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--http-port", Port(node), "--user", canary,
            "--password-file", _passwordFile);
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
        Assert.That(refused.StatusLine, Does.StartWith($"PLAINTEXT CRITICAL - http/{Port(node)}: clear-text Basic for {canary} was ACCEPTED"));
    }
}
