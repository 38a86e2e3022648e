using System.Buffers;

namespace Groupware.Connections.Framing;

/// <summary>
/// Frames CRLF-terminated lines (a bare LF is tolerated, as RFC 5321 §2.3.8 asks of servers) and,
/// where the protocol has them, IMAP literals: RFC 9051 §4.3 and RFC 7888 §3 have the receiver check
/// the end of every line for <c>{n}</c> or <c>{n+}</c> (and RFC 3516 §4.2 <c>~{n}</c>); the next n
/// octets and the following line belong to the same command. Only the end of a line is looked at,
/// so an over-long line is recognised as announcing a literal even while it is being discarded:
/// the literal's octets are then discarded too, never read as commands.
/// </summary>
internal sealed class LineFramer(SessionLimits limits, bool recognizeLiterals) : CommandFramer
{
    /// <summary>Octets kept of the end of a discarded line: enough for <c>~{9223372036854775807+}</c> and a CR.</summary>
    private const int TailLength = 32;

    private readonly List<(int Offset, int Length)> _lines = [];
    private readonly List<CommandLiteral> _literals = [];
    private readonly byte[] _tail = new byte[TailLength];
    private byte[]? _buffer;
    private int _length;
    private byte[]? _head;
    private int _tailLength;
    private bool _discarding;
    private bool _awaitingLiteral;
    private long _size;
    private FrameError _error;

    public override FrameError Failure => _error;

    public override long Size => _size;

    public override int LiteralCount => _literals.Count;

    public override ReadOnlySpan<byte> FirstLine =>
        _lines.Count > 0 && _buffer is { } buffer ? buffer.AsSpan(_lines[0].Offset, _lines[0].Length) : default;

    public override FrameStep Frame(in ReadOnlySequence<byte> input, out SequencePosition consumed, out SequencePosition examined)
    {
        if (_awaitingLiteral)
        {
            throw new InvalidOperationException("the announced literal has not been handed back");
        }

        var lf = input.PositionOf((byte)'\n');
        if (_discarding)
        {
            if (lf is null)
            {
                RememberTail(input);
                consumed = examined = input.End;
                return FrameStep.NeedMore;
            }

            RememberTail(input.Slice(0, lf.Value));
            consumed = examined = input.GetPosition(1, lf.Value);
            _discarding = false;
            return EndOfLine(kept: false);
        }

        if (lf is null)
        {
            // One octet more than the limit may be the CR of a line exactly at it.
            if (input.Length > limits.MaxLineLength + 1)
            {
                KeepHead(input);
                Fail(FrameError.LineTooLong);
                RememberTail(input);
                _discarding = true;
                consumed = examined = input.End;
                return FrameStep.NeedMore;
            }

            consumed = input.Start;
            examined = input.End;
            return FrameStep.NeedMore;
        }

        consumed = examined = input.GetPosition(1, lf.Value);
        var line = input.Slice(0, lf.Value);
        if (line.Length > 0 && EndsWith(line, (byte)'\r'))
        {
            line = line.Slice(0, line.Length - 1);
        }

        KeepHead(line);
        if (line.Length > limits.MaxLineLength)
        {
            Fail(FrameError.LineTooLong);
        }
        else if (_error == FrameError.None && _size + line.Length > limits.MaxCommandSize)
        {
            Fail(FrameError.CommandTooLong);
        }

        if (_error != FrameError.None)
        {
            RememberTail(line);
            return EndOfLine(kept: false);
        }

        Append(line);
        return EndOfLine(kept: true);
    }

    public override void AddLiteral(CommandLiteral literal)
    {
        ExpectLiteral();
        _literals.Add(literal);
        if (!literal.IsSpooled)
        {
            _size += literal.Length;
        }
    }

    public override void SkipLiteral(FrameError reason)
    {
        ExpectLiteral();
        Fail(reason);
    }

    public override void EndCommand(FrameError reason)
    {
        _awaitingLiteral = false;
        _discarding = false;
        Fail(reason);
    }

    public override FramedCommand TakeCommand()
    {
        var head = _head ?? [];
        FramedCommand command;
        if (_error == FrameError.None)
        {
            command = new FramedCommand(_buffer, [.. _lines], [.. _literals], head, FrameError.None);
            _buffer = null;
            _literals.Clear();
        }
        else
        {
            command = new FramedCommand(null, [], [], head, _error);
        }

        Reset();
        return command;
    }

