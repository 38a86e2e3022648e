using System.Text;
using Groupware.Pop3;
using Groupware.Pop3.Commands;

namespace Groupware.Tests.Pop3;

/// <summary>The sans-IO parsing of command lines (RFC 1939 §3), message numbers and SASL base64 (RFC 5034 §4).</summary>
public sealed class Pop3CommandTests
{
    [TestCase("stat", "STAT", "")]
    [TestCase("LIST 1", "LIST", "1")]
    [TestCase("PASS two words ", "PASS", "two words ")]
    [TestCase("top 1 10", "TOP", "1 10")]
    public void A_command_is_split_into_its_upper_case_keyword_and_the_raw_rest(string line, string keyword, string arguments)
    {
        Assert.That(Pop3Command.TryParse(Encoding.UTF8.GetBytes(line), out var command), Is.True);
        Assert.That(command, Is.EqualTo(new Pop3Command(keyword, arguments)));
    }

    [TestCase("")]
    [TestCase("QU")]
    [TestCase("QUITS")]
    [TestCase("ST4T")]
    [TestCase(" STAT")]
    public void What_is_not_a_3_or_4_letter_keyword_is_not_a_command(string line)
    {
        Assert.That(Pop3Command.TryParse(Encoding.UTF8.GetBytes(line), out _), Is.False);
    }

    [Test]
    public void Arguments_that_are_not_UTF8_are_refused()
    {
        Assert.That(Pop3Command.TryParse([(byte)'P', (byte)'A', (byte)'S', (byte)'S', (byte)' ', 0xC3, 0x28], out _), Is.False);
    }

    [Test]
    public void Only_a_PASS_line_that_is_not_UTF8_is_still_read_with_its_octets_replaced()
    {
        Assert.That(Pop3Command.TryParseUndecodablePass([.. "pass p"u8, 0xE4, (byte)'!'], out var command), Is.True);
        Assert.That(command, Is.EqualTo(new Pop3Command("PASS", "p\uFFFD!")));
        Assert.That(Pop3Command.TryParseUndecodablePass([.. "USER u"u8, 0xE4], out _), Is.False);
        Assert.That(Pop3Command.TryParseUndecodablePass("PASS"u8, out _), Is.False);
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
        Assert.That(Pop3Command.TryParseNumber(text, out var parsed), Is.EqualTo(valid));
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
        Assert.That(AuthCommand.TryDecode(text, out _), Is.EqualTo(valid));
    }
}
