using Groupware.Server.Configuration;
using Groupware.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary>
/// A <c>sasl</c> listener is clear text, and only on loopback or a unix socket, on a secure and on a legacy
/// node alike: the MTA's word about its client's TLS and address is believed, so nothing else may give it.
/// </summary>
public sealed class SaslConfigTests
{
    private static (IReadOnlyList<ConfigProblem> Problems, GroupwareOptions? Options) Read(string endpoint, string tls, bool legacy = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Node:Name"] = "mail1",
            ["Node:AllowPlaintextAuth"] = legacy ? "true" : "false",
            ["Database:ConnectionString"] = "Host=/var/run/postgresql;Database=groupware;Username=groupware",
            ["Listeners:sasl:Protocol"] = "sasl",
            ["Listeners:sasl:Endpoint"] = endpoint,
            ["Listeners:sasl:Tls"] = tls,
        };
        var problems = ConfigReader.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), ProtocolCatalog.Default, out var options);
        return (problems, options);
    }

    [TestCase("127.0.0.1:12345")]
    [TestCase("[::1]:12345")]
    [TestCase("unix:/var/spool/postfix/private/groupware-auth")]
    public void Loopback_and_unix_sockets_are_accepted(string endpoint)
    {
        var (problems, options) = Read(endpoint, "none");
        Assert.That(problems, Is.Empty);
        Assert.That(options!.Listeners.Single(l => l.Protocol == "sasl").MaxConnectionsPerIp, Is.EqualTo(options.Limits.MaxConnectionsPerListener),
            "every smtpd process of the MTA connects from the same address");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Any_other_address_is_refused_naming_the_endpoint(bool legacy)
    {
        var (problems, options) = Read("0.0.0.0:12345", "none", legacy);
        Assert.That(options, Is.Null);
        Assert.That(problems.Single(p => !p.IsWarning).ToString(), Does.StartWith("Listeners:sasl:Endpoint: \"0.0.0.0:12345\" is not a loopback address or unix socket"));
    }

    [TestCase("starttls")]
    [TestCase("implicit")]
    public void The_protocol_has_no_TLS(string tls)
    {
        var (problems, options) = Read("127.0.0.1:12345", tls);
        Assert.That(options, Is.Null);
        Assert.That(problems.Single().ToString(), Is.EqualTo($"Listeners:sasl:Tls: \"{tls}\" is not available for sasl (use none)"));
    }
}
