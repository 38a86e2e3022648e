using System.Globalization;
using Groupware.Tests.Support;

namespace Groupware.Tests.Probe;

/// <summary>
/// The built executable, as Nagios or Icinga runs it: the exit code is the status and the first
/// line of standard output the status line.
/// </summary>
public sealed class ProbeExecutableTests
{
    [Test]
    public async Task The_executable_exits_with_the_status_of_each_probe()
    {
        using var certificates = new TestCertificates(TimeSpan.FromDays(30));
        await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = certificates, DisablePlaintextAuth = false });
        await using var node = await TestNode.StartAsync(n =>
        {
            n.Certificates = certificates;
            n.Protocol(new EchoProtocol()).Listener("echos", "echo", "implicit");
        });
        var passwordFile = ProbeCli.PasswordFile("secret");
        try
        {
            var imap = dovecot.Imap.Port.ToString(CultureInfo.InvariantCulture);
            var critical = await ProbeCli.RunExecutableAsync("plaintext", "--host", "127.0.0.1", "--bind", "127.0.0.2", "--imap-port", imap,
                "--user", "probe", "--password-file", passwordFile);
            Assert.That(critical.ExitCode, Is.EqualTo(2), critical.ToString());
            Assert.That(critical.StatusLine, Does.Match($@"^PLAINTEXT CRITICAL - imap/{imap}: clear-text LOGIN for probe was ACCEPTED \| imap_time=[\d.]+s;;;0$"));
            Assert.That(critical.Output.Trim().Split('\n'), Has.Length.EqualTo(1), "one line without -v");

            var ok = await ProbeCli.RunExecutableAsync("plaintext", "--host", "127.0.0.1", "--bind", "127.0.0.2", "--imap-port", imap,
                "--user", "probe", "--password-file", passwordFile, "--expect", "allowed");
            Assert.That(ok.ExitCode, Is.Zero, ok.ToString());

            var warning = await ProbeCli.RunExecutableAsync("tls", "--host", "127.0.0.1", "--port",
                node.EndPoint("echos").Port.ToString(CultureInfo.InvariantCulture), "--insecure", "--warn-days", "40");
            Assert.That(warning.ExitCode, Is.EqualTo(1), warning.ToString());
            Assert.That(warning.StatusLine, Does.StartWith("TLS WARNING - 127.0.0.1:").And.EndWith("days_left=29;40:;7:"));

            var unknown = await ProbeCli.RunExecutableAsync("plaintext", "--host", "127.0.0.1", "--imap-port", GarbageServer.ClosedPort().ToString(CultureInfo.InvariantCulture),
                "--no-credentials");
            Assert.That(unknown.ExitCode, Is.EqualTo(3), unknown.ToString());
            Assert.That(unknown.StatusLine, Does.StartWith("PLAINTEXT UNKNOWN - "));

            var usage = await ProbeCli.RunExecutableAsync("tls", "--port", "993");
            Assert.That(usage.ExitCode, Is.EqualTo(3), "a usage error is UNKNOWN: " + usage);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }
}
