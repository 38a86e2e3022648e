using System.Buffers;

namespace Groupware.Connections.Framing;

/// <summary>Why a command could not be framed; the protocol turns it into its own refusal.</summary>
public enum FrameError
{
    None,

    /// <summary>A line was longer than <see cref="SessionLimits.MaxLineLength"/>.</summary>
    LineTooLong,

    /// <summary>The command's lines and in-memory literals together exceed <see cref="SessionLimits.MaxCommandSize"/>.</summary>
    CommandTooLong,

    /// <summary>A literal was larger than <see cref="SessionLimits.MaxLiteralSize"/> (or than its octet count can say).</summary>
    LiteralTooLarge,

    /// <summary>A non-synchronizing literal was larger than <see cref="SessionLimits.MaxNonSynchronizingLiteralSize"/> (RFC 7888 §5).</summary>
    NonSynchronizingLiteralTooLarge,

    /// <summary>The protocol refused the literal for this command.</summary>
    LiteralRefused,
}

/// <summary>
/// One whole command as the framer delivered it, owning its octets (a pooled buffer returned on
/// <see cref="Dispose"/>, never the session's read buffer): its lines, CRLF removed, and the
/// literal that follows each line that announced one. Line <c>i</c> ends with the literal marker
/// (<c>{n}</c>, <c>{n+}</c>, <c>~{n}</c>) of literal <c>i</c>; the last line has none. A command that
/// failed framing has <see cref="Error"/> set and only its <see cref="Head"/>.
/// </summary>
public sealed class FramedCommand : IDisposable
{
    /// <summary>Octets of the first line kept for an answer even when the command is discarded (an IMAP tag).</summary>
    public const int HeadLength = 64;

    private byte[]? _buffer;
    private readonly (int Offset, int Length)[] _lines;
    private readonly CommandLiteral[] _literals;
    private readonly byte[] _head;

    internal FramedCommand(byte[]? buffer, (int Offset, int Length)[] lines, CommandLiteral[] literals, byte[] head, FrameError error)
    {
        _buffer = buffer;
        _lines = lines;
        _literals = literals;
        _head = head;
        Error = error;
    }

    public FrameError Error { get; }

    /// <summary>Number of lines (one more than the number of literals).</summary>
    public int LineCount => _lines.Length;

    /// <summary>The first <see cref="HeadLength"/> octets of the first line, also of a command that failed.</summary>
    public ReadOnlySpan<byte> Head => _head;

    /// <summary>The first line; the whole command for protocols without literals.</summary>
    public ReadOnlySpan<byte> FirstLine => Line(0);

    public IReadOnlyList<CommandLiteral> Literals => _literals;

    /// <summary>Line <paramref name="index"/> of the command, CRLF removed.</summary>
    public ReadOnlySpan<byte> Line(int index)
    {
        var (offset, length) = _lines[index];
        return length == 0 ? default : (_buffer ?? throw new ObjectDisposedException(nameof(FramedCommand))).AsSpan(offset, length);
    }

    /// <summary>Octets of the lines and in-memory literals, as counted against <see cref="SessionLimits.MaxCommandSize"/>.</summary>
    public long Size => _lines.Sum(l => (long)l.Length) + _literals.Where(l => !l.IsSpooled).Sum(l => l.Length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        foreach (var literal in _literals)
        {
            literal.Dispose();
        }
    }
}
