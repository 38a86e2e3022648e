using System.Text.Json.Nodes;

namespace Groupware.Tests.Cli;

/// <summary><c>groupware dns records --domain D</c> through the real executable: the zone lines, each marked for its node.</summary>
public sealed class DnsRecordsCommandTests
{
    private TestCertificates _certificates = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _certificates = new TestCertificates();
        _directory = Directory.CreateTempSubdirectory("gwtest-dns-").FullName;
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<ProcessResult> RecordsAsync(JsonObject? clientSetup, string domain = "example.org")
    {
        var config = Path.Combine(_directory, $"{Guid.NewGuid():N}.json");
        var root = new JsonObject
        {
            ["Node"] = new JsonObject { ["Name"] = "dns1" },
            ["Database"] = new JsonObject { ["ConnectionString"] = TestDatabase.ConnectionString },
            ["Tls"] = new JsonObject { ["CertificateFile"] = _certificates.CertificateFile, ["KeyFile"] = _certificates.KeyFile },
        };
        if (clientSetup is not null)
        {
            root["ClientSetup"] = clientSetup;
        }

        await File.WriteAllTextAsync(config, root.ToJsonString());
        return await ExternalProcess.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, "dns", "records", "--domain", domain, "--config", config]);
    }

    private static string[] Record(string output, string name, string type) =>
        output.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) && l.Contains($" IN {type} ", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, " ; (secure|legacy) node: .*$", "").Trim()).ToArray();

    [Test]
    public async Task SRV_records_name_the_TLS_ports_first_and_every_line_names_its_node()
    {
        var result = await RecordsAsync(new JsonObject
        {
            ["HostName"] = "mail.example.net", ["SubmissionHostName"] = "smtp.example.net", ["LegacyHostName"] = "legacy.example.net", ["CalDavPort"] = 8443,
        });
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var output = result.Output;
        string Srv(string name) => Record(output, name, "SRV").Single().Split(" IN SRV ")[1].Trim();
        Assert.That(Srv("_submissions._tcp.example.org."), Is.EqualTo("0 1 465 smtp.example.net."));
        Assert.That(Srv("_submission._tcp.example.org."), Is.EqualTo("10 1 587 smtp.example.net."));
        Assert.That(Srv("_imaps._tcp.example.org."), Is.EqualTo("0 1 993 mail.example.net."));
        Assert.That(Srv("_imap._tcp.example.org."), Is.EqualTo("10 1 143 mail.example.net."));
        Assert.That(Srv("_pop3s._tcp.example.org."), Is.EqualTo("20 1 995 mail.example.net."));
        Assert.That(Srv("_pop3._tcp.example.org."), Is.EqualTo("30 1 110 mail.example.net."));
        Assert.That(Srv("_caldavs._tcp.example.org."), Is.EqualTo("0 1 8443 mail.example.net."));
        Assert.That(Srv("_caldav._tcp.example.org."), Is.EqualTo("0 0 0 ."), "RFC 2782: clear-text CalDAV is not offered");
        Assert.That(Record(output, "_caldavs._tcp.example.org.", "TXT").Single(), Does.EndWith("\"path=/\""));
        Assert.That(Record(output, "autoconfig.example.org.", "CNAME").Single(), Does.EndWith(" mail.example.net."));
        Assert.That(Record(output, "autodiscover.example.org.", "CNAME").Single(), Does.EndWith(" mail.example.net."));
        Assert.That(Record(output, "_mta-sts.example.org.", "TXT").Single(), Does.Match("\"v=STSv1; id=[0-9]{14}\""));
        Assert.That(Record(output, "_smtp._tls.example.org.", "TXT").Single(), Does.Contain("v=TLSRPTv1; rua=mailto:"));

        var records = output.Split('\n').Where(l => l.Contains(" IN ", StringComparison.Ordinal)).ToList();
        Assert.That(records, Is.All.Contains("; secure node:").Or.Contains("; legacy node:"));
        Assert.That(records.Where(l => l.Contains(" IN SRV ", StringComparison.Ordinal)), Has.None.Contains("legacy.example.net"),
            "no SRV record leads a client to the node that allows clear text");
        Assert.That(records.Single(l => l.StartsWith("legacy.example.net.", StringComparison.Ordinal)), Does.Contain("; legacy node:"));
    }

    [Test]
    public async Task A_bad_domain_is_a_usage_error_and_a_bad_configuration_a_configuration_error()
    {
        Assert.That((await RecordsAsync(null, "not a domain")).ExitCode, Is.EqualTo(64));
        var bad = await RecordsAsync(new JsonObject { ["ImapPort"] = 0 });
        Assert.That(bad.ExitCode, Is.EqualTo(78));
        Assert.That(bad.Error, Does.Contain("ClientSetup:ImapPort"));
    }
}
