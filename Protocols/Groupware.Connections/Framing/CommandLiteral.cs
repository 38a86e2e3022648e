using System.Buffers;

namespace Groupware.Connections.Framing;

/// <summary>
/// The octets of one literal of a command (RFC 9051 §4.3), owned by the command that carries it:
/// held in a pooled buffer when the protocol asked for it in memory, or spooled to a file that is
/// deleted when the command is disposed (an APPEND body, which must never be held whole).
/// </summary>
public sealed class CommandLiteral : IDisposable
{
    private byte[]? _buffer;
    private FileStream? _spool;
    private long _written;

    private CommandLiteral(long length, bool binary, byte[]? buffer, FileStream? spool)
    {
        Length = length;
        IsBinary = binary;
        _buffer = buffer;
        _spool = spool;
    }

    /// <summary>The literal's length as announced, which the engine has read in full.</summary>
    public long Length { get; }

    /// <summary>True for a <c>~{n}</c> literal (RFC 3516 §4.2), which may hold NUL octets.</summary>
    public bool IsBinary { get; }

    /// <summary>Whether the octets are in a spool file rather than in memory.</summary>
    public bool IsSpooled => _spool is not null;

    /// <summary>The octets of an in-memory literal.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer is { } buffer
        ? buffer.AsMemory(0, (int)Length)
        : throw new InvalidOperationException(_spool is null ? "the literal is disposed" : "the literal is spooled; use OpenRead");

    internal static CommandLiteral InMemory(long length, bool binary) =>
        new(length, binary, ArrayPool<byte>.Shared.Rent((int)Math.Max(1, length)), null);

    internal static CommandLiteral Spooled(long length, bool binary, string directory) =>
        new(length, binary, null, new FileStream(Path.Combine(directory, $"groupware-literal-{Guid.NewGuid():N}"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, 64 * 1024,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose));

    /// <summary>Appends octets as they arrive; the engine never writes more than <see cref="Length"/>.</summary>
    internal async ValueTask WriteAsync(ReadOnlySequence<byte> octets, CancellationToken cancellationToken)
    {
        if (_buffer is { } buffer)
        {
            octets.CopyTo(buffer.AsSpan((int)_written));
        }
        else
        {
            foreach (var segment in octets)
            {
                await _spool!.WriteAsync(segment, cancellationToken);
            }
        }

        _written += octets.Length;
    }

    /// <summary>A stream over the octets, from the start; each call gives a new reader.</summary>
    public Stream OpenRead()
    {
        if (_buffer is { } buffer)
        {
            return new MemoryStream(buffer, 0, (int)Length, writable: false);
        }

        var spool = _spool ?? throw new ObjectDisposedException(nameof(CommandLiteral));
        spool.Flush();
        // The spool stays open (deleting it on close); a second handle reads it independently.
        return new FileStream(spool.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Interlocked.Exchange(ref _spool, null)?.Dispose();
    }
}
