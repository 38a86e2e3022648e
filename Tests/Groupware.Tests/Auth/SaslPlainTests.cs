using System.Text;
using Groupware.Auth;
using Groupware.Auth.Sasl;
using Groupware.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Auth;

/// <summary>The PLAIN mechanism (RFC 4616): the examples of §4, the syntax of §2, and the authorization identity.</summary>
public sealed class SaslPlainTests
{
    private static SaslStep Respond(SaslExchange exchange, string message) => exchange.Respond(Encoding.UTF8.GetBytes(message));

    [Test]
    public void The_first_example_of_section_4_answers_an_empty_challenge_then_yields_the_credentials()
    {
        var exchange = new PlainExchange();
        Assert.That(exchange.Respond([]), Is.TypeOf<SaslStep.Challenge>().With.Property("Data").Empty);
        var step = Respond(exchange, "\0tim\0tanstaaftanstaaf");
        Assert.That(step, Is.EqualTo(new SaslStep.Credentials(new AuthRequest("tim", "tanstaaftanstaaf", "PLAIN"))));
    }

    [Test]
    public void The_second_example_of_section_4_carries_an_authorization_identity_in_the_initial_response()
    {
        var step = Respond(new PlainExchange(), "Ursel\0Kurt\0xipj3plmq");
        Assert.That(step, Is.EqualTo(new SaslStep.Credentials(new AuthRequest("Kurt", "xipj3plmq", "PLAIN", "Ursel"))));
    }

    [Test]
    public void Identities_and_passwords_of_255_octets_and_UTF_8_are_accepted()
    {
        var longName = new string('n', 255);
        var longPassword = new string('p', 255);
        Assert.That(Respond(new PlainExchange(), $"{longName}\0{longName}\0{longPassword}"),
            Is.EqualTo(new SaslStep.Credentials(new AuthRequest(longName, longPassword, "PLAIN", longName))));
        Assert.That(Respond(new PlainExchange(), "\0jürgen\0pässwörd€"),
            Is.EqualTo(new SaslStep.Credentials(new AuthRequest("jürgen", "pässwörd€", "PLAIN"))));
    }

    [TestCase("tim tanstaaftanstaaf", TestName = "No NUL at all")]
    [TestCase("tim\0tanstaaftanstaaf", TestName = "Only one NUL")]
    [TestCase("\0tim\0tanstaaf\0taaf", TestName = "Three NULs")]
    [TestCase("\0\0tanstaaftanstaaf", TestName = "Empty authentication identity")]
    [TestCase("\0tim\0", TestName = "Empty password")]
    [TestCase("\0\0", TestName = "Nothing but separators")]
    public void A_message_outside_the_grammar_of_section_2_is_malformed(string message) =>
        Assert.That(Respond(new PlainExchange(), message), Is.TypeOf<SaslStep.Malformed>());

    /// <summary>
    /// Octets that are not UTF-8 are still a password sent: they reach the auth module as U+FFFD, which
    /// it never checks but records as exposed when they came in clear, as it does for POP3's PASS.
    /// </summary>
    [Test]
    public void A_message_that_is_not_UTF_8_still_gives_its_credentials_with_the_octets_replaced() =>
        Assert.That(new PlainExchange().Respond([0, (byte)'t', 0, (byte)'p', 0xE4, (byte)'s']),
            Is.EqualTo(new SaslStep.Credentials(new AuthRequest("t", "p\uFFFDs", "PLAIN"))));

    [Test]
    public void An_empty_response_after_the_challenge_is_malformed()
    {
        var exchange = new PlainExchange();
        exchange.Respond([]);
        Assert.That(exchange.Respond([]), Is.TypeOf<SaslStep.Malformed>());
    }

    [Test]
    public void A_response_after_the_credentials_is_malformed()
    {
        var exchange = new PlainExchange();
        Respond(exchange, "\0tim\0tanstaaftanstaaf");
        Assert.That(Respond(exchange, "\0tim\0tanstaaftanstaaf"), Is.TypeOf<SaslStep.Malformed>());
    }

    [Test]
    public void The_mechanism_is_found_whatever_its_case_and_unknown_ones_are_not()
    {
        using var hasher = new AuthServiceForParsing();
        Assert.Multiple(() =>
        {
            Assert.That(hasher.Service.StartSasl("plain")?.Mechanism, Is.EqualTo("PLAIN"));
            Assert.That(hasher.Service.StartSasl("Login")?.Mechanism, Is.EqualTo("LOGIN"));
            Assert.That(hasher.Service.StartSasl("CRAM-MD5"), Is.Null);
            Assert.That(hasher.Service.StartSasl("SCRAM-SHA-256"), Is.Null);
        });
    }

    /// <summary>
    /// The second example's request for another identity is refused by the module, without looking
    /// at the password; an authorization identity naming the login itself is accepted.
    /// </summary>
    [Test]
    public async Task Acting_as_another_identity_is_refused_unchecked_and_naming_oneself_is_allowed()
    {
        await using var node = await AuthFixtures.StartNodeAsync(_ => { });
        var auth = node.Services.GetRequiredService<AuthService>();
        var login = AuthFixtures.UniqueLogin("kurt");
        var other = AuthFixtures.UniqueLogin("ursel");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "xipj3plmq");
        await AuthFixtures.CreateAccountAsync(node.Services, other, "other-password");
        var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true);

        var before = auth.PasswordChecks;
        var step = (SaslStep.Credentials)Respond(auth.StartSasl("PLAIN")!, $"{other}\0{login}\0xipj3plmq");
        var refused = await auth.AuthenticateAsync(step.Request, security, CancellationToken.None);
        Assert.That(refused.Outcome, Is.EqualTo(AuthOutcome.InvalidCredentials));
        Assert.That(auth.PasswordChecks, Is.EqualTo(before), "refused before the password is looked at");

        step = (SaslStep.Credentials)Respond(auth.StartSasl("PLAIN")!, $"{login.ToUpperInvariant()}\0{login}\0xipj3plmq");
        var accepted = await auth.AuthenticateAsync(step.Request, security, CancellationToken.None);
        Assert.That(accepted.Outcome, Is.EqualTo(AuthOutcome.Success));
    }

    /// <summary>StartSasl needs no database: an AuthService built from defaults, never started.</summary>
    private sealed class AuthServiceForParsing : IDisposable
    {
        private readonly ServiceProvider _provider;

        public AuthServiceForParsing()
        {
            _provider = AuthFixtures.UnstartedServices("Host=127.0.0.1;Port=1;Timeout=1");
            Service = _provider.GetRequiredService<AuthService>();
        }

        public AuthService Service { get; }

        public void Dispose() => _provider.Dispose();
    }
}
