using System.Text;
using Groupware.Auth;
using Groupware.Auth.Sasl;

namespace Groupware.Tests.Auth;

/// <summary>The LOGIN mechanism (draft-murchison-sasl-login): "Username:", then "Password:", with or without an initial response.</summary>
public sealed class SaslLoginTests
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static void AssertChallenge(SaslStep step, string text)
    {
        Assert.That(step, Is.TypeOf<SaslStep.Challenge>());
        Assert.That(Encoding.ASCII.GetString(((SaslStep.Challenge)step).Data), Is.EqualTo(text));
    }

    [Test]
    public void Without_an_initial_response_the_server_asks_for_the_user_name_then_the_password()
    {
        var exchange = new LoginExchange();
        AssertChallenge(exchange.Respond([]), "Username:");
        AssertChallenge(exchange.Respond(Bytes("jürgen")), "Password:");
        Assert.That(exchange.Respond(Bytes("pässwörd€")), Is.EqualTo(new SaslStep.Credentials(new AuthRequest("jürgen", "pässwörd€", "LOGIN"))));
    }

    [Test]
    public void With_the_user_name_as_initial_response_the_server_asks_only_for_the_password()
    {
        var exchange = new LoginExchange();
        AssertChallenge(exchange.Respond(Bytes("tim")), "Password:");
        Assert.That(exchange.Respond(Bytes("tanstaaf")), Is.EqualTo(new SaslStep.Credentials(new AuthRequest("tim", "tanstaaf", "LOGIN"))));
    }

    [Test]
    public void An_empty_user_name_is_malformed()
    {
        var exchange = new LoginExchange();
        exchange.Respond([]);
        Assert.That(exchange.Respond([]), Is.TypeOf<SaslStep.Malformed>());
    }

    [Test]
    public void An_empty_password_is_malformed()
    {
        var exchange = new LoginExchange();
        exchange.Respond(Bytes("tim"));
        Assert.That(exchange.Respond([]), Is.TypeOf<SaslStep.Malformed>());
    }

    [Test]
    public void A_user_name_with_NUL_is_malformed_and_one_that_is_not_UTF_8_goes_on_with_its_octets_replaced()
    {
        Assert.That(new LoginExchange().Respond([(byte)'t', 0, (byte)'m']), Is.TypeOf<SaslStep.Malformed>());
        var exchange = new LoginExchange();
        Assert.That(exchange.Respond([0xFF, (byte)'u']), Is.TypeOf<SaslStep.Challenge>());
        Assert.That(exchange.Respond([(byte)'p', 0xE4]), Is.EqualTo(new SaslStep.Credentials(new AuthRequest("\uFFFDu", "p\uFFFD", "LOGIN"))));
    }

    [Test]
    public void A_response_after_the_credentials_is_malformed()
    {
        var exchange = new LoginExchange();
        exchange.Respond(Bytes("tim"));
        exchange.Respond(Bytes("tanstaaf"));
        Assert.That(exchange.Respond(Bytes("again")), Is.TypeOf<SaslStep.Malformed>());
    }
}
