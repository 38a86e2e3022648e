using Groupware.Server.Probe.Pop3;

namespace Groupware.Tests.Probe;

/// <summary>The probe's POP3 status-line parser (RFC 1939 §3, RFC 2449 §8 codes), without sockets.</summary>
public sealed class Pop3ResponseTests
{
    [Test]
    public void A_refusal_with_an_extended_code()
    {
        var r = Pop3Response.Parse("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
        Assert.That(r.Ok, Is.False);
        Assert.That(r.Code, Is.EqualTo("AUTH"));
        Assert.That(r.Text, Does.StartWith("Plaintext"));
    }

    [TestCase("+OK", true)]
    [TestCase("+OK Dovecot ready.", true)]
    [TestCase("-ERR", false)]
    public void Status_lines(string line, bool ok) => Assert.That(Pop3Response.Parse(line).Ok, Is.EqualTo(ok));

    [TestCase("* OK IMAP4rev1 ready")]
    [TestCase("+OKAY")]
    [TestCase("SSH-2.0-OpenSSH_9.2p1")]
    public void Other_protocols_are_malformed(string line) => Assert.That(Pop3Response.Parse(line).IsMalformed, Is.True);
}
