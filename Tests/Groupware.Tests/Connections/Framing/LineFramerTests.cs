using System.Buffers;
using System.Text;
using Groupware.Connections;
using Groupware.Connections.Framing;

namespace Groupware.Tests.Connections.Framing;

/// <summary>
/// The sans-IO framer (<see cref="CommandFramer"/>) fed the same bytes split at every offset, one
/// byte at a time and at random points gives the same commands: lines, IMAP literals (RFC 9051 §4.3,
/// RFC 7888 §3, RFC 3516 ~{n}), and commands that break a limit, whose octets (literals included)
/// are never read as commands.
/// </summary>
public sealed class LineFramerTests
{
    private static readonly SessionLimits Limits = new() { MaxLineLength = 100, MaxCommandSize = 400 };

    private static readonly string Session = string.Concat(
        "a1 NOOP\r\n",
        "a2 LOGIN {5}\r\nalice {8+}\r\npassword\r\n",
        "a3 CHECK\n",
        new string('X', 200), " {10+}\r\nQUIT\r\nQUIT\r\n",
        "a4 APPEND INBOX ~{3}\r\n\0\r\n\r\n",
        "a5 SEARCH {2}\r\nab", new string('y', 90), " {300+}\r\n", new string('z', 300), " c\r\n",
        "a6 LOGOUT\r\n");

    private static readonly string[] Expected =
    [
        "ok [a1 NOOP]",
        "ok [a2 LOGIN {5}| {8+}|] literals [alice|password]",
        "ok [a3 CHECK]",
        "LineTooLong head XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "ok [a4 APPEND INBOX ~{3}|] literals [\0\r\n]",
        "CommandTooLong head a5 SEARCH {2}",
        "ok [a6 LOGOUT]",
    ];

    [Test]
    public void Whole_input_at_once()
    {
        Assert.That(Frame(Bytes(Session), [Session.Length]), Is.EqualTo(Expected));
    }

    [Test]
    public void Split_at_every_offset()
    {
        var input = Bytes(Session);
        for (var split = 1; split < input.Length; split++)
        {
            Assert.That(Frame(input, [split, input.Length - split]), Is.EqualTo(Expected), $"split at {split}");
        }
    }

    [Test]
    public void One_byte_at_a_time()
    {
        var input = Bytes(Session);
        Assert.That(Frame(input, Enumerable.Repeat(1, input.Length).ToArray()), Is.EqualTo(Expected));
    }

    [Test]
    public void Random_splits()
    {
        var input = Bytes(Session);
        var random = new Random(20261201);
        for (var run = 0; run < 200; run++)
        {
            var sizes = new List<int>();
            for (var left = input.Length; left > 0;)
            {
                var size = Math.Min(left, random.Next(1, 64));
                sizes.Add(size);
                left -= size;
            }

            Assert.That(Frame(input, [.. sizes]), Is.EqualTo(Expected), $"run {run}: {string.Join(",", sizes)}");
        }
    }

    [Test]
    public void Lines_without_literals_are_one_command_each_even_when_they_end_in_a_brace()
    {
        var framer = CommandFramer.Lines(Limits);
        var input = Bytes("MAIL FROM:<a@example.test> {5}\r\nRCPT TO:<b@example.test>\r\n");
        Assert.That(Run(framer, input, [input.Length]), Is.EqualTo(new[] { "ok [MAIL FROM:<a@example.test> {5}]", "ok [RCPT TO:<b@example.test>]" }));
    }

    [TestCase("a {5}", 5L, true, false)]
    [TestCase("a {5+}", 5L, false, false)]
    [TestCase("a ~{12}", 12L, true, true)]
    [TestCase("a {0}", 0L, true, false)]
    [TestCase("{99999999999999999999999}", long.MaxValue, true, false)]
    public void Literal_markers_are_read_at_the_end_of_a_line(string line, long length, bool synchronizing, bool binary)
    {
        Assert.That(LineFramer.TryParseMarker(Encoding.ASCII.GetBytes(line), out var marker), Is.True);
        Assert.That(marker, Is.EqualTo(new LiteralMarker(length, synchronizing, binary)));
    }

