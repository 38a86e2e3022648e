using System.Text.Json.Nodes;
using Groupware.Server.Cli;

namespace Groupware.Tests.Configuration;

/// <summary>
/// <c>groupware config check</c>: the example passes given a certificate; each bad case is
/// rejected with exit 78 and a line naming its key.
/// </summary>
public sealed class ConfigCheckTests
{
    private TestCertificates _certificates = null!;
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _certificates = new TestCertificates();
        _directory = Directory.CreateTempSubdirectory("gwtest-config-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The example of the foundation issue, with this test's certificate.</summary>
    private JsonObject Example() => JsonNode.Parse($$"""
        { "Node": { "Name": "mail1", "AllowPlaintextAuth": false },
          "Database": { "ConnectionString": "Host=/var/run/postgresql;Database=groupware;Username=groupware" },
          "Tls": { "CertificateFile": "{{_certificates.CertificateFile}}", "KeyFile": "{{_certificates.KeyFile}}" },
          "Listeners": {
            "imap":   { "Protocol": "imap",   "Endpoint": "0.0.0.0:143",  "Tls": "starttls" },
            "imaps":  { "Protocol": "imap",   "Endpoint": "0.0.0.0:993",  "Tls": "implicit" },
            "pop3":   { "Protocol": "pop3",   "Endpoint": "0.0.0.0:110",  "Tls": "starttls" },
            "pop3s":  { "Protocol": "pop3",   "Endpoint": "0.0.0.0:995",  "Tls": "implicit" },
            "caldav": { "Protocol": "caldav", "Endpoint": "0.0.0.0:8443", "Tls": "implicit" },
            "rpc":    { "Protocol": "rpc",    "Endpoint": "0.0.0.0:237",  "Tls": "implicit" },
            "lmtp":   { "Protocol": "lmtp",   "Endpoint": "127.0.0.1:24", "Tls": "none" } } }
        """)!.AsObject();

    private (int ExitCode, string Output, string Error) Check(JsonObject config)
    {
        var path = Path.Combine(_directory, "groupware.json");
        File.WriteAllText(path, config.ToJsonString());
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = ConfigCommand.Run(path, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string[] Errors(string error) =>
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("warning:", StringComparison.Ordinal)).ToArray();

    [Test]
    public void The_example_configuration_is_accepted()
    {
        var (exitCode, output, error) = Check(Example());
        Assert.That(exitCode, Is.Zero, error);
        Assert.That(output, Does.Contain("OK (node mail1, secure, 7 listener(s)"));
        Assert.That(Errors(error), Is.Empty);
    }

    [Test]
    public void A_misspelt_TLS_mode_is_named_with_its_key()
    {
        var config = Example();
        config["Listeners"]!["imaps"]!["Tls"] = "implict";
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Does.Contain("Listeners:imaps:Tls: \"implict\" is not one of implicit, starttls, none"));
    }

    [Test]
    public void An_unknown_protocol_is_named_with_its_key()
    {
        var config = Example();
        config["Listeners"]!["rpc"]!["Protocol"] = "mapi";
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Does.Contain("Listeners:rpc:Protocol: \"mapi\" is not one of imap, pop3, lmtp, caldav, rpc, sasl, autoconfig"));
    }

