using System.Globalization;
using Groupware.Storage;
using Groupware.Storage.Accounts;

namespace Groupware.Tests.Probe;

/// <summary>
/// <c>groupware probe plaintext</c> against our own POP3 front-end (issue #5, Must show): a secure
/// node is OK; a deliberately misconfigured node that accepts clear text (its operator listed the
/// probe's network in Node:TrustedNetworks) is CRITICAL naming the port; a legacy node is OK with
/// <c>--expect allowed</c> while its canary logs in, and CRITICAL once the canary is disabled.
/// Our server does not count loopback as secure, so no --bind is needed here.
/// </summary>
public sealed class PlaintextProbeNodeTests
{
    private const string CanaryPassword = "canary password";
    private string _passwordFile = null!;

    [OneTimeSetUp]
    public void SetUp() => _passwordFile = ProbeCli.PasswordFile(CanaryPassword);

    [OneTimeTearDown]
    public void TearDown() => File.Delete(_passwordFile);

    private Task<ProbeRun> ProbeAsync(TestNode node, string canary, params string[] extra) =>
        ProbeCli.RunAsync(["plaintext", "--host", "127.0.0.1", "--pop3-port", Port(node), "--user", canary, "--password-file", _passwordFile, .. extra]);

    private static string Port(TestNode node) => node.EndPoint("pop3").Port.ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task A_secure_node_is_OK_with_and_without_credentials()
    {
        await using var node = await TestNode.StartAsync(n => n.Listener("pop3", "pop3", "starttls"));
        var canary = await TestAccounts.CreateAsync(CanaryPassword);

        var run = await ProbeAsync(node, canary);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("PLAINTEXT OK - ").And.Contain($"pop3/{Port(node)}: clear-text"));

        var offer = await ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--pop3-port", Port(node), "--no-credentials");
        Assert.That(offer.ExitCode, Is.Zero, offer.ToString());
        Assert.That(offer.StatusLine, Does.Contain("offers no clear-text login"));
    }

    [Test]
    public async Task A_node_misconfigured_to_accept_clear_text_is_CRITICAL_naming_the_port()
    {
        await using var node = await TestNode.StartAsync(n => n.Listener("pop3", "pop3", "starttls")
            .Set("Node:TrustedNetworks:0", "127.0.0.0/8"));
        var canary = await TestAccounts.CreateAsync(CanaryPassword);

        var run = await ProbeAsync(node, canary);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StatusLine, Does.StartWith($"PLAINTEXT CRITICAL - pop3/{Port(node)}: clear-text").And.Contain("ACCEPTED"));

        var offer = await ProbeCli.RunAsync("plaintext", "--host", "127.0.0.1", "--pop3-port", Port(node), "--no-credentials");
        Assert.That(offer.ExitCode, Is.EqualTo(1), offer.ToString());
        Assert.That(offer.StatusLine, Does.StartWith($"PLAINTEXT WARNING - pop3/{Port(node)}: would accept a clear-text password"));
    }

    [Test]
    public async Task A_legacy_node_is_OK_while_its_canary_logs_in_and_CRITICAL_once_the_canary_is_disabled()
    {
        await using var node = await TestNode.StartAsync(n => n.Set("Node:AllowPlaintextAuth", "true").Set("Node:Name", "legacy1")
            .Listener("pop3", "pop3", "none"));
        var canary = await TestAccounts.CreateAsync(CanaryPassword, legacyDevice: true);

        var allowed = await ProbeAsync(node, canary, "--expect", "allowed");
        Assert.That(allowed.ExitCode, Is.Zero, allowed.ToString());
        Assert.That(allowed.StatusLine, Does.StartWith("PLAINTEXT OK - ").And.Contain("accepted"));

        await using (var dataSource = Database.CreateDataSource(TestDatabase.ConnectionString, "test"))
        {
            var account = await new AccountStore(dataSource).FindByLoginAsync(canary, CancellationToken.None);
            Assert.That(await new AccountStore(dataSource).SetDisabledAsync(account!.Id, true, CancellationToken.None), Is.True);
        }

        var refused = await ProbeAsync(node, canary, "--expect", "allowed");
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
        Assert.That(refused.StatusLine, Does.StartWith($"PLAINTEXT CRITICAL - pop3/{Port(node)}: clear-text").And.Contain("refused"));
    }
}
