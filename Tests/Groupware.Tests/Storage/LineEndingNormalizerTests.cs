using System.Text;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Storage;

/// <summary>Messages are stored with CRLF line ends (RFC 5322 §2.1) whatever the input used, in any slicing of the input.</summary>
public sealed class LineEndingNormalizerTests
{
    [TestCase("a\r\nb\r\n", "a\r\nb\r\n")]
    [TestCase("a\nb\n", "a\r\nb\r\n")]
    [TestCase("a\rb\r", "a\r\nb\r\n")]
    [TestCase("a\r\r\nb", "a\r\n\r\nb")]
    [TestCase("\n\n", "\r\n\r\n")]
    [TestCase("no line end", "no line end")]
    [TestCase("", "")]
    public void Every_line_end_becomes_CRLF(string input, string stored)
    {
        for (var slice = 1; slice <= Math.Max(1, input.Length); slice++)
        {
            Assert.That(Normalize(input, slice), Is.EqualTo(stored), $"slices of {slice}");
        }
    }

    private static string Normalize(string input, int slice)
    {
        var normalizer = new LineEndingNormalizer();
        var bytes = Encoding.ASCII.GetBytes(input);
        var output = new StringBuilder();
        for (var offset = 0; offset < bytes.Length; offset += slice)
        {
            var part = bytes.AsSpan(offset, Math.Min(slice, bytes.Length - offset));
            var buffer = new byte[LineEndingNormalizer.MaxOutputLength(part.Length)];
            output.Append(Encoding.ASCII.GetString(buffer, 0, normalizer.Normalize(part, buffer)));
        }

        var tail = new byte[2];
        output.Append(Encoding.ASCII.GetString(tail, 0, normalizer.Finish(tail)));
        return output.ToString();
    }
}