    [TestCase("mail.example.com:143")]
    [TestCase("0.0.0.0")]
    [TestCase("0.0.0.0:99999")]
    [TestCase("[::1:143")]
    [TestCase("unix:relative.sock")]
    public void An_unparseable_endpoint_is_named_with_its_key(string endpoint)
    {
        var config = Example();
        config["Listeners"]!["imap"]!["Endpoint"] = endpoint;
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Has.Some.StartWith($"Listeners:imap:Endpoint: \"{endpoint}\" is not"));
    }

    [TestCase("127.0.0.1:993")]
    [TestCase("0.0.0.0:993")]
    public void A_duplicate_endpoint_names_both_listeners(string endpoint)
    {
        var config = Example();
        config["Listeners"]!["pop3s"]!["Endpoint"] = endpoint;
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Does.Contain($"Listeners:pop3s:Endpoint: \"{endpoint}\" is already used by Listeners:imaps (\"0.0.0.0:993\")"));
    }

    [Test]
    public void A_missing_certificate_is_named_with_its_key()
    {
        var config = Example();
        config["Tls"]!["CertificateFile"] = "/nonexistent/cert.pem";
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Does.Contain("Tls:CertificateFile: /nonexistent/cert.pem does not exist"));
    }

    [Test]
    public void An_unreadable_key_is_named_with_its_key()
    {
        // Root reads any file whatever its mode; a directory in the file's place cannot be read by anyone.
        var config = Example();
        config["Tls"]!["KeyFile"] = _directory;
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Has.Some.StartWith($"Tls:KeyFile: {_directory} cannot be read"));
    }

    [Test]
    public void An_expired_certificate_is_named_with_its_key()
    {
        using var expired = new TestCertificates(TimeSpan.FromDays(1), DateTimeOffset.UtcNow.AddDays(-10));
        var config = Example();
        config["Tls"]!["CertificateFile"] = expired.CertificateFile;
        config["Tls"]!["KeyFile"] = expired.KeyFile;
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Has.Some.Match($"^Tls:CertificateFile: certificate in .* expired on "));
    }

    [Test]
    public void A_key_that_does_not_match_the_certificate_is_named_with_its_key()
    {
        using var other = new TestCertificates();
        var config = Example();
        config["Tls"]!["KeyFile"] = other.KeyFile;
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Has.Some.StartWith($"Tls:KeyFile: the key in {other.KeyFile} does not match the certificate"));
    }

    [TestCase("pop3", "0.0.0.0:110")]
    [TestCase("imap", "127.0.0.1:143")]
    [TestCase("lmtp", "0.0.0.0:24")]
    public void A_clear_text_listener_on_a_secure_node_is_refused_unless_it_is_local_lmtp(string listener, string endpoint)
    {
        var config = Example();
        config["Listeners"]![listener]!["Tls"] = "none";
        config["Listeners"]![listener]!["Endpoint"] = endpoint;
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Has.Some.StartWith($"Listeners:{listener}:Tls: \"none\" is not allowed on a secure node"));
    }

    [Test]
    public void Local_lmtp_in_clear_text_on_a_unix_socket_is_allowed()
    {
        var config = Example();
        config["Listeners"]!["lmtp"]!["Endpoint"] = "unix:/run/groupware/lmtp.sock";
        Assert.That(Check(config).ExitCode, Is.Zero);
    }

    [Test]
    public void A_legacy_node_may_have_a_clear_text_pop3_listener()
    {
        var config = Example();
        config["Node"]!["AllowPlaintextAuth"] = true;
        config["Listeners"]!["pop3"]!["Tls"] = "none";
        var (exitCode, output, error) = Check(config);
        Assert.That(exitCode, Is.Zero, error);
        Assert.That(output, Does.Contain("LEGACY"));
    }

    [Test]
    public void A_secure_node_without_a_certificate_is_refused()
    {
        var config = Example();
        config.Remove("Tls");
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Does.Contain("Tls:CertificateFile: no file configured"));
        Assert.That(Errors(error), Has.Some.StartWith("Tls: a secure node (Node:AllowPlaintextAuth=false) does not start without a usable certificate"));
    }

    [Test]
    public void Every_problem_is_listed_not_only_the_first()
    {
        var config = Example();
        config["Listeners"]!["imaps"]!["Tls"] = "implict";
        config["Listeners"]!["rpc"]!["Protocol"] = "mapi";
        config["Node"]!["AllowPlaintextAuth"] = "maybe";
        config["Node"]!["Nmae"] = "typo";
        var (exitCode, _, error) = Check(config);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(Errors(error), Is.SupersetOf(new[]
        {
            "Listeners:imaps:Tls: \"implict\" is not one of implicit, starttls, none",
            "Listeners:rpc:Protocol: \"mapi\" is not one of imap, pop3, lmtp, caldav, rpc, sasl, autoconfig",
            "Node:AllowPlaintextAuth: \"maybe\" is not true or false",
        }));
        Assert.That(Errors(error), Has.Some.StartWith("Node:Nmae: is not a known key"));
    }

    [Test]
    public void An_environment_variable_overrides_the_file()
    {
        var path = Path.Combine(_directory, "groupware.json");
        File.WriteAllText(path, Example().ToJsonString());
        Environment.SetEnvironmentVariable("GROUPWARE__Listeners__imaps__Tls", "implict");
        try
        {
            var error = new StringWriter();
            Assert.That(ConfigCommand.Run(path, new StringWriter(), error), Is.EqualTo(78));
            Assert.That(Errors(error.ToString()), Does.Contain("Listeners:imaps:Tls: \"implict\" is not one of implicit, starttls, none"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GROUPWARE__Listeners__imaps__Tls", null);
        }
    }

    [Test]
    public async Task The_executable_exits_78_and_lists_the_problem()
    {
        var config = Example();
        config["Listeners"]!["imaps"]!["Tls"] = "implict";
        var path = Path.Combine(_directory, "groupware.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());

        var result = await ExternalProcess.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, "config", "check", "--config", path]);
        Assert.That(result.ExitCode, Is.EqualTo(78), result.ToString());
        Assert.That(result.Error, Does.Contain("Listeners:imaps:Tls: \"implict\" is not one of implicit, starttls, none"));
    }
}
