using Groupware.Imap;
using Groupware.Server.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary>The <c>Imap</c> section (the IMAP front-end's own limits): defaults, values, and each bad value named by its key.</summary>
public sealed class ImapConfigTests
{
    private static (IReadOnlyList<ConfigProblem> Problems, GroupwareOptions? Options) Read(Dictionary<string, string?> values) =>
        ConfigSection.Read("Imap", values);

    [Test]
    public void Without_an_Imap_section_the_documented_defaults_apply()
    {
        var (problems, options) = Read([]);
        Assert.That(problems.Where(p => !p.IsWarning), Is.Empty);
        Assert.That(options!.Imap, Is.EqualTo(new ImapOptions()));
        Assert.That(options.Imap.MaxSessionsPerUserAndAddress, Is.EqualTo(20));
        Assert.That(options.Imap.LoginTimeout, Is.EqualTo(TimeSpan.FromSeconds(180)));
    }

    [Test]
    public void Values_are_read()
    {
        var (_, options) = Read(new()
        {
            ["MaxSessionsPerUserAndAddress"] = "50", ["MaxAuthFailures"] = "5", ["LoginTimeoutSeconds"] = "60", ["IdleKeepAliveSeconds"] = "300",
            ["MaxAppendMessages"] = "10",
        });
        Assert.That(options!.Imap, Is.EqualTo(new ImapOptions
        {
            MaxSessionsPerUserAndAddress = 50, MaxAuthFailures = 5, LoginTimeout = TimeSpan.FromSeconds(60), IdleKeepAlive = TimeSpan.FromMinutes(5),
            MaxAppendMessages = 10,
        }));
    }

    [TestCase("MaxSessionsPerUserAndAddress", "0")]
    [TestCase("MaxAuthFailures", "many")]
    [TestCase("LoginTimeoutSeconds", "-5")]
    [TestCase("IdleKeepAliveSeconds", "1.5")]
    [TestCase("MaxAppendMessages", "0")]
    [TestCase("MaxSessionsPerUser", "10")]
    public void A_bad_value_or_unknown_key_is_an_error_naming_it(string key, string value)
    {
        var (problems, options) = Read(new() { [key] = value });
        Assert.That(options, Is.Null);
        Assert.That(problems.Select(p => p.ToString()), Has.Some.StartsWith($"Imap:{key}"));
    }
}
