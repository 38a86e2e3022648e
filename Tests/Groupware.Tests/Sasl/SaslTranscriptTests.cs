using System.Text;
using Groupware.Sasl.Commands;
using Groupware.Tests.Auth;

namespace Groupware.Tests.Sasl;

/// <summary>
/// The Dovecot authentication protocol on a <c>sasl</c> listener, line by line as Postfix's <c>xsasl_dovecot</c>
/// speaks it (tabs written <c>\t</c> below): the handshake, AUTH with an initial response and with
/// <c>CONT</c> rounds, the decision of the auth module on the end user's connection as the MTA reports it
/// (<c>secured</c>, <c>rip</c>), and the protocol errors on which the connection is closed.
/// </summary>
public sealed class SaslTranscriptTests
{
    private const string Password = "sasl transcript pw";

    private const string Handshake = """
        S: VERSION\t1\t2
        S: MECH\tPLAIN\tplaintext
        S: MECH\tLOGIN\tplaintext
        S: SPID\t*
        S: CUID\t*
        S: COOKIE\t*
        S: DONE
        C: VERSION\t1\t2
        C: CPID\t4242
        """;

    private TestNode _node = null!;
    private string _login = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await TestNode.StartAsync(n => n.Listener("sasl", "sasl", "none").Set("Auth:FailureDelayMilliseconds", "0")
            .Set("Node:TrustedNetworks:0", "198.51.100.0/24"));
        _login = AuthFixtures.UniqueLogin("sasl");
        await AuthFixtures.CreateAccountAsync(_node.Services, _login, Password);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private string Plain(string? password = null) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{_login}@example.test\0{password ?? Password}"));

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private async Task PlayAsync(string transcript)
    {
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("sasl"));
        await Transcript.PlayAsync(client, (Handshake + "\n" + transcript).Replace("\\t", "\t", StringComparison.Ordinal));
    }

    private async Task<List<AuthFixtures.AuditRow>> AuditAsync(string remoteAddress) =>
        (await AuthFixtures.AuditRowsAsync(_node.Services, "sasl")).Where(r => r.RemoteAddress == remoteAddress).ToList();

    [Test]
    public async Task A_secured_AUTH_PLAIN_with_an_initial_response_is_accepted_with_the_user_name()
    {
        await PlayAsync($"""
            C: AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=192.0.2.1\trip=192.0.2.11\tsecured\tresp={Plain()}
            S: OK\t1\tuser={_login}
            """);
        var row = (await AuditAsync("192.0.2.11")).Single();
        Assert.That((row.Protocol, row.Mechanism, row.Tls, row.Exposed, row.Outcome), Is.EqualTo(("sasl", "PLAIN", true, false, "success")));
    }

    [Test]
    public async Task An_unsecured_password_is_refused_unchecked_and_recorded_as_exposed()
    {
        await PlayAsync($"""
            C: AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=192.0.2.1\trip=192.0.2.12\tresp={Plain()}
            S: FAIL\t1\treason={AuthCommand.PlaintextReason}
            """);
        var row = (await AuditAsync("192.0.2.12")).Single();
        Assert.That((row.Tls, row.Exposed, row.Outcome), Is.EqualTo((false, true, "plaintext-refused")));
    }

    [Test]
    public async Task Unsecured_without_an_initial_response_is_refused_before_the_password_is_asked_for()
    {
        await PlayAsync("""
            C: AUTH\t1\tPLAIN\tservice=smtp\tlip=192.0.2.1\trip=192.0.2.13
            S: FAIL\t1\treason=Plaintext authentication disallowed on non-secure (SSL/TLS) connections
            """);
        Assert.That(await AuditAsync("192.0.2.13"), Is.Empty, "no password was sent, so none was exposed");
    }

    [Test]
    public async Task A_client_address_in_the_trusted_networks_counts_as_protected()
    {
        await PlayAsync($"""
            C: AUTH\t1\tPLAIN\tservice=smtp\tlip=192.0.2.1\trip=198.51.100.7\tresp={Plain()}
            S: OK\t1\tuser={_login}
            """);
        Assert.That((await AuditAsync("198.51.100.7")).Single().Exposed, Is.False);
    }

    [Test]
    public async Task PLAIN_without_an_initial_response_gets_an_empty_challenge()
    {
        await PlayAsync($"""
            C: AUTH\t7\tPLAIN\tservice=smtp\tsecured\trip=192.0.2.14
            S: CONT\t7\t
            C: CONT\t7\t{Plain()}
            S: OK\t7\tuser={_login}
            """);
    }

    [Test]
    public async Task LOGIN_asks_for_the_user_name_and_then_the_password()
    {
        await PlayAsync($"""
            C: AUTH\t3\tLOGIN\tservice=smtp\tsecured\trip=192.0.2.15
            S: CONT\t3\t{B64("Username:")}
            C: CONT\t3\t{B64($"{_login}@example.test")}
            S: CONT\t3\t{B64("Password:")}
            C: CONT\t3\t{B64(Password)}
            S: OK\t3\tuser={_login}
            """);
    }

    [Test]
    public async Task A_wrong_password_fails_without_a_reason_and_the_connection_serves_the_next_request()
    {
        await PlayAsync($"""
            C: AUTH\t1\tPLAIN\tservice=smtp\tsecured\trip=192.0.2.16\tresp={Plain("wrong")}
            S: FAIL\t1
            C: AUTH\t2\tPLAIN\tservice=smtp\tsecured\trip=192.0.2.16\tresp={Plain()}
            S: OK\t2\tuser={_login}
            """);
        Assert.That((await AuditAsync("192.0.2.16")).Select(r => r.Outcome), Is.EqualTo(new[] { "invalid-credentials", "success" }));
    }

    [Test]
    public async Task A_new_request_while_a_challenge_is_answered_ends_the_first_and_is_answered_itself()
    {
        await PlayAsync($"""
            C: AUTH\t1\tPLAIN\tservice=smtp\tsecured\trip=192.0.2.17
            S: CONT\t1\t
            C: AUTH\t2\tPLAIN\tservice=smtp\tsecured\trip=192.0.2.17\tresp={Plain()}
            S: FAIL\t1
            S: OK\t2\tuser={_login}
            C: CONT\t1\t{Plain()}
            S: FAIL\t1\treason=Authentication request timed out
            """);
    }

    [Test]
    public async Task An_unknown_mechanism_or_a_bad_address_fails_the_request_only()
    {
        await PlayAsync($"""
            C: AUTH\t1\tCRAM-MD5\tservice=smtp\tsecured
            S: FAIL\t1\treason=Unsupported authentication mechanism
            C: AUTH\t2\tPLAIN\tservice=smtp\tsecured\trip=not-an-address\tresp={Plain()}
            S: FAIL\t2\treason=Invalid parameters: rip is not an IP address
            C: AUTH\t3\tPLAIN\tservice=smtp\tsecured\trip=192.0.2.18\tresp=%%%
            S: FAIL\t3\treason=Invalid base64 data in continued response
            """);
    }

    [TestCase("AUTH\t1\tPLAIN\tservice=smtp", TestName = "AUTH before VERSION closes the connection")]
    [TestCase("VERSION\t2\t0", TestName = "A major version other than 1 closes the connection")]
    [TestCase("HELLO", TestName = "An unknown command closes the connection")]
    public async Task A_protocol_error_closes_the_connection(string line)
    {
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("sasl"));
        var greeting = await client.ReadUntilAsync(l => l == "DONE");
        Assert.That(greeting[0], Is.EqualTo("VERSION\t1\t2"));
        await client.SendAsync(line + "\n");
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task AUTH_before_CPID_closes_the_connection()
    {
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("sasl"));
        await client.ReadUntilAsync(l => l == "DONE");
        await client.SendAsync($"VERSION\t1\t2\nAUTH\t1\tPLAIN\tservice=smtp\tsecured\tresp={Plain()}\n");
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }
}
