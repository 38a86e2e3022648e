using System.Text;
using Groupware.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Pop3;

/// <summary>
/// The security invariant at the POP3 level (DESIGN.md; RFC 2595 §4, RFC 3206, RFC 5034): on a
/// secure node nothing before STLS offers a way to send a password, every password sent anyway
/// is refused unchecked with -ERR [AUTH] and counted as exposed; after STLS everything works.
/// </summary>
public sealed class Pop3PlaintextPolicyTests
{
    private static TestNode _node = null!;
    private static string _login = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await Pop3Fixture.StartSecureNodeAsync();
        _login = await Pop3Fixture.CreateAccountAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private static string Plain(string login, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{login}\0{password}"));

    private static async Task<LineClient> ClearAsync()
    {
        var client = await LineClient.ConnectAsync(_node.EndPoint("pop3"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK POP3 server ready."));
        return client;
    }

    [Test]
    public async Task Before_STLS_CAPA_offers_STLS_and_no_way_to_send_a_password()
    {
        await using var client = await ClearAsync();
        await client.SendLineAsync("CAPA");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Capability list follows"));
        var capabilities = await Pop3Fixture.ReadMultiLineAsync(client);
        Assert.That(capabilities, Does.Contain("STLS"));
        Assert.That(capabilities, Does.Contain("SASL"), "SASL without mechanisms");
        Assert.That(capabilities, Has.None.StartsWith("SASL "));
        Assert.That(capabilities, Does.Not.Contain("USER"));

        await client.SendLineAsync("AUTH");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("."), "no mechanism is listed");
    }

    [TestCase("USER")]
    [TestCase("AUTH PLAIN")]
    [TestCase("AUTH LOGIN")]
    public async Task A_command_that_would_ask_for_a_password_is_refused_before_any_password_is_sent(string command)
    {
        await using var client = await ClearAsync();
        using var metrics = new MetricRecorder(_node);
        await client.SendLineAsync(command == "USER" ? $"USER {_login}" : command);
        var answer = await client.ReadLineAsync();
        Assert.That(answer, Does.StartWith("-ERR [AUTH] Plaintext authentication disallowed"), "no '+ ' challenge in clear");
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused"), Is.Zero, "no password crossed the network");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_password_sent_anyway_with_PASS_is_refused_the_same_whether_right_or_wrong_and_counted_as_exposed(bool right)
    {
        await using var client = await ClearAsync();
        using var metrics = new MetricRecorder(_node);
        await client.SendLineAsync($"USER {_login}");
        await client.ReadLineAsync();
        await client.SendLineAsync($"PASS {(right ? Pop3Fixture.Password : "wrong")}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo(
            "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections. " +
            "Your password was sent without encryption and may have been exposed; change it."));
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused", ("protocol", "pop3"), ("listener", "pop3")), Is.EqualTo(1));

        await client.SendLineAsync("STAT");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR STAT is only valid after logging in."), "still not logged in");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_password_sent_anyway_as_an_AUTH_PLAIN_initial_response_is_refused_and_counted_as_exposed(bool right)
    {
        await using var client = await ClearAsync();
        using var metrics = new MetricRecorder(_node);
        await client.SendLineAsync($"AUTH PLAIN {Plain(_login, right ? Pop3Fixture.Password : "wrong")}");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("-ERR [AUTH] Plaintext authentication disallowed"));
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused", ("protocol", "pop3")), Is.EqualTo(1));
    }

    [Test]
    public async Task After_STLS_CAPA_offers_USER_and_SASL_and_every_mechanism_logs_in()
    {
        foreach (var method in new[] { "USER", "PLAIN-IR", "PLAIN", "LOGIN" })
        {
            await using var client = await ClearAsync();
            await client.SendLineAsync("STLS");
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Begin TLS negotiation."));
            await client.StartTlsAsync();
            await client.SendLineAsync("CAPA");
            await client.ReadLineAsync();
            var capabilities = await Pop3Fixture.ReadMultiLineAsync(client);
            Assert.That(capabilities, Does.Contain("USER").And.Contain("SASL PLAIN LOGIN").And.Not.Contain("STLS"), method);

            switch (method)
            {
                case "USER":
                    await client.SendLineAsync($"USER {_login}");
                    Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
                    await client.SendLineAsync($"PASS {Pop3Fixture.Password}");
                    break;
                case "PLAIN-IR":
                    await client.SendLineAsync($"AUTH PLAIN {Plain(_login, Pop3Fixture.Password)}");
                    break;
                case "PLAIN":
                    await client.SendLineAsync("AUTH PLAIN");
                    Assert.That(await client.ReadLineAsync(), Is.EqualTo("+ "));
                    await client.SendLineAsync(Plain(_login, Pop3Fixture.Password));
                    break;
                default:
                    await client.SendLineAsync("AUTH LOGIN");
                    Assert.That(await client.ReadLineAsync(), Is.EqualTo("+ VXNlcm5hbWU6"));
                    await client.SendLineAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(_login)));
                    Assert.That(await client.ReadLineAsync(), Is.EqualTo("+ UGFzc3dvcmQ6"));
                    await client.SendLineAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Pop3Fixture.Password)));
                    break;
            }

            Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Logged in."), method);
            await client.SendLineAsync("QUIT");
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Logging out."));
        }
    }

    [Test]
    public async Task Over_TLS_a_wrong_password_gets_AUTH_and_the_SASL_exchange_can_be_cancelled()
    {
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("pop3s"), implicitTls: true);
        await client.ReadLineAsync();
        await client.SendLineAsync($"AUTH PLAIN {Plain(_login, "wrong")}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR [AUTH] Authentication failed."));

        await client.SendLineAsync("AUTH PLAIN");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+ "));
        await client.SendLineAsync("*");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR Authentication cancelled."));

        await client.SendLineAsync("AUTH PLAIN not!base64");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR Invalid base64 data in the initial response."));

        await client.SendLineAsync("AUTH CRAM-MD5");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR Unsupported authentication mechanism."));

        await client.SendLineAsync("PASS orphan");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR No username given; send USER first."));
    }

    [Test]
    public async Task STLS_forgets_a_USER_given_before_it()
    {
        await using var client = await ClearAsync();
        await client.SendLineAsync($"USER {_login}");
        await client.ReadLineAsync();
        await client.SendLineAsync("STLS");
        await client.ReadLineAsync();
        await client.StartTlsAsync();
        await client.SendLineAsync($"PASS {Pop3Fixture.Password}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR No username given; send USER first."));
    }

    [Test]
    public async Task A_command_pipelined_after_STLS_closes_the_connection()
    {
        await using var client = await ClearAsync();
        await client.SendAsync($"STLS\r\nUSER {_login}\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Begin TLS negotiation."));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    /// <summary>
    /// A password in octets that are not UTF-8 (a device sending ISO-8859-1) is still a password that
    /// crossed the connection: refused unchecked and counted as exposed like any other, not answered
    /// as an unknown command while the operator never learns of it.
    /// </summary>
    [Test]
    public async Task A_password_in_octets_that_are_not_UTF8_sent_anyway_is_refused_and_counted_as_exposed()
    {
        await using var client = await ClearAsync();
        using var metrics = new MetricRecorder(_node);
        var checks = _node.Services.GetRequiredService<AuthService>().PasswordChecks;
        await client.SendLineAsync($"USER {_login}");
        await client.ReadLineAsync();
        await client.SendAsync(IsoLatin1Pass);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("-ERR [AUTH] Plaintext authentication disallowed"));
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused", ("protocol", "pop3")), Is.EqualTo(1));
        Assert.That(_node.Services.GetRequiredService<AuthService>().PasswordChecks, Is.EqualTo(checks), "nothing was checked");
    }

    [Test]
    public async Task Over_TLS_a_password_in_octets_that_are_not_UTF8_fails_unchecked()
    {
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("pop3s"), implicitTls: true);
        await client.ReadLineAsync();
        var checks = _node.Services.GetRequiredService<AuthService>().PasswordChecks;
        await client.SendLineAsync($"USER {_login}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
        await client.SendAsync(IsoLatin1Pass);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR [AUTH] Authentication failed."));
        Assert.That(_node.Services.GetRequiredService<AuthService>().PasswordChecks, Is.EqualTo(checks), "no account's password is made of such octets");
    }

    /// <summary>
    /// A client that does not wait for the refusal of AUTH (or ignores it) sends its base64 response
    /// on the next line: a password in clear all the same, which must reach the auth module and be
    /// recorded as exposed, not be answered as an unknown command.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public async Task Credentials_sent_on_the_line_after_a_refused_AUTH_PLAIN_are_refused_and_recorded_as_exposed(bool right)
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await using var client = await ClearAsync();
        using var metrics = new MetricRecorder(_node);
        await client.SendAsync($"AUTH PLAIN\r\n{Plain(login, right ? Pop3Fixture.Password : "wrong")}\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections; use STLS"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("-ERR [AUTH] Plaintext authentication disallowed").And.Contain("may have been exposed"));
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused", ("protocol", "pop3")), Is.EqualTo(1));
        Assert.That(await ExposedAttemptsAsync(login), Is.EqualTo(new[] { ("PLAIN", "plaintext-refused", (bool?)right) }));
    }

    [Test]
    public async Task A_password_sent_after_a_refused_AUTH_LOGIN_and_its_user_name_line_is_recorded_as_exposed()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await using var client = await ClearAsync();
        await client.SendLineAsync("AUTH LOGIN");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("-ERR [AUTH] Plaintext authentication disallowed"));
        await client.SendLineAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(login)));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("-ERR [AUTH] Plaintext authentication disallowed"), "the user name is no password yet");
        await client.SendLineAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Pop3Fixture.Password)));
        Assert.That(await client.ReadLineAsync(), Does.Contain("may have been exposed"));
        Assert.That(await ExposedAttemptsAsync(login), Is.EqualTo(new[] { ("LOGIN", "plaintext-refused", (bool?)true) }));
    }

    [Test]
    public async Task A_line_after_a_refused_AUTH_that_is_not_base64_is_an_ordinary_command()
    {
        await using var client = await ClearAsync();
        await client.SendLineAsync("AUTH PLAIN");
        await client.ReadLineAsync();
        await client.SendLineAsync("STAT");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR STAT is only valid after logging in."));
        await client.SendLineAsync("dGVzdA==");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR Unknown command."), "the refused exchange is over");
    }

    [Test]
    public async Task An_AUTH_PLAIN_password_in_octets_that_are_not_UTF8_is_refused_and_recorded_as_exposed()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await using var client = await ClearAsync();
        using var metrics = new MetricRecorder(_node);
        await client.SendLineAsync("AUTH PLAIN " + Convert.ToBase64String([0, .. Encoding.UTF8.GetBytes(login), 0, (byte)'p', 0xE4, (byte)'s', (byte)'s']));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("-ERR [AUTH] Plaintext authentication disallowed").And.Contain("may have been exposed"));
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused", ("protocol", "pop3")), Is.EqualTo(1));
        Assert.That(await ExposedAttemptsAsync(login), Is.EqualTo(new[] { ("PLAIN", "plaintext-refused", (bool?)false) }));
    }

    /// <summary>The login's exposed attempts as recorded: mechanism, outcome, and whether the password was the account's.</summary>
    private static async Task<List<(string Mechanism, string Outcome, bool? Matched)>> ExposedAttemptsAsync(string login)
    {
        await _node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);
        await using var connection = await _node.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        return (await Dapper.SqlMapper.QueryAsync<(string, string, bool?)>(connection,
            "SELECT mechanism, outcome, password_matched FROM auth_attempts WHERE login = @login AND exposed ORDER BY id", new { login })).ToList();
    }

    /// <summary><c>PASS päßwort</c> in ISO-8859-1.</summary>
    private static byte[] IsoLatin1Pass => [.. "PASS p"u8, 0xE4, 0xDF, .. "wort\r\n"u8];
}
