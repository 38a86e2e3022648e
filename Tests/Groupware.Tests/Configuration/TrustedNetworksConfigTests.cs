using System.Net;
using Groupware.Server.Configuration;
using Groupware.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary>
/// <c>Node:TrustedNetworks</c>: clear text from these networks counts as protected, so a value must
/// mean exactly what the operator wrote, and anything else stops the node (fail closed).
/// </summary>
public sealed class TrustedNetworksConfigTests
{
    private static (GroupwareOptions? Options, IReadOnlyList<ConfigProblem> Problems) Read(params string[] networks)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Node:Name"] = "trusting1",
            ["Database:ConnectionString"] = "Host=/var/run/postgresql;Database=groupware;Username=groupware",
        };
        for (var i = 0; i < networks.Length; i++)
        {
            settings[$"Node:TrustedNetworks:{i}"] = networks[i];
        }

        var problems = ConfigReader.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), ProtocolCatalog.Default, out var options);
        return (options, problems.Where(p => !p.IsWarning).ToList());
    }

    [Test]
    public void Networks_and_single_addresses_are_read()
    {
        var (options, problems) = Read("192.0.2.0/24", "2001:db8::/32", "198.51.100.7", "2001:db8:1::7");
        Assert.That(problems, Is.Empty);
        Assert.That(options!.Node.TrustedNetworks.Select(n => n.ToString()),
            Is.EqualTo(new[] { "192.0.2.0/24", "2001:db8::/32", "198.51.100.7/32", "2001:db8:1::7/128" }));
    }

    /// <summary>
    /// What <c>ip addr</c> prints for an interface, 192.0.2.7/24, names one host and its network: .NET
    /// reads it as the whole /24 without a word. Which one was meant is not for the server to guess,
    /// least of all in the direction that trusts 255 more hosts (PostgreSQL's cidr refuses it too).
    /// </summary>
    [TestCase("192.0.2.7/24")]
    [TestCase("2001:db8::7/64")]
    public void A_network_with_host_bits_set_is_refused(string value)
    {
        var (options, problems) = Read("198.51.100.0/24", value);
        Assert.That(options, Is.Null);
        Assert.That(problems.Select(p => p.ToString()), Has.One.StartsWith("Node:TrustedNetworks:1: ").And.Contains(value).And.Contains("host bits"));
    }

    /// <summary>Sessions unmap an IPv4-mapped client address before matching, so a network written in that form is read as IPv4.</summary>
    [TestCase("::ffff:192.0.2.0/120", "192.0.2.0/24")]
    [TestCase("::ffff:192.0.2.7", "192.0.2.7/32")]
    public void An_IPv4_mapped_network_is_read_as_IPv4_and_matches_its_clients(string value, string expected)
    {
        var (options, problems) = Read(value);
        Assert.That(problems, Is.Empty);
        Assert.That(options!.Node.TrustedNetworks.Select(n => n.ToString()), Is.EqualTo(new[] { expected }));
        var policy = options.Node.ToPolicy();
        Assert.Multiple(() =>
        {
            Assert.That(Groupware.Auth.Protection.IsTrusted(policy, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40110)), Is.True);
            Assert.That(Groupware.Auth.Protection.IsTrusted(policy, new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.7"), 40110)), Is.True);
            Assert.That(Groupware.Auth.Protection.IsTrusted(policy, new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40110)), Is.False);
        });
    }

    [TestCase("192.0.2.0/33")]
    [TestCase("192.0.2.0 /24")]
    [TestCase("example.com")]
    public void Something_that_is_not_a_network_is_refused(string value)
    {
        var (options, problems) = Read(value);
        Assert.That(options, Is.Null);
        Assert.That(problems.Select(p => p.ToString()), Has.One.StartsWith("Node:TrustedNetworks:0: "));
    }
}
