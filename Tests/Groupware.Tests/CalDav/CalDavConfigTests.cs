using Groupware.Server.Cli;

namespace Groupware.Tests.CalDav;

/// <summary>
/// <c>groupware config check</c> for caldav listeners: implicit TLS, and on a secure node a
/// clear-text listener too (it only redirects); every other clear-text listener of a secure node
/// is still refused, and caldav has no STARTTLS.
/// </summary>
public sealed class CalDavConfigTests
{
    private TestCertificates _certificates = null!;
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _certificates = new TestCertificates();
        _directory = Directory.CreateTempSubdirectory("gwtest-caldav-config-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private (int ExitCode, string Output, string Error) Check(string listeners)
    {
        var path = Path.Combine(_directory, "groupware.json");
        File.WriteAllText(path, $$"""
            { "Node": { "Name": "cal1", "AllowPlaintextAuth": false },
              "Database": { "ConnectionString": "Host=/var/run/postgresql;Database=groupware;Username=groupware" },
              "Tls": { "CertificateFile": "{{_certificates.CertificateFile}}", "KeyFile": "{{_certificates.KeyFile}}" },
              "Listeners": { {{listeners}} } }
            """);
        var output = new StringWriter();
        var error = new StringWriter();
        return (ConfigCommand.Run(path, output, error), output.ToString(), error.ToString());
    }

    [Test]
    public void A_secure_node_may_have_a_clear_text_caldav_listener_beside_the_TLS_one()
    {
        var (exitCode, output, error) = Check("""
            "caldav": { "Protocol": "caldav", "Endpoint": "0.0.0.0:8443", "Tls": "implicit" },
            "caldavclear": { "Protocol": "caldav", "Endpoint": "0.0.0.0:8080", "Tls": "none" }
            """);
        Assert.That(exitCode, Is.Zero, error);
        Assert.That(output, Does.Contain("OK (node cal1, secure, 2 listener(s)"));
        Assert.That(error, Does.Not.Contain("not implemented"));
    }

    [Test]
    public void Other_clear_text_listeners_of_a_secure_node_are_still_refused()
    {
        var (exitCode, _, error) = Check("""
            "imapclear": { "Protocol": "imap", "Endpoint": "0.0.0.0:10143", "Tls": "none" }
            """);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(error, Does.Contain("Listeners:imapclear:Tls: \"none\" is not allowed on a secure node"));
    }

    [Test]
    public void Caldav_has_no_STARTTLS()
    {
        var (exitCode, _, error) = Check("""
            "caldav": { "Protocol": "caldav", "Endpoint": "0.0.0.0:8443", "Tls": "starttls" }
            """);
        Assert.That(exitCode, Is.EqualTo(78));
        Assert.That(error, Does.Contain("Listeners:caldav:Tls: \"starttls\" is not available for caldav"));
    }
}
