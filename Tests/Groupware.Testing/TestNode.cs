using System.Net;
using Groupware.Connections;
using Groupware.Server.Configuration;
using Groupware.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Testing;

/// <summary>How a test wants its node: settings as configuration keys, as an operator writes them.</summary>
public sealed class TestNodeOptions
{
    internal Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Node:Name"] = "test1",
        ["Node:AllowPlaintextAuth"] = "false",
        // Every test node's admin listener on its own ephemeral port: many nodes share one test process.
        ["Admin:Endpoint"] = "127.0.0.1:0",
    };

    internal List<LineProtocol> Protocols { get; } = [];

    internal List<Action<IServiceCollection>> Services { get; } = [];

    /// <summary>Certificate files to use; created when null and some listener needs one.</summary>
    public TestCertificates? Certificates { get; set; }

    /// <summary>The database; the run's shared one unless set.</summary>
    public string ConnectionString { get; set; } = TestDatabase.ConnectionString;

    /// <summary>Adds a listener on 127.0.0.1 with an ephemeral port (or <paramref name="endpoint"/>).</summary>
    public TestNodeOptions Listener(string name, string protocol, string tls, string endpoint = "127.0.0.1:0")
    {
        Settings[$"Listeners:{name}:Protocol"] = protocol;
        Settings[$"Listeners:{name}:Endpoint"] = endpoint;
        Settings[$"Listeners:{name}:Tls"] = tls;
        return this;
    }

    /// <summary>Sets one configuration key, e.g. <c>Limits:MaxConnectionsPerIp</c>.</summary>
    public TestNodeOptions Set(string key, string? value)
    {
        Settings[key] = value;
        return this;
    }

    /// <summary>Serves a protocol of the test's own besides those the build implements.</summary>
    public TestNodeOptions Protocol(LineProtocol protocol)
    {
        Protocols.Add(protocol);
        return this;
    }

    public TestNodeOptions ConfigureServices(Action<IServiceCollection> configure)
    {
        Services.Add(configure);
        return this;
    }
}

/// <summary>A node started in-process on ephemeral loopback ports, stopped by DisposeAsync.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly bool _ownsCertificates;

    private TestNode(GroupwareHost host, TestCertificates? certificates, bool ownsCertificates)
    {
        Host = host;
        Certificates = certificates;
        _ownsCertificates = ownsCertificates;
    }

    internal GroupwareHost Host { get; }

    public TestCertificates? Certificates { get; }

    public IServiceProvider Services => Host.Services;

    /// <summary>The bound address of a listener.</summary>
    public IPEndPoint EndPoint(string listener) => (IPEndPoint)Host.EndPointOf(listener);

    /// <summary>The bound address of the admin listener (/metrics, /health/live, /health/ready).</summary>
    public IPEndPoint AdminEndPoint => (IPEndPoint)Host.AdminEndPoint!;

    public static async Task<TestNode> StartAsync(Action<TestNodeOptions> configure)
    {
        var options = new TestNodeOptions();
        configure(options);
        var ownsCertificates = options.Certificates is null;
        var certificates = options.Certificates ?? new TestCertificates();
        options.Settings.TryAdd("Tls:CertificateFile", certificates.CertificateFile);
        options.Settings.TryAdd("Tls:KeyFile", certificates.KeyFile);
        options.Settings["Database:ConnectionString"] = options.ConnectionString;
        try
        {
            var host = await GroupwareHost.StartAsync(Read(options), services =>
            {
                foreach (var protocol in options.Protocols)
                {
                    services.AddSingleton(protocol);
                }

                foreach (var extra in options.Services)
                {
                    extra(services);
                }
            }, CancellationToken.None);
            return new TestNode(host, certificates, ownsCertificates);
        }
        catch
        {
            if (ownsCertificates)
            {
                certificates.Dispose();
            }

            throw;
        }
    }

    /// <summary>Reads the options the way <c>groupware serve</c> does, failing the test on any problem.</summary>
    internal static GroupwareOptions Read(TestNodeOptions options)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(options.Settings).Build();
        var catalog = new ProtocolCatalog([.. ProtocolRegistration.Implemented, .. options.Protocols.Select(p => p.Name)]);
        var problems = ConfigReader.Read(configuration, catalog, out var read);
        return read ?? throw new InvalidOperationException("test node configuration rejected: " + string.Join("; ", problems));
    }

    /// <summary>Stops the node gracefully (sessions say goodbye).</summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await Host.DisposeAsync();
            if (_ownsCertificates)
            {
                Certificates?.Dispose();
            }
        }
    }
}
