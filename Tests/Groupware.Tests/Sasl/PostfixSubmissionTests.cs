using Groupware.Tests.Auth;

namespace Groupware.Tests.Sasl;

/// <summary>
/// Debian's Postfix with <c>smtpd_sasl_type = dovecot</c> pointed at our <c>sasl</c> listener, driven by swaks: a
/// submission with AUTH PLAIN after STARTTLS is accepted and queued; with <c>smtpd_tls_auth_only = no</c> and no
/// TLS, AUTH PLAIN is refused by our auth module, and <c>groupware user list --exposed</c> lists the account.
/// </summary>
public sealed class PostfixSubmissionTests
{
    private const string Password = "postfix submission pw";

    private TestNode _node = null!;
    private PostfixPeer _postfix = null!;
    private TestCertificates _certificates = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificates = new TestCertificates();
        _directory = Directory.CreateTempSubdirectory("gwtest-postfix-cli-").FullName;
        _node = await TestNode.StartAsync(n => n.Listener("sasl", "sasl", "none").Set("Node:Name", "postfix-sasl")
            .Set("Auth:FailureDelayMilliseconds", "0"));
        _postfix = await PostfixPeer.StartAsync(_node.EndPoint("sasl"), _certificates);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _postfix.DisposeAsync();
        await _node.DisposeAsync();
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static Task<ProcessResult> SwaksAsync(int port, string address, bool tls, string password = Password) =>
        ExternalProcess.RunAsync(ExternalProcess.Require("swaks"), [
            "--server", $"127.0.0.1:{port}", .. tls ? new[] { "--tls" } : [], "--auth", "PLAIN", "--auth-user", address,
            "--auth-password", password, "--from", address, "--to", "someone@example.net", "--timeout", "20"], timeout: TimeSpan.FromSeconds(60));

    private async Task<string> CreateAccountAsync(string prefix)
    {
        var login = AuthFixtures.UniqueLogin(prefix);
        await AuthFixtures.CreateAccountAsync(_node.Services, login, Password);
        return login;
    }

    [Test]
    public async Task AUTH_PLAIN_after_STARTTLS_is_accepted_and_the_message_queued()
    {
        var login = await CreateAccountAsync("pfx-tls");
        var result = await SwaksAsync(_postfix.SubmissionPort, $"{login}@example.test", tls: true);
        Assert.That(result.ExitCode, Is.Zero, $"{result}\n{_postfix.Log}");
        Assert.That(result.Output, Does.Contain("235 2.7.0 Authentication successful"));
        Assert.That(result.Output, Does.Contain("250 2.0.0 Ok: queued"));
        var row = (await AuthFixtures.AuditRowsAsync(_node.Services, "sasl")).Single(r => r.Login == $"{login}@example.test");
        Assert.That((row.Tls, row.Exposed, row.Outcome, row.RemoteAddress), Is.EqualTo((true, false, "success", "127.0.0.1")));
        Assert.That(_postfix.Log, Does.Contain($"sasl_username={login}"), "Postfix takes the user name from our OK");
    }

    [Test]
    public async Task A_wrong_password_after_STARTTLS_is_refused()
    {
        var login = await CreateAccountAsync("pfx-wrong");
        var result = await SwaksAsync(_postfix.SubmissionPort, $"{login}@example.test", tls: true, password: "not it");
        Assert.That(result.Output, Does.Contain("535 5.7.8"), result.ToString());
        Assert.That(result.Output, Does.Not.Contain("queued"));
    }

    [Test]
    public async Task AUTH_PLAIN_without_TLS_is_refused_by_the_auth_module_and_listed_as_exposed()
    {
        var login = await CreateAccountAsync("pfx-clear");
        var result = await SwaksAsync(_postfix.ClearPort, $"{login}@example.test", tls: false);
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("535 5.7.8 Error: authentication failed: Plaintext authentication disallowed"));
        Assert.That(result.Output, Does.Not.Contain("queued"));

        await AuthFixtures.AuditRowsAsync(_node.Services, "sasl");  // flushes the audit and the exposure check
        var config = Path.Combine(_directory, "groupware.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Node": { "Name": "cli1" }, "Database": { "ConnectionString": "{{TestDatabase.ConnectionString}}" },
              "Tls": { "CertificateFile": "{{_certificates.CertificateFile}}", "KeyFile": "{{_certificates.KeyFile}}" } }
            """);
        var exposed = await ExternalProcess.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, "user", "list", "--exposed", "--config", config]);
        Assert.That(exposed.ExitCode, Is.Zero, exposed.ToString());
        var line = exposed.Output.Split('\n').SingleOrDefault(l => l.StartsWith(login + " ", StringComparison.Ordinal));
        Assert.That(line, Does.Contain("LEAKED").And.Contain("postfix-sasl/sasl"), exposed.Output);
    }
}
