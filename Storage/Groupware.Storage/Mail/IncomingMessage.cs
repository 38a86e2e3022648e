using System.Buffers;
using System.Security.Cryptography;

namespace Groupware.Storage.Mail;

/// <summary>
/// A message on its way into the store, spooled to a private temporary file as it arrives so that
/// no size of message is ever held in memory: line ends are normalised to CRLF, the SHA-256 that
/// names its blob is computed, and octets beyond <see cref="MaxSize"/> are counted but not kept
/// (RFC 1870 §6: the message is read to its end, then refused). The file's name is removed as
/// soon as it is open, so nothing is left behind however the process ends: the kernel frees the
/// space when the descriptor closes, on dispose or at the process's death (even by SIGKILL).
/// A spool that fails (its directory gone, its disk full) is handled the same way: the octets are
/// still counted to the end, and <see cref="SpoolError"/> says why the message cannot be stored.
/// </summary>
public sealed class IncomingMessage : IAsyncDisposable
{
    private const int FileBufferSize = 64 * 1024;

    private readonly FileStream? _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private LineEndingNormalizer _normalizer;
    private long _size;
    private bool _completed;

    private IncomingMessage(FileStream? file, long maxSize, Exception? spoolError)
    {
        _file = file;
        MaxSize = maxSize;
        SpoolError = spoolError;
    }

    /// <summary>The most octets kept; a larger message is counted to its end and then refused.</summary>
    public long MaxSize { get; }

    /// <summary>Octets of the message so far, as stored (CRLF-normalised), including any beyond <see cref="MaxSize"/>.</summary>
    public long Size => _size;

    /// <summary>Whether the message grew past <see cref="MaxSize"/>.</summary>
    public bool TooBig => _size > MaxSize;

    /// <summary>SHA-256 of the stored octets; set by <see cref="CompleteAsync"/>.</summary>
    public byte[] Sha256 { get; private set; } = [];

    /// <summary>The parse results; set by <see cref="CompleteAsync"/> (null for a message that is <see cref="TooBig"/> or not spooled).</summary>
    public MessageSummary? Summary { get; private set; }

    /// <summary>
    /// Why the spool could not keep the message (an <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/>); null while it can. The message cannot be stored,
    /// but the rest of it is still read so that the protocol stays in step.
    /// </summary>
    public Exception? SpoolError { get; private set; }

    /// <summary>Whether <see cref="SpoolError"/> is the file system running out of space (ENOSPC) or quota (EDQUOT).</summary>
    public bool SpoolFull => SpoolError is IOException { HResult: 28 or 122 };

    /// <summary>Opens a new, already unlinked spool file (mode 0600) in <paramref name="directory"/>.</summary>
    public static IncomingMessage Create(string directory, long maxSize)
    {
        var path = Path.Combine(directory, $"groupware-spool-{Guid.NewGuid():N}.eml");
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = FileBufferSize,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new IncomingMessage(null, maxSize, e);
        }

        try
        {
            File.Delete(path);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        return new IncomingMessage(file, maxSize, null);
    }

    /// <summary>Appends octets of the message as they arrived.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            throw new InvalidOperationException("the message is already complete");
        }

        if (bytes.IsEmpty)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(LineEndingNormalizer.MaxOutputLength(bytes.Length));
        try
        {
            var written = _normalizer.Normalize(bytes.Span, buffer);
            await AppendAsync(buffer.AsMemory(0, written), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends octets of the message as they arrived, in segments.</summary>
    public async ValueTask WriteAsync(ReadOnlySequence<byte> bytes, CancellationToken cancellationToken)
    {
        foreach (var segment in bytes)
        {
            await WriteAsync(segment, cancellationToken);
        }
    }

    /// <summary>
    /// Ends the message: flushes the spool, fixes its SHA-256 and, unless it is too big, parses it.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        var tail = new byte[2];
        var written = _normalizer.Finish(tail);
        await AppendAsync(tail.AsMemory(0, written), cancellationToken);
        _completed = true;
        Sha256 = _hash.GetHashAndReset();
        if (_file is null || SpoolError is not null)
        {
            return;
        }

        try
        {
            // The last buffered octets reach the disk only now: a full disk may first show here.
            await _file.FlushAsync(cancellationToken);
        }
        catch (IOException e)
        {
            SpoolError = e;
            return;
        }

        if (!TooBig)
        {
            _file.Position = 0;
            Summary = MessageSummary.Parse(_file);
        }
    }

    /// <summary>Reads the stored octets from the start; valid until the next call or dispose.</summary>
    internal Stream OpenContent()
    {
        if (!_completed || TooBig || _file is null || SpoolError is not null)
        {
            throw new InvalidOperationException("only a complete, spooled message within its size limit can be stored");
        }

        _file.Position = 0;
        return _file;
    }

    public async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        if (_file is not null)
        {
            try
            {
                await _file.DisposeAsync();
            }
            catch (IOException)
            {
                // Dispose flushes what is buffered; on a full disk that fails too, and the file goes anyway.
            }
        }
    }

    private async ValueTask AppendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var keep = (int)Math.Clamp(MaxSize - _size, 0, bytes.Length);
        _size += bytes.Length;
        if (keep > 0 && _file is not null && SpoolError is null)
        {
            _hash.AppendData(bytes.Span[..keep]);
            try
            {
                await _file.WriteAsync(bytes[..keep], cancellationToken);
            }
            catch (IOException e)
            {
                SpoolError = e;
            }
        }
    }
}
