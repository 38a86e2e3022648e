using System.Text;
using Groupware.Lmtp.Syntax;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// The sans-IO DATA reader (RFC 5321 §4.1.1.4, §4.5.2): dot-unstuffing, and an end of data only at
/// CRLF.CRLF, never at a dot after a bare LF or CR (SMTP smuggling).
/// </summary>
public sealed class DataDecoderTests
{
    [TestCase("Subject: x\r\n\r\nbody\r\n.\r\n", "Subject: x\r\n\r\nbody\r\n")]
    [TestCase(".\r\n", "")]
    [TestCase("..leading dot\r\n.\r\n", ".leading dot\r\n")]
    [TestCase(".x\r\n.\r\n", "x\r\n")]
    [TestCase("a\r\n..\r\n.\r\n", "a\r\n.\r\n")]
    [TestCase("a\r\n...\r\n.\r\n", "a\r\n..\r\n")]
    [TestCase("line with . in it\r\n.\r\n", "line with . in it\r\n")]
    public void Stuffed_dots_are_removed_and_the_final_dot_ends_the_data(string wire, string message) =>
        Assert.That(DecodeAll(wire, 1 << 20), Is.EqualTo((message, wire.Length)));

    [TestCase("a\n.\nb\r\n.\r\n", "a\n.\nb\r\n")]
    [TestCase("a\n.\r\nb\r\n.\r\n", "a\n.\r\nb\r\n")]
    [TestCase("a\r.\r\nb\r\n.\r\n", "a\r.\r\nb\r\n")]
    [TestCase("a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n")]
    [TestCase("a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n")]
    [TestCase("a\r\n.\r\r\n.\r\n", "a\r\n\r\r\n")]
    public void A_dot_after_a_bare_LF_or_CR_is_content_not_the_end(string wire, string message) =>
        Assert.That(DecodeAll(wire, 1 << 20), Is.EqualTo((message, wire.Length)));

    [Test]
    public void What_follows_the_end_is_left_for_the_next_command()
    {
        const string wire = "body\r\n.\r\nQUIT\r\n";
        Assert.That(DecodeAll(wire, 1 << 20), Is.EqualTo(("body\r\n", wire.Length - "QUIT\r\n".Length)));
    }

    [Test]
    public void Without_the_end_everything_is_consumed_and_more_is_needed()
    {
        var decoder = new DataDecoder();
        var input = "a\r\n.\r"u8.ToArray();
        var output = new byte[input.Length + 2];
        Assert.That(decoder.Decode(input, output, out var consumed, out _), Is.EqualTo(DataStatus.NeedMore));
        Assert.That(consumed, Is.EqualTo(input.Length));
    }

    [Test]
    public void Any_split_of_the_input_decodes_the_same()
    {
        const string wire = "From: a\r\n\r\n..x\r\n\r.y\n.\r\nz\r\r\n.\r\n";
        var whole = DecodeAll(wire, 1 << 20);
        for (var segment = 1; segment <= wire.Length; segment++)
        {
            Assert.That(DecodeAll(wire, segment), Is.EqualTo(whole), $"segments of {segment}");
        }
    }

    [Test]
    public void Random_messages_survive_stuffing_and_decoding_unchanged()
    {
        var random = new Random(2033);
        var alphabet = "ab.\r\n".ToCharArray();
        for (var round = 0; round < 2000; round++)
        {
            var message = new string(Enumerable.Range(0, random.Next(0, 60)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            if (!message.EndsWith("\r\n", StringComparison.Ordinal))
            {
                message += "\r\n";
            }

            if (message == "\r\n")
            {
                message = "";
            }

            var wire = Stuff(message) + ".\r\n";
            Assert.That(DecodeAll(wire, random.Next(1, 8)), Is.EqualTo((message, wire.Length)), Escape(wire));
        }
    }

    /// <summary>What a client does (RFC 5321 §4.5.2): a dot is added to each line beginning with one, after a CRLF.</summary>
    private static string Stuff(string message)
    {
        var text = new StringBuilder();
        var lineStart = true;
        for (var i = 0; i < message.Length; i++)
        {
            if (lineStart && message[i] == '.')
            {
                text.Append('.');
            }

            text.Append(message[i]);
            lineStart = message[i] == '\n' && i > 0 && message[i - 1] == '\r';
        }

        return text.ToString();
    }

    private static (string Message, int Consumed) DecodeAll(string wire, int segment)
    {
        var input = Encoding.Latin1.GetBytes(wire);
        var decoder = new DataDecoder();
        var message = new List<byte>();
        var offset = 0;
        while (offset < input.Length)
        {
            var slice = input.AsSpan(offset, Math.Min(segment, input.Length - offset));
            var output = new byte[slice.Length + DataDecoder.MaxExtraOutput];
            var status = decoder.Decode(slice, output, out var consumed, out var written);
            message.AddRange(output.AsSpan(0, written).ToArray());
            offset += consumed;
            if (status == DataStatus.End)
            {
                return (Encoding.Latin1.GetString(message.ToArray()), offset);
            }
        }

        return (Encoding.Latin1.GetString(message.ToArray()) + "<no end>", offset);
    }

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
