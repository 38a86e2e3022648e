using Groupware.Connections;
using Groupware.Server.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary>
/// The session limits an operator may set under <c>Limits</c>: absent, each protocol keeps its own
/// default; set, the value overrides every line protocol's; a bad value is an error naming its key
/// (and so is a typo, since unknown keys are errors).
/// </summary>
public sealed class LimitsConfigTests
{
    private static (IReadOnlyList<ConfigProblem> Problems, GroupwareOptions? Options) Read(Dictionary<string, string?> values) =>
        ConfigSection.Read("Limits", values);

    [Test]
    public void Without_the_keys_each_protocol_keeps_its_defaults()
    {
        var (problems, options) = Read([]);
        Assert.That(problems.Where(p => !p.IsWarning), Is.Empty);
        var protocolDefaults = new SessionLimits { MaxLineLength = 65536, IdleTimeout = TimeSpan.FromMinutes(30) };
        Assert.That(options!.Limits.Apply(protocolDefaults), Is.EqualTo(protocolDefaults));
    }

    [Test]
    public void Values_override_every_protocols_defaults()
    {
        var (problems, options) = Read(new()
        {
            ["MaxLineLength"] = "16384", ["MaxLiteralSize"] = "1048576", ["MaxCommandSize"] = "65536", ["IdleTimeoutSeconds"] = "120",
            ["CommandLineTimeoutSeconds"] = "30", ["MinDataRate"] = "0", ["TlsHandshakeTimeoutSeconds"] = "5",
        });
        Assert.That(problems.Where(p => !p.IsWarning), Is.Empty);
        var limits = options!.Limits.Apply(new SessionLimits { MaxLineLength = 65536 });
        Assert.That(limits, Is.EqualTo(new SessionLimits
        {
            MaxLineLength = 16384, MaxLiteralSize = 1048576, MaxCommandSize = 65536, IdleTimeout = TimeSpan.FromMinutes(2),
            CommandLineTimeout = TimeSpan.FromSeconds(30), MinDataRate = 0, TlsHandshakeTimeout = TimeSpan.FromSeconds(5),
        }));
    }

    [TestCase("MaxLineLength", "512")]
    [TestCase("MaxLineLength", "many")]
    [TestCase("MaxLiteralSize", "0")]
    [TestCase("MaxCommandSize", "1000")]
    [TestCase("IdleTimeoutSeconds", "-5")]
    [TestCase("CommandLineTimeoutSeconds", "0")]
    [TestCase("MinDataRate", "fast")]
    [TestCase("MaxLineLenght", "8192")]
    public void A_bad_value_or_unknown_key_is_an_error_naming_it(string key, string value)
    {
        var (problems, options) = Read(new() { [key] = value });
        Assert.That(options, Is.Null);
        Assert.That(problems.Select(p => p.ToString()), Has.Some.StartsWith($"Limits:{key}"));
    }

    [Test]
    public async Task A_node_applies_them_to_its_listeners()
    {
        await using var node = await TestNode.StartAsync(n => n.Listener("pop3s", "pop3", "implicit").Set("Limits:MaxLineLength", "2048"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
        await Transcript.PlayAsync(client, $"""
            S: +OK POP3 server ready.
            C: USER {new string('u', 2044)}
            S: -ERR Input line too long.
            C: USER {new string('u', 2043)}
            S: +OK
            """);
    }
}
