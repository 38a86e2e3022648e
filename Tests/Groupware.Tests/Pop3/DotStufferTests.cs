using System.Buffers;
using System.Text;
using Groupware.Pop3;

namespace Groupware.Tests.Pop3;

/// <summary>The multi-line encoding of RETR and TOP (RFC 1939 §3, §7), whole and in arbitrary chunks.</summary>
public sealed class DotStufferTests
{
    private static string Encode(string message, int? bodyLines = null, int chunk = int.MaxValue)
    {
        var output = new ArrayBufferWriter<byte>();
        var stuffer = new DotStuffer(bodyLines);
        var bytes = Encoding.ASCII.GetBytes(message);
        for (var offset = 0; offset < bytes.Length && !stuffer.IsComplete; offset += chunk)
        {
            stuffer.Encode(bytes.AsSpan(offset, Math.Min(chunk, bytes.Length - offset)), output);
        }

        stuffer.Finish(output);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }

    [Test]
    public void Lines_starting_with_a_dot_get_a_second_one_and_the_response_ends_with_a_lone_dot()
    {
        Assert.That(Encode("Subject: x\r\n\r\n.hidden\r\n..two\r\nend.\r\n"),
            Is.EqualTo("Subject: x\r\n\r\n..hidden\r\n...two\r\nend.\r\n.\r\n"));
    }

    [Test]
    public void A_message_without_a_final_line_end_gets_one_before_the_terminator()
    {
        Assert.That(Encode("Subject: x\r\n\r\nno newline"), Is.EqualTo("Subject: x\r\n\r\nno newline\r\n.\r\n"));
    }

    [Test]
    public void A_lone_dot_line_in_the_body_cannot_end_the_response_early()
    {
        Assert.That(Encode("A: b\r\n\r\n.\r\nafter\r\n"), Is.EqualTo("A: b\r\n\r\n..\r\nafter\r\n.\r\n"));
    }

    [Test]
    public void Bare_line_feeds_go_out_as_CRLF()
    {
        Assert.That(Encode("A: b\n\nbody\n"), Is.EqualTo("A: b\r\n\r\nbody\r\n.\r\n"));
    }

    [TestCase(0, "A: b\r\nC: d\r\n\r\n.\r\n")]
    [TestCase(1, "A: b\r\nC: d\r\n\r\n..one\r\n.\r\n")]
    [TestCase(2, "A: b\r\nC: d\r\n\r\n..one\r\ntwo\r\n.\r\n")]
    [TestCase(10, "A: b\r\nC: d\r\n\r\n..one\r\ntwo\r\nthree\r\n.\r\n")]
    public void TOP_sends_the_header_the_blank_line_and_n_body_lines(int lines, string expected)
    {
        Assert.That(Encode("A: b\r\nC: d\r\n\r\n.one\r\ntwo\r\nthree\r\n", lines), Is.EqualTo(expected));
    }

    [Test]
    public void Any_chunking_gives_the_same_bytes()
    {
        var random = new Random(1939);
        for (var round = 0; round < 300; round++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 12)).Select(_ => random.Next(4) switch
            {
                0 => ".",
                1 => "." + new string('x', random.Next(0, 5)),
                2 => "",
                _ => new string('y', random.Next(0, 8)),
            });
            var message = "H: v\r\n\r\n" + string.Join("\r\n", lines) + (random.Next(2) == 0 ? "\r\n" : "");
            int? top = random.Next(3) == 0 ? random.Next(0, 5) : null;
            var whole = Encode(message, top);
            for (var chunk = 1; chunk <= 7; chunk++)
            {
                Assert.That(Encode(message, top, chunk), Is.EqualTo(whole), $"round {round}, chunks of {chunk}: {message}");
            }

            Assert.That(whole, Does.EndWith("\r\n.\r\n"));
        }
    }
}