    public override void Reset()
    {
        foreach (var literal in _literals)
        {
            literal.Dispose();
        }

        _literals.Clear();
        _lines.Clear();
        if (_buffer is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _buffer = null;
        }

        _length = 0;
        _size = 0;
        _head = null;
        _tailLength = 0;
        _discarding = false;
        _awaitingLiteral = false;
        _error = FrameError.None;
    }

    /// <summary>A line ended: a literal follows if it ends with a marker, otherwise the command is complete.</summary>
    private FrameStep EndOfLine(bool kept)
    {
        if (!kept && _tailLength > 0 && _tail[_tailLength - 1] == (byte)'\r')
        {
            _tailLength--;
        }

        if (recognizeLiterals)
        {
            var end = kept ? _buffer.AsSpan(_lines[^1].Offset, _lines[^1].Length) : _tail.AsSpan(0, _tailLength);
            if (TryParseMarker(end, out var marker))
            {
                _tailLength = 0;
                _awaitingLiteral = true;
                return new FrameStep(FrameKind.Literal, marker);
            }
        }

        _tailLength = 0;
        return FrameStep.Command;
    }

    /// <summary>Reads <c>{digits}</c>, <c>{digits+}</c>, optionally preceded by <c>~</c>, at the very end of a line.</summary>
    internal static bool TryParseMarker(ReadOnlySpan<byte> line, out LiteralMarker marker)
    {
        marker = default;
        if (line.Length < 3 || line[^1] != (byte)'}')
        {
            return false;
        }

        var open = line.LastIndexOf((byte)'{');
        if (open < 0)
        {
            return false;
        }

        var inside = line[(open + 1)..^1];
        var synchronizing = true;
        if (inside.Length > 0 && inside[^1] == (byte)'+')
        {
            synchronizing = false;
            inside = inside[..^1];
        }

        if (inside.Length == 0)
        {
            return false;
        }

        long length = 0;
        foreach (var digit in inside)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            // An octet count beyond 63 bits is no literal anyone can send; it is refused as too large.
            length = length > (long.MaxValue - 9) / 10 ? long.MaxValue : (length * 10) + (digit - '0');
        }

        marker = new LiteralMarker(length, synchronizing, open > 0 && line[open - 1] == (byte)'~');
        return true;
    }

    private void ExpectLiteral()
    {
        if (!_awaitingLiteral)
        {
            throw new InvalidOperationException("no literal was announced");
        }

        _awaitingLiteral = false;
    }

    private void Fail(FrameError error)
    {
        if (_error == FrameError.None)
        {
            _error = error;
        }
    }

    private void KeepHead(in ReadOnlySequence<byte> firstBytes)
    {
        if (_head is null)
        {
            _head = firstBytes.Slice(0, Math.Min(firstBytes.Length, FramedCommand.HeadLength)).ToArray();
        }
    }

    private void Append(in ReadOnlySequence<byte> line)
    {
        var needed = _length + (int)line.Length;
        if (_buffer is null || _buffer.Length < needed)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(256, (_buffer?.Length ?? 0) * 2)));
            if (_buffer is { } old)
            {
                old.AsSpan(0, _length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(old);
            }

            _buffer = grown;
        }

        line.CopyTo(_buffer.AsSpan(_length));
        _lines.Add((_length, (int)line.Length));
        _length = needed;
        _size += line.Length;
    }

    /// <summary>Keeps the last <see cref="TailLength"/> octets seen of a line that is not kept.</summary>
    private void RememberTail(in ReadOnlySequence<byte> bytes)
    {
        if (bytes.Length >= TailLength)
        {
            bytes.Slice(bytes.Length - TailLength).CopyTo(_tail);
            _tailLength = TailLength;
            return;
        }

        var count = (int)bytes.Length;
        var keep = Math.Min(_tailLength, TailLength - count);
        _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
        bytes.CopyTo(_tail.AsSpan(keep));
        _tailLength = keep + count;
    }

    private static bool EndsWith(in ReadOnlySequence<byte> bytes, byte value) => bytes.Slice(bytes.Length - 1).FirstSpan[0] == value;
}
