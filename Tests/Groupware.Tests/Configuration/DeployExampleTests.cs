using Groupware.Server.Cli;

namespace Groupware.Tests.Configuration;

/// <summary>
/// The example configurations under deploy/config/ pass <c>groupware config check</c> as shipped,
/// given a certificate (set through environment variables, as an operator's unit file may).
/// </summary>
public sealed class DeployExampleTests
{
    [TestCase("secure-node.json", "secure")]
    [TestCase("legacy-node.json", "LEGACY: clear-text logins allowed")]
    public void The_example_passes_config_check(string file, string kind)
    {
        using var certificates = new TestCertificates();
        var path = Path.Combine(Repository.Root, "deploy", "config", file);
        Environment.SetEnvironmentVariable("GROUPWARE__Tls__CertificateFile", certificates.CertificateFile);
        Environment.SetEnvironmentVariable("GROUPWARE__Tls__KeyFile", certificates.KeyFile);
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.That(ConfigCommand.Run(path, output, error), Is.Zero, error.ToString());
            Assert.That(output.ToString(), Does.Contain(kind));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GROUPWARE__Tls__CertificateFile", null);
            Environment.SetEnvironmentVariable("GROUPWARE__Tls__KeyFile", null);
        }
    }
}
