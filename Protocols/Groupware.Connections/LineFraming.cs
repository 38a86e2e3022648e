using System.Buffers;

namespace Groupware.Connections;

/// <summary>What <see cref="LineFraming.TryReadLine"/> found in the buffered input.</summary>
public enum LineFrame
{
    /// <summary>No line terminator yet, and the bytes so far are within the limit.</summary>
    NeedMore,

    /// <summary>A whole line, terminator excluded.</summary>
    Line,

    /// <summary>The line is longer than the limit; the caller discards it as it arrives.</summary>
    TooLong,
}

/// <summary>
/// Sans-IO line framing for the text protocols: a line ends at LF; a CR before it is dropped, as
/// RFC 5321 §2.3.8 asks servers to be tolerant of bare LF in commands (never in DATA, which the
/// LMTP reader frames itself).
/// </summary>
public static class LineFraming
{
    /// <summary>
    /// Looks for one line at the start of <paramref name="buffer"/>. On <see cref="LineFrame.Line"/>
    /// <paramref name="line"/> is the line without CRLF and <paramref name="consumed"/> follows the LF.
    /// On <see cref="LineFrame.TooLong"/> no terminator was seen within <paramref name="maxLength"/>
    /// octets (or the line that ended was longer); <paramref name="consumed"/> then covers what can be
    /// thrown away: up to and including the LF if one was seen, else the whole buffer.
    /// </summary>
    public static LineFrame TryReadLine(in ReadOnlySequence<byte> buffer, int maxLength,
        out ReadOnlySequence<byte> line, out SequencePosition consumed, out bool terminated)
    {
        line = default;
        var lf = buffer.PositionOf((byte)'\n');
        if (lf is null)
        {
            terminated = false;
            if (buffer.Length > maxLength + 1)
            {
                consumed = buffer.End;
                return LineFrame.TooLong;
            }

            consumed = buffer.Start;
            return LineFrame.NeedMore;
        }

        terminated = true;
        consumed = buffer.GetPosition(1, lf.Value);
        var content = buffer.Slice(0, lf.Value);
        if (content.Length > 0 && EndsWithCr(content))
        {
            content = content.Slice(0, content.Length - 1);
        }

        if (content.Length > maxLength)
        {
            return LineFrame.TooLong;
        }

        line = content;
        return LineFrame.Line;
    }

    /// <summary>
    /// While discarding an over-long line: finds its LF. Returns true with <paramref name="consumed"/>
    /// after the LF when the line ends in this buffer; false with <paramref name="consumed"/> at the end.
    /// </summary>
    public static bool SkipToLineEnd(in ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        var lf = buffer.PositionOf((byte)'\n');
        if (lf is null)
        {
            consumed = buffer.End;
            return false;
        }

        consumed = buffer.GetPosition(1, lf.Value);
        return true;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> content)
    {
        var last = content.Slice(content.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
