using System.Net;
using Groupware.Sasl.Syntax;

namespace Groupware.Tests.Sasl;

/// <summary>The fields of AUTH as Postfix sends them, and Dovecot's TAB escaping, without sockets.</summary>
public sealed class AuthParametersTests
{
    [Test]
    public void Postfix_fields_are_read_and_unknown_flags_ignored()
    {
        var parsed = AuthParameters.Parse(["service=smtp", "nologin", "lip=::ffff:192.0.2.1", "rip=2001:db8::7", "rport=40000", "secured",
            "valid-client-cert", "resp=AGEAYg=="], out var error);
        Assert.That(error, Is.Null);
        Assert.That(parsed, Is.EqualTo(new AuthParameters("smtp", true, IPAddress.Parse("2001:db8::7"), IPAddress.Parse("192.0.2.1"), 40000, 0, "AGEAYg==")));
    }

    [Test]
    public void An_empty_resp_is_an_empty_initial_response_and_no_resp_is_none()
    {
        Assert.That(AuthParameters.Parse(["service=smtp", "resp="], out _)!.InitialResponse, Is.EqualTo("="));
        Assert.That(AuthParameters.Parse(["service=smtp"], out _)!.InitialResponse, Is.Null);
        Assert.That(AuthParameters.Parse(["service=smtp"], out _)!.Secured, Is.False);
    }

    [TestCase("rip=300.1.1.1", "rip is not an IP address")]
    [TestCase("lip=", "lip is not an IP address")]
    [TestCase("rport=70000", "rport is not a port")]
    public void A_bad_address_or_port_is_named(string field, string expected)
    {
        Assert.That(AuthParameters.Parse(["service=smtp", field], out var error), Is.Null);
        Assert.That(error, Is.EqualTo(expected));
    }

    [TestCase("plain")]
    [TestCase("a\tb\nc\rd\u0001e")]
    public void Tab_escaping_round_trips(string value)
    {
        var encoded = TabEscape.Encode(value);
        Assert.That(encoded.IndexOfAny(['\t', '\n', '\r']), Is.EqualTo(-1));
        Assert.That(TabEscape.Decode(encoded), Is.EqualTo(value));
    }
}
