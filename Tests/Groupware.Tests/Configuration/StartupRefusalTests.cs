using Groupware.Server.Hosting;
using Groupware.Tests.Support;

namespace Groupware.Tests.Configuration;

/// <summary>What <c>groupware serve</c> refuses at start-up, beyond what <c>config check</c> sees.</summary>
public sealed class StartupRefusalTests
{
    [Test]
    public void A_listener_whose_protocol_is_not_implemented_is_refused_with_a_clear_message()
    {
        // Every standard protocol is served now: a build without the RPC front-end is made by taking its registration out.
        var e = Assert.ThrowsAsync<StartupException>(async () =>
            await TestNode.StartAsync(n => n.Listener("rpc", "rpc", "implicit").ConfigureServices(services =>
            {
                foreach (var frontEnd in services.Where(d => d.ServiceType == typeof(Groupware.Connections.HttpFrontEnd)
                    && d.ImplementationType?.Name == "RpcProtocol").ToList())
                {
                    services.Remove(frontEnd);
                }
            })));
        Assert.That(e!.ExitCode, Is.EqualTo(GroupwareHost.ExConfig));
        Assert.That(e.Problems.Select(p => p.ToString()), Has.Some.StartWith("Listeners:rpc:Protocol: \"rpc\" is not implemented in this version"));
    }

    [Test]
    public void An_unreachable_database_is_refused_with_its_key()
    {
        var e = Assert.ThrowsAsync<StartupException>(async () =>
            await TestNode.StartAsync(n =>
            {
                n.ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=3";
                n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls");
            }));
        Assert.That(e!.ExitCode, Is.EqualTo(GroupwareHost.ExUnavailable));
        Assert.That(e.Problems.Select(p => p.ToString()), Has.Some.StartWith("Database:ConnectionString: the database is unreachable"));
    }

    [Test]
    public void A_secure_node_does_not_start_without_a_usable_certificate()
    {
        using var certificates = new TestCertificates();
        File.WriteAllText(certificates.KeyFile, "not a key");
        var e = Assert.ThrowsAsync<StartupException>(async () =>
            await TestNode.StartAsync(n =>
            {
                n.Certificates = certificates;
                n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls");
            }));
        Assert.That(e!.Problems.Select(p => p.ToString()), Has.Some.StartWith("Tls: a secure node (Node:AllowPlaintextAuth=false) does not start without a usable certificate"));
    }
}
