using System.Globalization;
using Groupware.Tests.Probe;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// <c>groupware probe tls</c> on the CalDAV listener, implicit TLS as on 8443 (issue 11: "probe tls
/// covers 8443"): Kestrel's HTTPS handshake without ALPN from the probe, the certificate's days
/// left, CRITICAL for the self-signed certificate unless <c>--insecure</c>; and the listener
/// serves CalDAV as before after the probe has come and gone.
/// </summary>
public sealed class CalDavTlsProbeTests
{
    private static TestCertificates _certificates = null!;
    private static TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificates = new TestCertificates(TimeSpan.FromDays(30));
        _node = await StartSecureNodeAsync(n => n.Certificates = _certificates);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        _certificates.Dispose();
    }

    private static string[] Arguments(params string[] more) =>
        ["tls", "-H", "127.0.0.1", "-p", _node.EndPoint("caldav").Port.ToString(CultureInfo.InvariantCulture), .. more];

    [Test]
    public async Task The_https_listener_is_OK_with_insecure_and_reports_the_days_left()
    {
        var run = await ProbeCli.RunAsync(Arguments("--insecure"));
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StatusLine, Does.StartWith("TLS OK - ").And.Match("TLSv1\\.[23] ").And.Contain("chain not verified (--insecure)"));
        Assert.That(run.StatusLine, Does.Match(@"\| time=[\d.]+s;;;0 days_left=29;21:;7:$"));

        var login = await CreateAccountAsync();
        using var client = Client(_node, login);
        using var response = await client.SendAsync("PROPFIND", $"/calendars/{login}/", depth: "0");
        Assert.That((int)response.StatusCode, Is.EqualTo(207), "the listener still serves CalDAV");
    }

    [Test]
    public async Task The_self_signed_certificate_is_CRITICAL_without_insecure_and_WARNING_within_warn_days()
    {
        var strict = await ProbeCli.RunAsync(Arguments());
        Assert.That(strict.ExitCode, Is.EqualTo(2), strict.ToString());
        Assert.That(strict.StatusLine, Does.StartWith("TLS CRITICAL - ").And.Contain("the certificate chain does not verify"));

        var warning = await ProbeCli.RunAsync(Arguments("--insecure", "--warn-days", "45"));
        Assert.That(warning.ExitCode, Is.EqualTo(1), warning.ToString());
        Assert.That(warning.StatusLine, Does.StartWith("TLS WARNING - ").And.Contain("expires in 29 day(s)"));
    }
}
