namespace Groupware.Tests.Deploy;

/// <summary>
/// The Debian package and the deployment guide, end to end: <c>deploy/debian/test-install.sh</c>
/// builds the .deb, installs it into a fresh Debian 12 root made with debootstrap, follows
/// deploy/README.md there as written (PostgreSQL, the package, a certificate, the secure node
/// started with its unit's command line as its user, accounts, the probe's canary, a backup and its
/// restore) and checks the node's ports, the monitoring probe, the files' permissions and that
/// <c>apt-get remove</c> leaves the data alone.
/// </summary>
public sealed class DebianPackageTests
{
    [Test]
    public async Task The_package_installs_into_a_fresh_Debian_12_root_and_the_guide_followed_there_brings_up_a_secure_node()
    {
        var result = await ExternalProcess.RunAsync(Path.Combine(Repository.Root, "deploy", "debian", "test-install.sh"), [],
            timeout: TimeSpan.FromMinutes(15));
        var lines = result.Output.TrimEnd().Split('\n');
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(lines[^1], Does.Match(@"^test-install: (\d+)/\1 checks hold$"), result.ToString());
    }
}
