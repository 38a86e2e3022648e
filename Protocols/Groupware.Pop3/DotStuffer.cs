using System.Buffers;

namespace Groupware.Pop3;

/// <summary>
/// Encodes a stored message as a POP3 multi-line response body (RFC 1939 §3): a line that begins
/// with "." gets another "." in front, every line ends in CRLF, and <see cref="Finish"/> appends the
/// terminating ".CRLF". For TOP (RFC 1939 §7) it stops after the header, the blank line and the
/// requested number of body lines. Sans-IO and streaming: chunks in, bytes out, no message held.
/// </summary>
internal sealed class DotStuffer(int? bodyLines = null)
{
    private readonly bool _limited = bodyLines is not null;
    private int _bodyLinesLeft = bodyLines ?? 0;
    private bool _atLineStart = true;
    private long _lineBytes;
    private bool _lastWasCr;
    private bool _inBody;

    /// <summary>True once TOP has written all it should; further input is ignored.</summary>
    public bool IsComplete { get; private set; }

    public void Encode(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        while (!IsComplete && !input.IsEmpty)
        {
            if (_atLineStart)
            {
                if (_inBody && _limited && _bodyLinesLeft == 0)
                {
                    IsComplete = true;
                    break;
                }

                if (input[0] == (byte)'.')
                {
                    output.Write("."u8);
                }

                _atLineStart = false;
                _lineBytes = 0;
                _lastWasCr = false;
            }

            var lf = input.IndexOf((byte)'\n');
            var segment = lf < 0 ? input : input[..lf];
            if (!segment.IsEmpty)
            {
                output.Write(segment);
                _lineBytes += segment.Length;
                _lastWasCr = segment[^1] == (byte)'\r';
            }

            if (lf < 0)
            {
                break;
            }

            // A bare LF (never stored by our delivery, which normalises) still goes out as CRLF.
            output.Write(_lastWasCr ? "\n"u8 : "\r\n"u8);
            var content = _lineBytes - (_lastWasCr ? 1 : 0);
            if (!_inBody)
            {
                _inBody = content == 0;
            }
            else if (_limited)
            {
                _bodyLinesLeft--;
            }

            _atLineStart = true;
            input = input[(lf + 1)..];
        }
    }

    /// <summary>Ends the last line if the message did not, and writes the terminating ".CRLF".</summary>
    public void Finish(IBufferWriter<byte> output)
    {
        if (!_atLineStart && !IsComplete)
        {
            output.Write(_lastWasCr ? "\n"u8 : "\r\n"u8);
        }

        output.Write(".\r\n"u8);
    }
}
