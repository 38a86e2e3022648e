using System.Text;
using Dapper;
using Groupware.Auth;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Groupware.Tests.Imap;

/// <summary>
/// The security invariant at the IMAP level (DESIGN.md; RFC 9051 §6.2.3, §11.1; RFC 5530; RFC 8314):
/// on a secure node's clear-text port the capability list offers STARTTLS and LOGINDISABLED and no
/// AUTH=; LOGIN and AUTHENTICATE answer NO [PRIVACYREQUIRED]; a password sent anyway is refused
/// unchecked, recorded as exposed, and the client is told with an untagged ALERT first. After
/// STARTTLS everything works.
/// </summary>
public sealed class ImapPlaintextPolicyTests
{
    private static TestNode _node = null!;
    private static string _login = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await ImapFixture.StartSecureNodeAsync();
        _login = await ImapFixture.CreateAccountAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private static async Task<LineClient> ClearAsync()
    {
        var client = await LineClient.ConnectAsync(_node.EndPoint("imap"));
        var greeting = await client.ReadLineAsync();
        Assert.That(greeting, Does.StartWith("* OK [CAPABILITY ").And.Contain(" STARTTLS").And.Contain(" LOGINDISABLED").And.Not.Contain("AUTH="));
        return client;
    }

    [Test]
    public async Task Before_STARTTLS_the_capabilities_offer_STARTTLS_and_LOGINDISABLED_and_no_mechanism()
    {
        await using var client = await ClearAsync();
        await Transcript.PlayAsync(client, """
            C: a1 CAPABILITY
            S: * CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE SASL-IR STARTTLS LOGINDISABLED
            S: a1 OK Capability completed.
            """);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task LOGIN_in_clear_is_refused_the_same_whether_right_or_wrong_with_an_alert_and_recorded_as_exposed(bool right)
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ClearAsync();
        using var metrics = new MetricRecorder(_node);
        await Transcript.PlayAsync(client, $"""
            C: a1 LOGIN {login} "{(right ? ImapFixture.Password : "wrong")}"
            S: * BAD [ALERT] Your password was sent in clear text over an unencrypted connection and may have been exposed; *
            S: a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.
            C: a2 SELECT INBOX
            S: a2 BAD SELECT is only valid after logging in.
            """);
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused", ("protocol", "imap"), ("listener", "imap")), Is.EqualTo(1));
        Assert.That(await ExposedAttemptsAsync(login), Is.EqualTo(new[] { ("LOGIN-COMMAND", "plaintext-refused", (bool?)right) }));
    }

    [Test]
    public async Task AUTHENTICATE_in_clear_is_refused_before_any_challenge()
    {
        await using var client = await ClearAsync();
        using var metrics = new MetricRecorder(_node);
        await Transcript.PlayAsync(client, """
            C: a1 AUTHENTICATE PLAIN
            S: a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections; use STARTTLS.
            C: a2 AUTHENTICATE LOGIN
            S: a2 NO [PRIVACYREQUIRED] *
            """);
        Assert.That(metrics.Sum("groupware.plaintext.credentials.refused"), Is.Zero, "no password crossed the network");
    }

    [Test]
    public async Task Credentials_in_an_initial_response_or_on_the_line_after_the_refusal_are_refused_and_recorded_as_exposed()
    {
        var login = await ImapFixture.CreateAccountAsync();
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{login}\0{ImapFixture.Password}"));
        await using var client = await ClearAsync();
        await Transcript.PlayAsync(client, $"""
            C: a1 AUTHENTICATE PLAIN {plain}
            S: * BAD [ALERT] *
            S: a1 NO [PRIVACYREQUIRED] *
            C: a2 AUTHENTICATE PLAIN
            S: a2 NO [PRIVACYREQUIRED] *
            C: {plain}
            S: * BAD [ALERT] *
            S: * BAD [PRIVACYREQUIRED] *
            """);
        Assert.That(await ExposedAttemptsAsync(login), Is.EqualTo(new[] { ("PLAIN", "plaintext-refused", (bool?)true), ("PLAIN", "plaintext-refused", (bool?)true) }));
    }

    [Test]
    public async Task After_STARTTLS_the_mechanisms_are_offered_and_LOGIN_and_AUTHENTICATE_work()
    {
        await using var client = await ClearAsync();
        await Transcript.PlayAsync(client, """
            C: a1 STARTTLS
            S: a1 OK Begin TLS negotiation now.
            """);
        await client.StartTlsAsync();
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{_login}\0{ImapFixture.Password}"));
        await Transcript.PlayAsync(client, $"""
            C: a2 CAPABILITY
            S: * CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE SASL-IR AUTH=PLAIN AUTH=LOGIN
            S: a2 OK Capability completed.
            C: a3 STARTTLS
            S: a3 BAD TLS is already active.
            C: a4 AUTHENTICATE PLAIN
            S: +*
            C: {plain}
            S: a4 OK [CAPABILITY IMAP4rev1 IMAP4rev2 *] Logged in.
            C: a5 LOGOUT
            S: * BYE Logging out.
            S: a5 OK Logout completed.
            """);
    }

    [Test]
    public async Task A_command_pipelined_after_STARTTLS_closes_the_connection()
    {
        await using var client = await ClearAsync();
        await client.SendAsync("a1 STARTTLS\r\nb CAPABILITY\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("a1 OK Begin TLS negotiation now."));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task On_the_implicit_TLS_port_STARTTLS_is_BAD_and_LOGIN_works()
    {
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("imaps"), implicitTls: true);
        await Transcript.PlayAsync(client, $"""
            S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE SASL-IR AUTH=PLAIN AUTH=LOGIN] IMAP server ready.
            C: a1 STARTTLS
            S: a1 BAD TLS is already active.
            C: a2 LOGIN {_login} "wrong"
            S: a2 NO [AUTHENTICATIONFAILED] Authentication failed.
            C: a3 LOGIN {_login} "{ImapFixture.Password}"
            S: a3 OK [CAPABILITY *] Logged in.
            """);
    }

    /// <summary>The login's exposed attempts as recorded: mechanism, outcome, and whether the password was the account's.</summary>
    private static async Task<List<(string Mechanism, string Outcome, bool? Matched)>> ExposedAttemptsAsync(string login)
    {
        await _node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);
        await using var connection = await _node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        return (await connection.QueryAsync<(string, string, bool?)>(
            "SELECT mechanism, outcome, password_matched FROM auth_attempts WHERE login = @login AND exposed ORDER BY id", new { login })).ToList();
    }
}
