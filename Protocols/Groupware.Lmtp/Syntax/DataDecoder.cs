namespace Groupware.Lmtp.Syntax;

/// <summary>What <see cref="DataDecoder.Decode"/> found.</summary>
internal enum DataStatus
{
    /// <summary>All input was consumed; the end of the data was not in it.</summary>
    NeedMore,

    /// <summary>The end of the data (CRLF.CRLF) was found; input after it is the next command.</summary>
    End,
}

/// <summary>
/// Sans-IO reader of the DATA body (RFC 5321 §4.1.1.4, §4.5.2): removes the dot a client added to
/// lines that begin with one, and finds the end of the data. The end is a line holding a single dot
/// after a CRLF, and only that: a dot after a bare LF or bare CR is message content, so a
/// <c>&lt;LF&gt;.&lt;LF&gt;</c> or <c>&lt;LF&gt;.&lt;CRLF&gt;</c> cannot cut a message short (SMTP
/// smuggling, CVE-2023-51764 and its kin). No line is held: the decoder keeps a few bits of state
/// between calls, so line length does not bound memory.
/// </summary>
internal struct DataDecoder
{
    private State _state;

    private enum State
    {
        // The DATA command's own CRLF counts: its reply is followed by the first line.
        LineStart,
        InLine,
        InLineCr,
        Dot,
        DotCr,
    }

    /// <summary>The output a call can write beyond its input: one held-back CR.</summary>
    public const int MaxExtraOutput = 1;

    /// <summary>
    /// Decodes <paramref name="input"/> into <paramref name="output"/> (at least input length +
    /// <see cref="MaxExtraOutput"/>). <paramref name="consumed"/> is all of the input for
    /// <see cref="DataStatus.NeedMore"/>, or up to and including the final LF for
    /// <see cref="DataStatus.End"/>. The CRLF before the final dot belongs to the message.
    /// </summary>
    public DataStatus Decode(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        written = 0;
        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            switch (_state)
            {
                case State.LineStart when b == '.':
                    _state = State.Dot;
                    i++;
                    continue;
                case State.LineStart:
                    _state = State.InLine;
                    continue;
                case State.InLine:
                    {
                        // The common case: copy up to the next CR in one go.
                        var rest = input[i..];
                        var cr = rest.IndexOf((byte)'\r');
                        var run = cr < 0 ? rest.Length : cr;
                        rest[..run].CopyTo(output[written..]);
                        written += run;
                        i += run;
                        if (cr >= 0)
                        {
                            _state = State.InLineCr;
                            i++;
                        }

                        continue;
                    }

                case State.InLineCr when b == '\n':
                    output[written++] = (byte)'\r';
                    output[written++] = (byte)'\n';
                    _state = State.LineStart;
                    i++;
                    continue;
                case State.InLineCr:
                    // A bare CR is content; what follows it is still inside the line.
                    output[written++] = (byte)'\r';
                    _state = b == '\r' ? State.InLineCr : State.InLine;
                    i += b == '\r' ? 1 : 0;
                    continue;
                case State.Dot when b == '\r':
                    _state = State.DotCr;
                    i++;
                    continue;
                case State.Dot:
                    // A stuffed dot: drop it, the rest of the line is content.
                    _state = State.InLine;
                    continue;
                case State.DotCr when b == '\n':
                    consumed = i + 1;
                    _state = State.LineStart;
                    return DataStatus.End;
                case State.DotCr:
                    // ".<CR>x": the dot was stuffing, the CR is content.
                    output[written++] = (byte)'\r';
                    _state = b == '\r' ? State.InLineCr : State.InLine;
                    i += b == '\r' ? 1 : 0;
                    continue;
            }
        }

        consumed = input.Length;
        return DataStatus.NeedMore;
    }
}
