using System.Globalization;
using System.Net;
using Groupware.Connections;
using Groupware.Tests.Support;

namespace Groupware.Tests.Probe;

/// <summary>A running TLS service the plugins are pointed at, stopped with the test.</summary>
public sealed record ServedTarget(IPEndPoint EndPoint, IAsyncDisposable Server);

/// <summary>How to start one kind of implicit-TLS server with given certificates.</summary>
public sealed record PluginTarget(string Name, Func<TestCertificates, Task<ServedTarget>> StartAsync)
{
    public override string ToString() => Name;

    public static PluginTarget DovecotImaps { get; } = new("dovecot imaps", async certificates =>
    {
        var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = certificates });
        return new ServedTarget(dovecot.Imaps!, dovecot);
    });

    public static PluginTarget DovecotPop3s { get; } = new("dovecot pop3s", async certificates =>
    {
        var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = certificates });
        return new ServedTarget(dovecot.Pop3s!, dovecot);
    });

    /// <summary>
    /// One implicit-TLS listener of our node serving <paramref name="protocol"/>: a protocol this build
    /// implements, or the test's own (<paramref name="testProtocol"/>) registered for the occasion.
    /// </summary>
    public static PluginTarget Node(string protocol, Func<LineProtocol>? testProtocol = null) => new($"groupware {protocol} implicit", async certificates =>
    {
        var node = await TestNode.StartAsync(n =>
        {
            n.Certificates = certificates;
            if (testProtocol is not null)
            {
                n.Protocol(testProtocol());
            }

            n.Listener("target", protocol, "implicit");
        });
        return new ServedTarget(node.EndPoint("target"), node);
    });
}

/// <summary>
/// Debian's monitoring-plugins (check_imap/check_pop with <c>-S</c>, check_simap/check_spop) with
/// <c>-D</c> for certificate days, against implicit-TLS services: the conventions operators already
/// use fit the servers under test. Adding a target is one line in <see cref="Checks"/>.
/// </summary>
public sealed class MonitoringPluginsTests
{
    private const string Plugins = "/usr/lib/nagios/plugins";

    public static IEnumerable<TestCaseData> Checks()
    {
        yield return Check("check_imap", ["-S"], PluginTarget.DovecotImaps);
        yield return Check("check_simap", [], PluginTarget.DovecotImaps);
        yield return Check("check_pop", ["-S"], PluginTarget.DovecotPop3s);
        yield return Check("check_spop", [], PluginTarget.DovecotPop3s);
        // Our own front-ends, one line each as they land (IMAP: `Check("check_imap", ["-S"], PluginTarget.Node("imap"))`).
        yield return Check("check_spop", [], PluginTarget.Node("pop3"));
        yield return Check("check_pop", ["-S"], PluginTarget.Node("pop3"));
    }

    [TestCaseSource(nameof(Checks))]
    public async Task The_plugin_is_OK_with_days_to_spare_and_alarms_as_the_certificate_runs_out(string plugin, string[] flags, PluginTarget target)
    {
        using var certificates = new TestCertificates(TimeSpan.FromDays(30));
        var served = await target.StartAsync(certificates);
        await using (served.Server)
        {
            var ok = await RunAsync(plugin, served, [.. flags]);
            Assert.That(ok.ExitCode, Is.Zero, ok.ToString());
            Assert.That(ok.Output, Does.Contain(" OK - "));

            var enough = await RunAsync(plugin, served, [.. flags, "-D", "21,7"]);
            Assert.That(enough.ExitCode, Is.Zero, enough.ToString());

            var warning = await RunAsync(plugin, served, [.. flags, "-D", "60,7"]);
            Assert.That(warning.ExitCode, Is.EqualTo(1), warning.ToString());
            Assert.That(warning.Output, Does.Contain("WARNING"));

            var critical = await RunAsync(plugin, served, [.. flags, "-D", "60,45"]);
            Assert.That(critical.ExitCode, Is.EqualTo(2), critical.ToString());
            Assert.That(critical.Output, Does.Contain("CRITICAL"));
        }
    }

    private static TestCaseData Check(string plugin, string[] flags, PluginTarget target) =>
        new TestCaseData(plugin, flags, target).SetArgDisplayNames(plugin, string.Join(' ', flags), target.Name);

    private static async Task<ProcessResult> RunAsync(string plugin, ServedTarget served, string[] flags)
    {
        var path = Path.Combine(Plugins, plugin);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing; deploy/dev/test.sh installs monitoring-plugins-basic");
        }

        var result = await ExternalProcess.RunAsync(path,
            ["-H", served.EndPoint.Address.ToString(), "-p", served.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "-t", "10", .. flags],
            timeout: TimeSpan.FromSeconds(30));
        await TestContext.Out.WriteLineAsync($"{plugin} {string.Join(' ', flags)}: exit {result.ExitCode}: {result.Output.Trim()}");
        return result;
    }
}
