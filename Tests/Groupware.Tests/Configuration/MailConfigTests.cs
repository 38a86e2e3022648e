using Groupware.Server.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary>The <c>Mail</c> section (local delivery limits): defaults, values, and each bad value named by its key.</summary>
public sealed class MailConfigTests
{
    private static (IReadOnlyList<ConfigProblem> Problems, GroupwareOptions? Options) Read(Dictionary<string, string?> values) =>
        ConfigSection.Read("Mail", values);

    [Test]
    public void Without_a_Mail_section_the_documented_defaults_apply()
    {
        var (problems, options) = Read([]);
        Assert.That(problems.Where(p => !p.IsWarning), Is.Empty);
        Assert.That(options!.Mail.MaxMessageSize, Is.EqualTo(64L * 1024 * 1024));
        Assert.That(options.Mail.MaxRecipients, Is.EqualTo(1000));
        Assert.That(options.Mail.SpoolDirectory, Is.EqualTo(Path.GetTempPath()));
    }

    [Test]
    public void Values_are_read()
    {
        var spool = Path.GetTempPath();
        var (_, options) = Read(new() { ["MaxMessageSize"] = "104857600", ["MaxRecipients"] = "50", ["SpoolDirectory"] = spool, ["HostName"] = "mx.example.org" });
        Assert.That(options!.Mail, Is.EqualTo(new Groupware.Lmtp.LmtpOptions
        {
            MaxMessageSize = 104857600, MaxRecipients = 50, SpoolDirectory = spool, HostName = "mx.example.org",
        }));
    }

    [TestCase("MaxMessageSize", "0")]
    [TestCase("MaxMessageSize", "ten")]
    [TestCase("MaxRecipients", "-1")]
    [TestCase("SpoolDirectory", "/no/such/directory")]
    [TestCase("HostName", "two words")]
    [TestCase("MaxMesageSize", "1000")]
    public void A_bad_value_or_unknown_key_is_an_error_naming_it(string key, string value)
    {
        var (problems, options) = Read(new() { [key] = value });
        Assert.That(options, Is.Null);
        Assert.That(problems.Select(p => p.ToString()), Has.Some.StartsWith($"Mail:{key}"));
    }
}
