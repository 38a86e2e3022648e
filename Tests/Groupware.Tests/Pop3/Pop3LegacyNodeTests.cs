namespace Groupware.Tests.Pop3;

/// <summary>
/// The legacy node (issue #4, deliverable 4): the same binary with Node:AllowPlaintextAuth=true
/// and a clear-text pop3 listener lets legacy-device accounts log in with USER/PASS in clear;
/// other accounts are refused there unless they use STLS, which still works for anyone.
/// </summary>
public sealed class Pop3LegacyNodeTests
{
    private static TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await Pop3Fixture.StartLegacyNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private static async Task<LineClient> ClearAsync()
    {
        var client = await LineClient.ConnectAsync(_node.EndPoint("pop3"), bindTo: Pop3Fixture.Loopback2);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK"));
        return client;
    }

    [Test]
    public async Task CAPA_in_clear_offers_USER_SASL_and_STLS()
    {
        await using var client = await ClearAsync();
        await client.SendLineAsync("CAPA");
        await client.ReadLineAsync();
        var capabilities = await Pop3Fixture.ReadMultiLineAsync(client);
        Assert.That(capabilities, Does.Contain("USER").And.Contain("SASL PLAIN LOGIN").And.Contain("STLS"));
    }

    [Test]
    public async Task A_legacy_device_account_logs_in_and_fetches_in_clear()
    {
        var printer = await Pop3Fixture.CreateAccountAsync(legacyDevice: true);
        await Pop3Fixture.DeliverAsync(_node, printer, Pop3Fixture.Message("scan job"));
        await using var client = await ClearAsync();
        await client.SendLineAsync($"USER {printer}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
        await client.SendLineAsync($"PASS {Pop3Fixture.Password}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Logged in."));
        await client.SendLineAsync("RETR 1");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK"));
        Assert.That(await Pop3Fixture.ReadMultiLineAsync(client), Does.Contain("Subject: scan job"));
    }

    [Test]
    public async Task A_legacy_device_account_with_a_wrong_password_is_refused()
    {
        var printer = await Pop3Fixture.CreateAccountAsync(legacyDevice: true);
        await using var client = await ClearAsync();
        await client.SendLineAsync($"USER {printer}");
        await client.ReadLineAsync();
        await client.SendLineAsync("PASS wrong");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR [AUTH] Authentication failed."));
    }

    [Test]
    public async Task A_normal_account_is_refused_in_clear_and_logs_in_after_STLS()
    {
        var person = await Pop3Fixture.CreateAccountAsync();
        await using (var clear = await ClearAsync())
        {
            await clear.SendLineAsync($"USER {person}");
            Assert.That(await clear.ReadLineAsync(), Is.EqualTo("+OK"));
            await clear.SendLineAsync($"PASS {Pop3Fixture.Password}");
            Assert.That(await clear.ReadLineAsync(), Is.EqualTo("-ERR [AUTH] This account may not log in without TLS on this server; use STLS or port 995."));
        }

        await using var tls = await ClearAsync();
        await tls.SendLineAsync("STLS");
        Assert.That(await tls.ReadLineAsync(), Is.EqualTo("+OK Begin TLS negotiation."));
        await tls.StartTlsAsync();
        await tls.SendLineAsync($"USER {person}");
        await tls.ReadLineAsync();
        await tls.SendLineAsync($"PASS {Pop3Fixture.Password}");
        Assert.That(await tls.ReadLineAsync(), Is.EqualTo("+OK Logged in."));
    }
}
