using System.Globalization;
using System.Text.RegularExpressions;
using Groupware.Tests.Auth;

namespace Groupware.Tests.Sasl;

/// <summary>
/// The Postfix lines of deploy/postfix/ as shipped, in a private Postfix on loopback: main.cf's SASL and TLS
/// settings (pointed at the test node and certificate) and master.cf's submission and submissions services (on
/// free ports, without the chroot a private instance lacks). Submission takes AUTH only after STARTTLS;
/// submissions is TLS from the first octet.
/// </summary>
public sealed partial class DeployPostfixLinesTests
{
    private const string Password = "deploy postfix pw";

    private TestNode _node = null!;
    private PostfixPeer _postfix = null!;
    private TestCertificates _certificates = null!;
    private int _submission;
    private int _submissions;
    private string _address = null!;

    [GeneratedRegex(@"^(submissions?)\s+inet\s+n\s+-\s+y\s", RegexOptions.Multiline)]
    private static partial Regex ServiceLine();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificates = new TestCertificates();
        _node = await TestNode.StartAsync(n => n.Listener("sasl", "sasl", "none").Set("Auth:FailureDelayMilliseconds", "0"));
        var login = AuthFixtures.UniqueLogin("deploy");
        await AuthFixtures.CreateAccountAsync(_node.Services, login, Password);
        _address = $"{login}@example.test";

        var sasl = _node.EndPoint("sasl");
        var main = (await File.ReadAllTextAsync(Path.Combine(Repository.Root, "deploy", "postfix", "main.cf")))
            .Replace("inet:127.0.0.1:12345", $"inet:{sasl.Address}:{sasl.Port.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal)
            .Replace("/etc/groupware/tls/fullchain.pem", _certificates.CertificateFile, StringComparison.Ordinal)
            .Replace("/etc/groupware/tls/privkey.pem", _certificates.KeyFile, StringComparison.Ordinal);
        _submission = LoopbackPorts.Free();
        _submissions = LoopbackPorts.Free();
        var master = ServiceLine().Replace(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "deploy", "postfix", "master.cf")),
            m => $"127.0.0.1:{(m.Groups[1].Value == "submission" ? _submission : _submissions).ToString(CultureInfo.InvariantCulture)} inet n - n ");
        Assert.That(master, Does.Contain($"127.0.0.1:{_submission} inet").And.Contain($"127.0.0.1:{_submissions} inet"));
        _postfix = await PostfixPeer.StartAsync(sasl, _certificates, main, master);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _postfix.DisposeAsync();
        await _node.DisposeAsync();
        _certificates.Dispose();
    }

    private Task<ProcessResult> SwaksAsync(int port, params string[] tls) =>
        ExternalProcess.RunAsync(ExternalProcess.Require("swaks"), [
            "--server", $"127.0.0.1:{port}", .. tls, "--auth", "PLAIN", "--auth-user", _address, "--auth-password", Password,
            "--from", _address, "--to", "someone@example.net", "--timeout", "20"], timeout: TimeSpan.FromSeconds(60));

    [Test]
    public async Task Submission_on_587_takes_AUTH_after_STARTTLS()
    {
        var result = await SwaksAsync(_submission, "--tls");
        Assert.That(result.ExitCode, Is.Zero, $"{result}\n{_postfix.Log}");
        Assert.That(result.Output, Does.Contain("235 2.7.0 Authentication successful").And.Contain("250 2.0.0 Ok: queued"));
    }

    [Test]
    public async Task Submission_on_587_offers_no_AUTH_before_STARTTLS()
    {
        var result = await SwaksAsync(_submission);
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Output, Does.Not.Contain("250-AUTH").And.Not.Contain("-> AUTH"), "no password is sent");
        Assert.That(result.Output, Does.Not.Contain("queued"));
    }

    [Test]
    public async Task Submissions_on_465_is_TLS_from_the_first_octet()
    {
        var result = await SwaksAsync(_submissions, "--tls-on-connect");
        Assert.That(result.ExitCode, Is.Zero, $"{result}\n{_postfix.Log}");
        Assert.That(result.Output, Does.Contain("235 2.7.0 Authentication successful").And.Contain("250 2.0.0 Ok: queued"));
    }
}
