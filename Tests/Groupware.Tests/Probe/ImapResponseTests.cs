using Groupware.Server.Probe.Imap;

namespace Groupware.Tests.Probe;

/// <summary>The probe's IMAP response parser (RFC 9051 §7), without sockets.</summary>
public sealed class ImapResponseTests
{
    [Test]
    public void A_greeting_with_capabilities_in_its_code()
    {
        var r = ImapResponse.Parse("* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED] Dovecot ready.");
        Assert.That(r.Kind, Is.EqualTo(ImapResponseKind.UntaggedStatus));
        Assert.That(r.Status, Is.EqualTo("OK"));
        Assert.That(r.Capabilities, Is.EqualTo(new[] { "IMAP4REV1", "SASL-IR", "STARTTLS", "LOGINDISABLED" }));
        Assert.That(r.Text, Is.EqualTo("Dovecot ready."));
    }

    [Test]
    public void A_tagged_refusal_with_a_response_code()
    {
        var r = ImapResponse.Parse("P2 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
        Assert.That(r.Kind, Is.EqualTo(ImapResponseKind.Tagged));
        Assert.That((r.Tag, r.Status, r.Code), Is.EqualTo(("P2", "NO", "PRIVACYREQUIRED")));
        Assert.That(r.IsOk, Is.False);
    }

    [Test]
    public void Untagged_capability_data()
    {
        var r = ImapResponse.Parse("* CAPABILITY IMAP4rev2 STARTTLS AUTH=PLAIN");
        Assert.That(r.Kind, Is.EqualTo(ImapResponseKind.UntaggedData));
        Assert.That(r.Capabilities, Does.Contain("AUTH=PLAIN"));
    }

    [Test]
    public void A_continuation_and_a_literal_announcement()
    {
        Assert.That(ImapResponse.Parse("+ Ready for literal data").Kind, Is.EqualTo(ImapResponseKind.Continuation));
        Assert.That(ImapResponse.Parse("+").Kind, Is.EqualTo(ImapResponseKind.Continuation));
        Assert.That(ImapResponse.Parse("* 1 FETCH (BODY[] {42}").LiteralFollows, Is.EqualTo(42));
    }

    [TestCase("SSH-2.0-OpenSSH_9.2p1")]
    [TestCase("+OK POP3 ready")]
    [TestCase("HTTP/1.1 400 Bad Request")]
    [TestCase("P1 MAYBE later")]
    [TestCase("")]
    public void Other_protocols_are_malformed(string line) =>
        Assert.That(ImapResponse.Parse(line).Kind, Is.EqualTo(ImapResponseKind.Malformed));

    [Test]
    public void Strings_that_quoting_cannot_carry_become_literals()
    {
        Assert.That(ImapString.TryQuote("se\"cr\\et"), Is.EqualTo("\"se\\\"cr\\\\et\""));
        Assert.That(ImapString.TryQuote("pässword"), Is.Null);
        Assert.That(ImapString.TryQuote("line\r\nbreak"), Is.Null);
    }
}
