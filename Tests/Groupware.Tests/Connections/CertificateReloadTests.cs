using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Groupware.Tests.Connections;

/// <summary>A renewed certificate is served to the next connection without a restart.</summary>
public sealed class CertificateReloadTests
{
    [Test]
    public async Task A_replaced_certificate_is_served_to_new_connections_on_both_TLS_modes()
    {
        using var certificates = new TestCertificates();
        await using var node = await TestNode.StartAsync(n =>
        {
            n.Certificates = certificates;
            n.Protocol(new EchoProtocol()).Listener("echos", "echo", "implicit").Listener("echo", "echo", "starttls");
        });

        var original = certificates.Thumbprint;
        Assert.That(await ImplicitThumbprintAsync(node), Is.EqualTo(original));

        certificates.Replace();
        var renewed = certificates.Thumbprint;
        Assert.That(renewed, Is.Not.EqualTo(original));

        // The files are looked at, at most once a second; poll for up to ten.
        string served = original;
        for (var attempt = 0; attempt < 40 && served != renewed; attempt++)
        {
            await Task.Delay(250);
            served = await ImplicitThumbprintAsync(node);
        }

        Assert.That(served, Is.EqualTo(renewed), "implicit TLS still serves the old certificate");

        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        await client.SendLineAsync("STLS");
        await client.ReadLineAsync();
        await client.StartTlsAsync();
        Assert.That(client.RemoteCertificate!.Thumbprint, Is.EqualTo(renewed), "STARTTLS still serves the old certificate");
    }

    /// <summary>
    /// A renewal caught half-written keeps the previous certificate; the test waits until the store
    /// has read the broken files (it says so), and then proves reloading works by completing the
    /// renewal, so that a store that never reloads fails here instead of passing.
    /// </summary>
    [Test]
    public async Task A_half_written_renewal_keeps_the_previous_certificate_until_it_is_complete()
    {
        using var certificates = new TestCertificates();
        var logs = new CapturedLogs();
        await using var node = await TestNode.StartAsync(n =>
        {
            n.Certificates = certificates;
            n.Protocol(new EchoProtocol()).Listener("echos", "echo", "implicit").ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs));
        });
        var original = certificates.Thumbprint;

        await File.WriteAllTextAsync(certificates.KeyFile, "-----BEGIN PRIVATE KEY-----\ntruncated");
        for (var attempt = 0; attempt < 40 && !logs.AtLeast(LogLevel.Error).Any(m => m.Contains("cannot be served", StringComparison.Ordinal)); attempt++)
        {
            await Task.Delay(250);
            Assert.That(await ImplicitThumbprintAsync(node), Is.EqualTo(original));
        }

        Assert.That(logs.AtLeast(LogLevel.Error), Has.Some.Contains("cannot be served"), "the store looked at the half-written files");
        Assert.That(await ImplicitThumbprintAsync(node), Is.EqualTo(original));

        certificates.Replace();
        var renewed = certificates.Thumbprint;
        var served = original;
        for (var attempt = 0; attempt < 40 && served != renewed; attempt++)
        {
            await Task.Delay(250);
            served = await ImplicitThumbprintAsync(node);
        }

        Assert.That(served, Is.EqualTo(renewed), "the completed renewal is served");
    }

    [Test]
    public async Task A_renewal_that_is_not_valid_yet_keeps_the_previous_certificate_and_is_reported_once()
    {
        using var certificates = new TestCertificates();
        var logs = new CapturedLogs();
        await using var node = await TestNode.StartAsync(n =>
        {
            n.Certificates = certificates;
            n.Protocol(new EchoProtocol()).Listener("echos", "echo", "implicit")
                .ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs));
        });
        var original = certificates.Thumbprint;

        certificates.Replace(TimeSpan.FromDays(30), DateTimeOffset.UtcNow.AddDays(2));
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await Task.Delay(1100);
            Assert.That(await ImplicitThumbprintAsync(node), Is.EqualTo(original), $"handshake {attempt}");
        }

        var reports = logs.AtLeast(LogLevel.Error).Where(m => m.Contains("cannot be served", StringComparison.Ordinal)).ToList();
        Assert.That(reports, Has.Count.EqualTo(1), string.Join("\n", reports));
        Assert.That(reports[0], Does.Contain("valid only from"));
    }

    private static async Task<string> ImplicitThumbprintAsync(TestNode node)
    {
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echos"), implicitTls: true);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK echo ready"));
        return client.RemoteCertificate!.Thumbprint;
    }
}
