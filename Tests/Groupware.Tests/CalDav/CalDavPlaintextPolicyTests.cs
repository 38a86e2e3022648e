using Dapper;
using Groupware.Auth;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// The security invariant for HTTP (DESIGN.md): on a secure node the clear-text caldav listener
/// only redirects to the HTTPS listener; a request that carries Basic credentials there gets 403,
/// right password or wrong alike, and the auth module records it as exposed without checking it.
/// Over TLS, Basic (RFC 7617) is the one way in, decided by the auth module. On a legacy node
/// the clear-text listener serves the accounts the legacy policy allows.
/// </summary>
public sealed class CalDavPlaintextPolicyTests
{
    private static TestNode _node = null!;
    private static string _login = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await StartSecureNodeAsync();
        _login = await CreateAccountAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task Over_TLS_a_request_without_credentials_is_asked_for_Basic()
    {
        using var client = Client(_node, null);
        using var response = await client.SendAsync("PROPFIND", "/", "", "0");
        Assert.That((int)response.StatusCode, Is.EqualTo(401));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"groupware\", charset=\"UTF-8\""));
    }

    [Test]
    public async Task Over_TLS_a_wrong_password_is_401_and_the_right_one_is_served()
    {
        using var wrong = Client(_node, _login, "not the password");
        using var refused = await wrong.SendAsync("PROPFIND", $"/calendars/{_login}/", "", "0");
        Assert.That((int)refused.StatusCode, Is.EqualTo(401));

        using var right = Client(_node, _login);
        using var served = await right.SendAsync("PROPFIND", $"/calendars/{_login}/", "", "0");
        Assert.That((int)served.StatusCode, Is.EqualTo(207));
    }

    [TestCase("GET", 301)]
    [TestCase("PROPFIND", 308)]
    public async Task The_clear_text_listener_redirects_to_the_same_URL_over_https(string method, int status)
    {
        using var client = Client(_node, null, listener: "caldavclear");
        using var response = await client.SendAsync(method, $"/calendars/{_login}/default/?x=1");
        Assert.That((int)response.StatusCode, Is.EqualTo(status));
        Assert.That(response.Headers.Location, Is.EqualTo(new Uri($"https://127.0.0.1:{_node.EndPoint("caldav").Port}/calendars/{_login}/default/?x=1")));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Basic_credentials_in_clear_get_403_right_or_wrong_and_are_recorded_as_exposed(bool right)
    {
        var login = await CreateAccountAsync();
        using var client = Client(_node, login, right ? Password : "wrong", listener: "caldavclear");
        using var response = await client.SendAsync("PROPFIND", "/", "", "0");
        Assert.That((int)response.StatusCode, Is.EqualTo(403));
        Assert.That(response.Headers.Location, Is.Null, "no redirect that the client would follow with the same credentials");
        Assert.That(await ExposedAttemptsAsync(_node, login), Is.EqualTo(new[] { ("BASIC", "plaintext-refused", (bool?)right) }));
    }

    [Test]
    public async Task On_a_legacy_node_a_legacy_device_is_served_in_clear_and_other_accounts_are_refused_unchecked()
    {
        await using var legacy = await StartLegacyNodeAsync();
        var device = await CreateAccountAsync(legacyDevice: true);
        var person = await CreateAccountAsync();

        using var deviceClient = Client(legacy, device, listener: "caldavclear");
        using var served = await deviceClient.SendAsync("PROPFIND", $"/calendars/{device}/", "", "0");
        Assert.That((int)served.StatusCode, Is.EqualTo(207));

        using var personClient = Client(legacy, person, listener: "caldavclear");
        using var refused = await personClient.SendAsync("PROPFIND", $"/calendars/{person}/", "", "0");
        Assert.That((int)refused.StatusCode, Is.EqualTo(403));
        Assert.That(await ExposedAttemptsAsync(legacy, person), Is.EqualTo(new[] { ("BASIC", "not-allowed-on-this-node", (bool?)true) }));
    }

    private static async Task<List<(string Mechanism, string Outcome, bool? Matched)>> ExposedAttemptsAsync(TestNode node, string login)
    {
        await node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);
        await using var connection = await node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        return (await connection.QueryAsync<(string, string, bool?)>(
            "SELECT mechanism, outcome, password_matched FROM auth_attempts WHERE login = @login AND exposed ORDER BY id", new { login })).ToList();
    }
}
