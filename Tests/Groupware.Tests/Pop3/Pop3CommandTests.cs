using System.Text;
using Groupware.Auth.Sasl;
using Groupware.Pop3.Commands;
using Groupware.Pop3.Syntax;

namespace Groupware.Tests.Pop3;

/// <summary>The sans-IO parsing of command lines (RFC 1939 §3), message numbers and SASL base64 (RFC 5034 §4).</summary>
public sealed class Pop3CommandTests
{
    [TestCase("stat", "STAT")]
    [TestCase("LIST 1", "LIST")]
    [TestCase("PASS two words ", "PASS")]
    [TestCase("top 1 10", "TOP")]
    public void A_command_is_found_by_its_keyword_in_any_case(string line, string keyword)
    {
        var parsed = Pop3CommandParser.Parse(Encoding.UTF8.GetBytes(line));
        Assert.That(parsed.Entry?.Keyword, Is.EqualTo(keyword));
        Assert.That(parsed.Outcome.Command, Is.Not.Null);
    }

    [Test]
    public void The_arguments_reach_the_command_raw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Pop3CommandParser.Parse("LIST 1"u8).Outcome.Command, Is.EqualTo(new ListCommand("1")));
            Assert.That(Pop3CommandParser.Parse("PASS two words "u8).Outcome.Command, Is.EqualTo(new PassCommand("two words ")));
            Assert.That(Pop3CommandParser.Parse("top 1 10"u8).Outcome.Command, Is.EqualTo(new TopCommand("1", 10)));
            Assert.That(Pop3CommandParser.Parse("AUTH PLAIN AHUAcA=="u8).Outcome.Command, Is.EqualTo(new AuthCommand("PLAIN", "AHUAcA==")));
        });
    }

    [TestCase("")]
    [TestCase("QU")]
    [TestCase("QUITS")]
    [TestCase("ST4T")]
    [TestCase(" STAT")]
    public void What_is_not_a_3_or_4_letter_keyword_is_not_a_command(string line)
    {
        var parsed = Pop3CommandParser.Parse(Encoding.UTF8.GetBytes(line));
        Assert.That(parsed.Entry, Is.Null);
        Assert.That(parsed.Outcome.Error?.StatusLine, Is.EqualTo("-ERR Unknown command."));
    }

    [Test]
    public void A_keyword_that_is_not_in_the_table_is_named_in_the_refusal()
    {
        Assert.That(Pop3CommandParser.Parse("XYZZ"u8).Outcome.Error?.StatusLine, Is.EqualTo("-ERR Unknown command: XYZZ"));
    }

    [Test]
    public void Arguments_that_are_not_UTF8_are_refused_except_a_password()
    {
        Assert.That(Pop3CommandParser.Parse([.. "USER u"u8, 0xC3, 0x28]).Outcome.Error?.StatusLine, Is.EqualTo("-ERR Unknown command."));
    }

    [Test]
    public void A_PASS_line_that_is_not_UTF8_is_still_read_with_its_octets_replaced()
    {
        Assert.That(Pop3CommandParser.Parse([.. "pass p"u8, 0xE4, (byte)'!']).Outcome.Command, Is.EqualTo(new PassCommand("p\uFFFD!")));
    }

    [TestCase("1", true, 1)]
    [TestCase("42", true, 42)]
    [TestCase("0", false, 0)]
    [TestCase("-1", false, 0)]
    [TestCase("1e3", false, 0)]
    [TestCase("9999999999", false, 0)]
    [TestCase("", false, 0)]
    public void Message_numbers_are_positive_decimal_integers(string text, bool valid, int number)
    {
        Assert.That(MessageNumber.TryParse(text, out var parsed), Is.EqualTo(valid));
        if (valid)
        {
            Assert.That(parsed, Is.EqualTo(number));
        }
    }

    [TestCase("AHRlc3QAdGVzdA==", true)]
    [TestCase("dGVzdA==", true)]
    [TestCase("=AAA", false)]
    [TestCase("AAA=BBB=", false)]
    [TestCase("dGVzd A=", false)]
    [TestCase("dGVzdA", false)]
    [TestCase("dG!zdA==", false)]
    public void SASL_base64_is_strict(string text, bool valid)
    {
        Assert.That(SaslBase64.TryDecode(text, out _), Is.EqualTo(valid));
    }
}
