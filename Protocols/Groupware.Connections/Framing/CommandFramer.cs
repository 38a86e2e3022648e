using System.Buffers;

namespace Groupware.Connections.Framing;

/// <summary>What one step of a <see cref="CommandFramer"/> found.</summary>
public enum FrameKind
{
    /// <summary>The command is not complete; read more input.</summary>
    NeedMore,

    /// <summary>A whole command (or a failed one) is ready: <see cref="CommandFramer.TakeCommand"/>.</summary>
    Command,

    /// <summary>A line ended with a literal marker: the engine reads the literal and hands it back.</summary>
    Literal,
}

/// <summary>A literal's marker at the end of a line: <c>{n}</c>, <c>{n+}</c> or <c>~{n}</c> (RFC 9051 §4.3, RFC 7888 §3, RFC 3516 §4.2).</summary>
/// <param name="Length">The octet count; <see cref="long.MaxValue"/> when the count does not fit in 63 bits.</param>
/// <param name="Synchronizing">True for <c>{n}</c>: the client waits for a continuation request before it sends the octets.</param>
/// <param name="Binary">True for <c>~{n}</c> (literal8).</param>
public readonly record struct LiteralMarker(long Length, bool Synchronizing, bool Binary);

/// <summary>One step of framing: what was found, and the literal it announces.</summary>
public readonly record struct FrameStep(FrameKind Kind, LiteralMarker Literal = default)
{
    public static FrameStep NeedMore { get; } = new(FrameKind.NeedMore);

    public static FrameStep Command { get; } = new(FrameKind.Command);
}

/// <summary>
/// A sans-IO framer: buffered input bytes in; out comes "need more", a complete command (its lines
/// plus any literals, owned by the command), or "a literal of n octets follows", which the engine
/// reads and hands back. A protocol supplies one; the engine (<see cref="LineSession"/>) does the I/O
/// around it. Limits on line length and command size are the framer's to apply while it scans, so
/// an over-long line is discarded as it arrives and never buffered whole; a command that breaks a
/// limit is still framed to its end (literals included) so that none of its bytes is read as a
/// command, and then delivered with its <see cref="FramedCommand.Error"/>.
/// </summary>
public abstract class CommandFramer
{
    /// <summary>Frames what <paramref name="input"/> holds; <paramref name="consumed"/> and <paramref name="examined"/> go to <c>PipeReader.AdvanceTo</c>.</summary>
    public abstract FrameStep Frame(in ReadOnlySequence<byte> input, out SequencePosition consumed, out SequencePosition examined);

    /// <summary>Takes the literal the last <see cref="FrameKind.Literal"/> step announced, read in full.</summary>
    public abstract void AddLiteral(CommandLiteral literal);

    /// <summary>The announced literal was read and discarded: the command fails with <paramref name="reason"/> and framing goes on to its end.</summary>
    public abstract void SkipLiteral(FrameError reason);

    /// <summary>Ends the command now with <paramref name="reason"/> (a refused synchronizing literal: the client sends no more of it).</summary>
    public abstract void EndCommand(FrameError reason);

    /// <summary>The command framed so far, handed to the caller, who disposes it; the framer starts afresh.</summary>
    public abstract FramedCommand TakeCommand();

    /// <summary>Forgets the command in progress (a new command, or the state after STARTTLS).</summary>
    public abstract void Reset();

    /// <summary>The error of the command in progress, if it has failed already.</summary>
    public abstract FrameError Failure { get; }

    /// <summary>Octets the command in progress holds in memory (lines and buffered literals).</summary>
    public abstract long Size { get; }

    /// <summary>How many literals the command in progress has so far.</summary>
    public abstract int LiteralCount { get; }

    /// <summary>The first line of the command in progress, for a protocol deciding about a literal (empty if it was not kept).</summary>
    public abstract ReadOnlySpan<byte> FirstLine { get; }

    /// <summary>A framer of CRLF-terminated lines, one command per line (POP3, LMTP, SMTP).</summary>
    public static CommandFramer Lines(SessionLimits limits) => new LineFramer(limits, recognizeLiterals: false);

    /// <summary>A framer of IMAP commands: lines that may end in a literal marker, with the literal and the next line part of the same command.</summary>
    public static CommandFramer LinesWithLiterals(SessionLimits limits) => new LineFramer(limits, recognizeLiterals: true);
}
