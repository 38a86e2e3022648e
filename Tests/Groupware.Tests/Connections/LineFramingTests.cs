using System.Buffers;
using System.Text;
using Groupware.Connections;

namespace Groupware.Tests.Connections;

/// <summary>The sans-IO line framer, on whole and segmented buffers.</summary>
public sealed class LineFramingTests
{
    [TestCase("NOOP\r\n", "NOOP")]
    [TestCase("NOOP\n", "NOOP")]
    [TestCase("\r\n", "")]
    [TestCase("A\rB\r\n", "A\rB")]
    public void A_terminated_line_is_returned_without_its_terminator(string input, string expected)
    {
        var frame = LineFraming.TryReadLine(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(input)), 100,
            out var line, out _, out var terminated);
        Assert.Multiple(() =>
        {
            Assert.That(frame, Is.EqualTo(LineFrame.Line));
            Assert.That(terminated, Is.True);
            Assert.That(Encoding.ASCII.GetString(line.ToArray()), Is.EqualTo(expected));
        });
    }

    [Test]
    public void An_unterminated_line_within_the_limit_needs_more()
    {
        var frame = LineFraming.TryReadLine(new ReadOnlySequence<byte>("NOO"u8.ToArray()), 100, out _, out _, out _);
        Assert.That(frame, Is.EqualTo(LineFrame.NeedMore));
    }

    [Test]
    public void An_unterminated_line_over_the_limit_is_too_long_and_may_be_thrown_away()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[102]);
        var frame = LineFraming.TryReadLine(buffer, 100, out _, out var consumed, out var terminated);
        Assert.Multiple(() =>
        {
            Assert.That(frame, Is.EqualTo(LineFrame.TooLong));
            Assert.That(terminated, Is.False);
            Assert.That(consumed, Is.EqualTo(buffer.End));
        });
    }

    [Test]
    public void A_CR_split_from_its_LF_across_segments_counts_against_nothing()
    {
        // The limit applies to the line without CRLF: 100 octets + CR in the first segment, LF in the second.
        var buffer = Segments(new byte[100].Concat("\r"u8.ToArray()).ToArray(), "\n"u8.ToArray());
        var frame = LineFraming.TryReadLine(buffer, 100, out var line, out _, out _);
        Assert.That(frame, Is.EqualTo(LineFrame.Line));
        Assert.That(line.Length, Is.EqualTo(100));
    }

    [Test]
    public void Random_segmentation_never_changes_the_lines_found()
    {
        var random = new Random(20261129);
        for (var round = 0; round < 200; round++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 6))
                .Select(_ => new string((char)random.Next('a', 'z'), random.Next(0, 40))).ToList();
            var bytes = Encoding.ASCII.GetBytes(string.Concat(lines.Select(l => l + "\r\n")));
            var cuts = Enumerable.Range(0, random.Next(0, 5)).Select(_ => random.Next(1, bytes.Length)).Distinct().Order().ToList();
            var pieces = new List<byte[]>();
            var previous = 0;
            foreach (var cut in cuts.Append(bytes.Length))
            {
                pieces.Add(bytes[previous..cut]);
                previous = cut;
            }

            var buffer = Segments([.. pieces]);
            var found = new List<string>();
            while (LineFraming.TryReadLine(buffer, 100, out var line, out var consumed, out _) == LineFrame.Line)
            {
                found.Add(Encoding.ASCII.GetString(line.ToArray()));
                buffer = buffer.Slice(consumed);
            }

            Assert.That(found, Is.EqualTo(lines), $"round {round}");
        }
    }

    private static ReadOnlySequence<byte> Segments(params byte[][] pieces)
    {
        var pieceList = pieces.Where(p => p.Length > 0).ToList();
        if (pieceList.Count == 1)
        {
            return new ReadOnlySequence<byte>(pieceList[0]);
        }

        var first = new Segment(pieceList[0], 0);
        var last = first;
        foreach (var piece in pieceList.Skip(1))
        {
            last = last.Append(piece);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
