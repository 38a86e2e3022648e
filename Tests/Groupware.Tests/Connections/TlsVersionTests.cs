using System.Net;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// Both TLS modes negotiate TLS 1.2 and 1.3 and refuse 1.0 and 1.1 (RFC 8996), checked with
/// OpenSSL's own client. The 1.0/1.1 client lowers its security level so that it really offers
/// those versions: the refusal must come from the server.
/// </summary>
public sealed class TlsVersionTests
{
    private static TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol())
            .Listener("echos", "echo", "implicit")
            .Listener("echo", "echo", "starttls"));

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [TestCase("implicit", "-tls1_2", "TLSv1.2")]
    [TestCase("implicit", "-tls1_3", "TLSv1.3")]
    [TestCase("starttls", "-tls1_2", "TLSv1.2")]
    [TestCase("starttls", "-tls1_3", "TLSv1.3")]
    public async Task Modern_versions_are_negotiated(string mode, string flag, string version)
    {
        var result = await SClientAsync(mode, flag);
        Assert.That(result.All, Does.Contain($"Protocol version: {version}").Or.Contain($"Protocol  : {version}"), result.ToString());
    }

    [TestCase("implicit", "-tls1")]
    [TestCase("implicit", "-tls1_1")]
    [TestCase("starttls", "-tls1")]
    [TestCase("starttls", "-tls1_1")]
    public async Task Old_versions_are_refused_by_the_server(string mode, string flag)
    {
        var result = await SClientAsync(mode, flag, "DEFAULT:@SECLEVEL=0");
        await TestContext.Out.WriteLineAsync(result.ToString());
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        // Alert 70 (protocol_version) is the server's answer to the client's offer.
        Assert.That(result.All, Does.Contain("alert protocol version"), result.ToString());
        Assert.That(result.All, Does.Not.Contain("Protocol version: TLSv1"), result.ToString());
    }

    private static Task<ProcessResult> SClientAsync(string mode, string flag, string? cipher = null)
    {
        var endPoint = _node.EndPoint(mode == "implicit" ? "echos" : "echo");
        var arguments = new List<string> { "s_client", "-connect", $"{IPAddress.Loopback}:{endPoint.Port}", "-brief", flag, "-servername", "localhost" };
        if (mode == "starttls")
        {
            arguments.AddRange(["-starttls", "pop3"]);
        }

        if (cipher is not null)
        {
            arguments.AddRange(["-cipher", cipher]);
        }

        return ExternalProcess.RunAsync(ExternalProcess.Require("openssl"), arguments, standardInput: "", timeout: TimeSpan.FromSeconds(20));
    }
}