    [TestCase("a {5} b")]
    [TestCase("a {}")]
    [TestCase("a {+}")]
    [TestCase("a {5a}")]
    [TestCase("a 5}")]
    public void What_is_not_a_marker_at_the_end_of_a_line_is_none(string line)
    {
        Assert.That(LineFramer.TryParseMarker(Encoding.ASCII.GetBytes(line), out _), Is.False);
    }

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static List<string> Frame(byte[] input, int[] chunks) => Run(CommandFramer.LinesWithLiterals(Limits), input, chunks);

    /// <summary>
    /// Plays the engine's part: keeps the unconsumed bytes as a pipe would, delivers input in
    /// <paramref name="chunks"/>, and reads each announced literal into memory, or discards it when the
    /// command has failed already.
    /// </summary>
    private static List<string> Run(CommandFramer framer, byte[] input, int[] chunks)
    {
        var commands = new List<string>();
        var buffered = new List<byte>();
        var offset = 0;
        var chunk = 0;
        long literal = -1;
        CommandLiteral? reading = null;
        while (true)
        {
            if (literal >= 0)
            {
                // Literal octets come straight from the buffer, as the engine's ReadExact takes them.
                var take = (int)Math.Min(literal, buffered.Count);
                if (reading is not null && take > 0)
                {
                    reading.WriteAsync(new ReadOnlySequence<byte>(buffered.GetRange(0, take).ToArray()), CancellationToken.None).AsTask().Wait();
                }

                buffered.RemoveRange(0, take);
                literal -= take;
                if (literal == 0)
                {
                    if (reading is null)
                    {
                        framer.SkipLiteral(FrameError.LiteralRefused);
                    }
                    else
                    {
                        framer.AddLiteral(reading);
                    }

                    literal = -1;
                    reading = null;
                }
            }

            if (literal < 0 && buffered.Count > 0)
            {
                var sequence = new ReadOnlySequence<byte>(buffered.ToArray());
                var step = framer.Frame(sequence, out var consumed, out var examined);
                var used = (int)sequence.Slice(0, consumed).Length;
                var looked = (int)sequence.Slice(0, examined).Length;
                buffered.RemoveRange(0, used);
                if (step.Kind == FrameKind.Command)
                {
                    using var command = framer.TakeCommand();
                    commands.Add(Describe(command));
                    continue;
                }

                if (step.Kind == FrameKind.Literal)
                {
                    literal = step.Literal.Length;
                    reading = framer.Failure == FrameError.None ? CommandLiteral.InMemory(literal, step.Literal.Binary) : null;
                    if (literal == 0)
                    {
                        framer.AddLiteral(reading ?? CommandLiteral.InMemory(0, false));
                        literal = -1;
                        reading = null;
                    }

                    continue;
                }

                if (looked < used + buffered.Count && used > 0)
                {
                    continue;
                }
            }

            if (chunk == chunks.Length)
            {
                return commands;
            }

            buffered.AddRange(input.AsSpan(offset, chunks[chunk]).ToArray());
            offset += chunks[chunk++];
        }
    }

    private static string Describe(FramedCommand command)
    {
        if (command.Error != FrameError.None)
        {
            return $"{command.Error} head {Encoding.Latin1.GetString(command.Head)}";
        }

        var lines = Enumerable.Range(0, command.LineCount).Select(i => Encoding.Latin1.GetString(command.Line(i)));
        var text = $"ok [{string.Join("|", lines)}]";
        return command.Literals.Count == 0
            ? text
            : text + $" literals [{string.Join("|", command.Literals.Select(l => Encoding.Latin1.GetString(l.Memory.Span)))}]";
    }
}
