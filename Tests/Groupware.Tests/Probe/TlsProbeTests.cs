using System.Globalization;
using Groupware.Tests.Support;

namespace Groupware.Tests.Probe;

/// <summary>
/// <c>groupware probe tls</c> against our own listeners (EchoProtocol on an implicit-TLS listener
/// and on a STARTTLS listener, which speaks POP3's STLS) and against Dovecot's STARTTLS for IMAP
/// and POP3: a self-signed certificate is CRITICAL unless <c>--insecure</c>; an expired one is
/// CRITICAL always; fewer days left than <c>--warn-days</c> is a WARNING, than <c>--crit-days</c>
/// CRITICAL.
/// </summary>
public sealed class TlsProbeTests
{
    private TestCertificates _certificates = null!;
    private TestNode _node = null!;
    private DovecotPeer _dovecot = null!;

    public enum Target
    {
        NodeImplicit,
        NodeStartTls,
        DovecotImap,
        DovecotPop3,
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificates = new TestCertificates(TimeSpan.FromDays(30));
        _node = await TestNode.StartAsync(n =>
        {
            n.Certificates = _certificates;
            n.Protocol(new EchoProtocol()).Listener("echos", "echo", "implicit").Listener("echo", "echo", "starttls");
        });
        _dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = _certificates });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        await _dovecot.DisposeAsync();
        _certificates.Dispose();
    }

    [TestCase(Target.NodeImplicit)]
    [TestCase(Target.NodeStartTls)]
    [TestCase(Target.DovecotImap)]
    [TestCase(Target.DovecotPop3)]
    public async Task A_self_signed_certificate_is_CRITICAL_without_insecure(Target target)
    {
        var run = await ProbeCli.RunAsync(Arguments(target));
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("TLS CRITICAL - ").And.Contain("the certificate chain does not verify"));
    }

    [TestCase(Target.NodeImplicit)]
    [TestCase(Target.NodeStartTls)]
    [TestCase(Target.DovecotImap)]
    [TestCase(Target.DovecotPop3)]
    public async Task A_self_signed_certificate_is_OK_with_insecure(Target target)
    {
        var run = await ProbeCli.RunAsync([.. Arguments(target), "--insecure"]);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("TLS OK - ").And.Match("TLSv1\\.[23] ").And.Contain("chain not verified (--insecure)"));
        Assert.That(run.StatusLine, Does.Match(@"\| time=[\d.]+s;;;0 days_left=29;21:;7:$"));
    }

    [TestCase(Target.NodeImplicit)]
    [TestCase(Target.DovecotImap)]
    public async Task Fewer_days_left_than_warn_days_is_a_WARNING_and_than_crit_days_CRITICAL(Target target)
    {
        var warning = await ProbeCli.RunAsync([.. Arguments(target), "--insecure", "--warn-days", "45"]);
        Assert.That(warning.ExitCode, Is.EqualTo(1), warning.ToString());
        Assert.That(warning.StatusLine, Does.StartWith("TLS WARNING - ").And.Contain("expires in 29 day(s)").And.Contain("days_left=29;45:;7:"));

        var critical = await ProbeCli.RunAsync([.. Arguments(target), "--insecure", "--warn-days", "60", "--crit-days", "45"]);
        Assert.That(critical.ExitCode, Is.EqualTo(2), critical.ToString());
        Assert.That(critical.StatusLine, Does.StartWith("TLS CRITICAL - ").And.Contain("(--crit-days 45)"));
    }

    [Test]
    public async Task A_name_the_certificate_does_not_carry_is_CRITICAL()
    {
        var run = await ProbeCli.RunAsync([.. Arguments(Target.NodeImplicit), "--sni", "mail.example.test"]);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StatusLine, Does.Contain("the certificate does not name mail.example.test"));
    }

    [Test]
    public async Task An_expired_certificate_is_CRITICAL_even_with_insecure_on_our_listeners()
    {
        // A secure node does not start with an expired certificate, nor reload one while its own is
        // valid; it goes on serving its own after it runs out, as when a renewal never came.
        using var certificates = new TestCertificates(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(4), DateTimeOffset.UtcNow.AddHours(-1));
        await using var node = await TestNode.StartAsync(n =>
        {
            n.Certificates = certificates;
            n.Protocol(new EchoProtocol()).Listener("echos", "echo", "implicit").Listener("echo", "echo", "starttls");
        });

        ProbeRun run = null!;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            run = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", Port(node.EndPoint("echos").Port), "--insecure");
            if (run.StatusLine.Contains("EXPIRED", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("TLS CRITICAL - ").And.Contain("the certificate EXPIRED on"));

        var starttls = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", Port(node.EndPoint("echo").Port), "--starttls", "pop3", "--insecure");
        Assert.That(starttls.ExitCode, Is.EqualTo(2), starttls.ToString());
        Assert.That(starttls.StatusLine, Does.Contain("EXPIRED"));
    }

    [Test]
    public async Task An_expired_certificate_is_CRITICAL_on_Dovecot()
    {
        using var expired = new TestCertificates(TimeSpan.FromDays(30), DateTimeOffset.UtcNow.AddDays(-40));
        await using var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = expired });
        var run = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", Port(dovecot.Imap.Port), "--starttls", "imap", "--insecure");
        Assert.That(run.ExitCode, Is.EqualTo(2), $"{run}\n{dovecot.Log}");
        Assert.That(run.StatusLine, Does.Contain("the certificate EXPIRED on"));
    }

    [Test]
    public async Task An_upgrade_the_server_refuses_is_CRITICAL()
    {
        // EchoProtocol on a clear-text listener of a legacy node answers STLS with -ERR.
        await using var legacy = await TestNode.StartAsync(n => n.Set("Node:AllowPlaintextAuth", "true")
            .Protocol(new EchoProtocol()).Listener("echo", "echo", "none"));
        var run = await ProbeCli.RunAsync("tls", "-H", "127.0.0.1", "-p", Port(legacy.EndPoint("echo").Port), "--starttls", "pop3");
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("TLS CRITICAL - ").And.Contain("STLS refused: -ERR STLS not available"));
    }

    private string[] Arguments(Target target) => target switch
    {
        Target.NodeImplicit => ["tls", "-H", "127.0.0.1", "-p", Port(_node.EndPoint("echos").Port)],
        Target.NodeStartTls => ["tls", "-H", "127.0.0.1", "-p", Port(_node.EndPoint("echo").Port), "--starttls", "pop3"],
        Target.DovecotImap => ["tls", "-H", "127.0.0.1", "-p", Port(_dovecot.Imap.Port), "--starttls", "imap"],
        _ => ["tls", "-H", "127.0.0.1", "-p", Port(_dovecot.Pop3.Port), "--starttls", "pop3"],
    };

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
