using Groupware.Autoconfig;
using Groupware.Server.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary>The <c>ClientSetup</c> section: defaults, values, and each bad value named by its key.</summary>
public sealed class ClientSetupConfigTests
{
    private static (IReadOnlyList<ConfigProblem> Problems, GroupwareOptions? Options) Read(Dictionary<string, string?> values) =>
        ConfigSection.Read("ClientSetup", values);

    [Test]
    public void Without_the_section_the_standard_ports_and_the_mail_host_name_apply()
    {
        var (problems, options) = Read([]);
        Assert.That(problems.Where(p => !p.IsWarning), Is.Empty);
        Assert.That(options!.ClientSetup, Is.EqualTo(new ClientSetupOptions { HostName = options.Mail.HostName }));
        Assert.That((options.ClientSetup.ImapPort, options.ClientSetup.ImapStartTlsPort, options.ClientSetup.Pop3Port, options.ClientSetup.Pop3StartTlsPort,
            options.ClientSetup.SubmissionPort, options.ClientSetup.SubmissionStartTlsPort, options.ClientSetup.CalDavPort),
            Is.EqualTo((993, 143, 995, 110, 465, 587, 443)));
    }

    [Test]
    public void Values_are_read()
    {
        var (problems, options) = Read(new()
        {
            ["HostName"] = "mail.example.org", ["LegacyHostName"] = "legacy.example.org", ["SubmissionHostName"] = "smtp.example.org",
            ["ImapPort"] = "1993", ["CalDavPort"] = "8443",
        });
        Assert.That(problems, Is.Empty);
        Assert.That(options!.ClientSetup, Is.EqualTo(new ClientSetupOptions
        {
            HostName = "mail.example.org", LegacyHostName = "legacy.example.org", SubmissionHostName = "smtp.example.org", ImapPort = 1993, CalDavPort = 8443,
        }));
    }

    [TestCase("HostName", "mail_1.example.org")]
    [TestCase("HostName", "-mail.example.org")]
    [TestCase("LegacyHostName", "legacy node")]
    [TestCase("SubmissionHostName", "smtp..example.org")]
    [TestCase("ImapPort", "0")]
    [TestCase("Pop3StartTlsPort", "65536")]
    [TestCase("SubmissionPort", "submissions")]
    [TestCase("CalDavPrt", "443")]
    public void A_bad_value_or_unknown_key_is_an_error_naming_it(string key, string value)
    {
        var (problems, options) = Read(new() { [key] = value });
        Assert.That(options, Is.Null);
        Assert.That(problems.Where(p => !p.IsWarning).Select(p => p.Key), Is.EqualTo(new[] { $"ClientSetup:{key}" }));
    }

    [Test]
    public void The_legacy_node_needs_a_name_of_its_own()
    {
        var (problems, options) = Read(new() { ["HostName"] = "mail.example.org", ["LegacyHostName"] = "MAIL.example.org." });
        Assert.That(options, Is.Null);
        Assert.That(problems.Single().ToString(), Does.StartWith("ClientSetup:LegacyHostName: \"MAIL.example.org.\" is the secure nodes' name too"));
    }

    [Test]
    public void An_autoconfig_listener_without_a_host_name_is_a_warning()
    {
        var (problems, options) = ConfigSection.Read("Listeners", new Dictionary<string, string?>
        {
            ["autoconfig:Protocol"] = "autoconfig", ["autoconfig:Endpoint"] = "0.0.0.0:80", ["autoconfig:Tls"] = "none",
        });
        Assert.That(options, Is.Not.Null, "clear HTTP is allowed for autoconfig on a secure node: it carries no credentials");
        Assert.That(problems.Single(), Is.EqualTo(new ConfigProblem("ClientSetup:HostName",
            $"is not set: set-up documents offer \"{options!.Mail.HostName}\" (Mail:HostName), which clients must be able to reach", IsWarning: true)));
    }
}
