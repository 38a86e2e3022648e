using System.Text;
using Groupware.Lmtp;
using Groupware.Lmtp.Commands;
using Groupware.Lmtp.Syntax;

namespace Groupware.Tests.Lmtp;

/// <summary>The sans-IO command parser: a line in, a command or the refusal out, without a socket (RFC 5321 §4.1).</summary>
public sealed class LmtpCommandParserTests
{
    private static ParsedLine Parse(string line) => LmtpCommandParser.Parse(Encoding.UTF8.GetBytes(line));

    [TestCase("LHLO client.example", "client.example")]
    [TestCase("lhlo client.example", "client.example")]
    [TestCase("LhLo [127.0.0.1]", "[127.0.0.1]")]
    public void LHLO_takes_the_client_name_whatever_the_verb_case(string line, string name) =>
        Assert.That(Parse(line).Outcome.Command, Is.EqualTo(new LhloCommand(name)));

    [TestCase("MAIL FROM:<a@example.org>", "a@example.org", null)]
    [TestCase("MAIL FROM: <a@example.org>", "a@example.org", null)]
    [TestCase("mail from:<a@example.org> SIZE=5000", "a@example.org", 5000L)]
    [TestCase("MAIL FROM:<a@example.org> BODY=8BITMIME SIZE=12", "a@example.org", 12L)]
    [TestCase("MAIL FROM:<a@example.org> body=7bit", "a@example.org", null)]
    [TestCase("MAIL FROM:<>", "", null)]
    [TestCase("MAIL FROM:<@relay.example:a@example.org>", "a@example.org", null)]
    [TestCase("MAIL FROM:<\"john doe\"@example.org>", "\"john doe\"@example.org", null)]
    [TestCase("MAIL FROM:<\"a>b\"@example.org>", "\"a>b\"@example.org", null)]
    public void MAIL_reads_the_reverse_path_and_its_parameters(string line, string address, long? size) =>
        Assert.That(Parse(line).Outcome.Command, Is.EqualTo(new MailCommand(address, size)));

    [TestCase("MAIL <a@example.org>", "501 5.5.4 *")]
    [TestCase("MAIL FROM:a@example.org", "501 5.1.7 *")]
    [TestCase("MAIL FROM:<a@example.org", "501 5.1.7 *")]
    [TestCase("MAIL FROM:<a example@example.org>", "501 5.1.7 *")]
    [TestCase("MAIL FROM:<example.org>", "501 5.1.7 *")]
    [TestCase("MAIL FROM:<a@example.org> SIZE=big", "501 5.5.4 *")]
    [TestCase("MAIL FROM:<a@example.org> SIZE=-1", "501 5.5.4 *")]
    [TestCase("MAIL FROM:<a@example.org> BODY=BINARYMIME", "555 5.5.4 *")]
    [TestCase("MAIL FROM:<a@example.org> SMTPUTF8", "555 5.5.4 *")]
    [TestCase("MAIL FROM:<a@example.org> RET=HDRS", "555 5.5.4 *")]
    public void MAIL_with_bad_syntax_or_an_unknown_parameter_is_refused_with_its_code(string line, string reply) =>
        AssertRefused(Parse(line), reply);

    [TestCase("RCPT TO:<pat@foo.edu>", "pat@foo.edu")]
    [TestCase("rcpt to: <Pat+tag@Foo.edu>", "Pat+tag@Foo.edu")]
    public void RCPT_reads_the_forward_path(string line, string address) =>
        Assert.That(Parse(line).Outcome.Command, Is.EqualTo(new RcptCommand(address)));

    [TestCase("RCPT TO:<>", "501 5.1.3 *")]
    [TestCase("RCPT TO:<postmaster>", "501 5.1.3 *")]
    [TestCase("RCPT FROM:<a@example.org>", "501 5.5.4 *")]
    [TestCase("RCPT TO:<a@example.org> NOTIFY=NEVER", "555 5.5.4 *")]
    public void RCPT_with_bad_syntax_or_parameters_is_refused(string line, string reply) =>
        AssertRefused(Parse(line), reply);

    [TestCase("BDAT 0 LAST", 0L, true)]
    [TestCase("BDAT 1000", 1000L, false)]
    [TestCase("bdat 86 last", 86L, true)]
    public void BDAT_reads_the_chunk_size_and_LAST(string line, long size, bool last) =>
        Assert.That(Parse(line).Outcome.Command, Is.EqualTo(new BdatCommand(size, last)));

    [TestCase("BDAT")]
    [TestCase("BDAT -5")]
    [TestCase("BDAT 10 FIRST")]
    [TestCase("BDAT ten LAST")]
    [TestCase("BDAT 99999999999999999999999")]
    public void BDAT_without_a_readable_size_parses_to_the_command_that_closes_the_session(string line) =>
        Assert.That(Parse(line).Outcome.Command, Is.EqualTo(new BdatCommand(null, false)));

    [TestCase("HELO x")]
    [TestCase("EHLO x")]
    public void HELO_and_EHLO_are_known_so_that_they_can_be_refused(string line) =>
        Assert.That(Parse(line).Outcome.Command, Is.InstanceOf<HeloCommand>());

    [TestCase("XYZZY", "500 5.5.1 *")]
    [TestCase("", "500 5.5.1 *")]
    [TestCase("DATA now", "501 5.5.4 *")]
    [TestCase("QUIT please", "501 5.5.4 *")]
    [TestCase("VRFY", "501 5.5.4 *")]
    [TestCase("STARTTLS x", "501 5.5.4 *")]
    [TestCase("NOOP\0", "500 5.5.2 *")]
    public void Unknown_verbs_and_stray_arguments_are_refused(string line, string reply) =>
        AssertRefused(Parse(line), reply);

    [Test]
    public void Every_verb_of_the_table_parses_to_its_own_command_or_a_refusal_never_an_exception()
    {
        foreach (var verb in CommandTable.Entries.Keys)
        {
            foreach (var arguments in new[] { "", " ", "x", "FROM:<a@b>", "TO:<a@b>", "1 LAST", new string('<', 300) })
            {
                var parsed = Parse($"{verb} {arguments}");
                Assert.That(parsed.Entry?.Verb, Is.EqualTo(verb));
                Assert.That(parsed.Outcome.Command is not null ^ parsed.Outcome.Error is not null, Is.True, $"{verb} {arguments}");
            }
        }
    }

    private static void AssertRefused(ParsedLine parsed, string pattern)
    {
        Assert.That(parsed.Outcome.Command, Is.Null, "parsed as a command");
        var reply = parsed.Outcome.Error!.ToString();
        Assert.That(reply, Does.Match("^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$"));
    }
}
