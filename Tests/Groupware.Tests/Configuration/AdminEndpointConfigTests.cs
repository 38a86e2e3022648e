using Groupware.Server.Configuration;
using Groupware.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary><c>Admin:Endpoint</c>: loopback by default, any endpoint with a warning, never a listener's.</summary>
public sealed class AdminEndpointConfigTests
{
    private static (GroupwareOptions? Options, IReadOnlyList<ConfigProblem> Problems) Read(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Node:Name"] = "mail1",
            ["Database:ConnectionString"] = "Host=/var/run/postgresql;Database=groupware;Username=groupware",
            ["Listeners:imaps:Protocol"] = "imap",
            ["Listeners:imaps:Endpoint"] = "0.0.0.0:993",
            ["Listeners:imaps:Tls"] = "implicit",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var problems = ConfigReader.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), new ProtocolCatalog(["imap"]), out var options);
        return (options, problems);
    }

    [Test]
    public void The_default_is_loopback()
    {
        var (options, problems) = Read();
        Assert.That(problems, Is.Empty);
        Assert.That(options!.Admin.Endpoint.Text, Is.EqualTo(AdminOptions.DefaultEndpoint));
        Assert.That(options.Admin.Endpoint.IsLocalOnly, Is.True);
    }

    [Test]
    public void A_unix_socket_is_accepted()
    {
        var (options, problems) = Read(("Admin:Endpoint", "unix:/run/groupware/admin.sock"));
        Assert.That(problems, Is.Empty);
        Assert.That(options!.Admin.Endpoint.UnixPath, Is.EqualTo("/run/groupware/admin.sock"));
    }

    [Test]
    public void A_public_address_is_a_warning()
    {
        var (options, problems) = Read(("Admin:Endpoint", "0.0.0.0:9180"));
        Assert.That(options, Is.Not.Null);
        Assert.That(problems.Single().ToString(), Does.StartWith("Admin:Endpoint: \"0.0.0.0:9180\" is not loopback"));
        Assert.That(problems.Single().IsWarning, Is.True);
    }

    [TestCase("nonsense", "is not IP:port")]
    [TestCase("127.0.0.1:993", "is already used by Listeners:imaps")]
    public void A_bad_endpoint_is_an_error_naming_the_key(string endpoint, string message)
    {
        var (options, problems) = Read(("Admin:Endpoint", endpoint));
        Assert.That(options, Is.Null);
        Assert.That(problems.Select(p => p.ToString()), Has.Some.StartWith("Admin:Endpoint: ").And.Some.Contains(message));
    }

    [Test]
    public void An_unknown_key_in_the_section_is_refused()
    {
        var (_, problems) = Read(("Admin:Port", "9180"));
        Assert.That(problems.Select(p => p.ToString()), Has.Some.StartWith("Admin:Port: is not a known key"));
    }
}
