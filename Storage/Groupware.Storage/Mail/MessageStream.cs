using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>
/// A stored message, or a range of it, read as a stream: its trace fields (or the part of them in
/// the range), then its blob's chunks (at most 256 KiB each), fetched one query at a time as the
/// reader gets to them, and only as much of each as the range needs. Between two fetches nothing is
/// held: no pooled connection and no open snapshot wait on a slow client, and a reader that stops
/// early (POP3 TOP, a client gone) costs only the chunks it asked for. The message's own row must
/// outlive the read (the POP3 maildrop lock sees to it; an IMAP session reads what it was told
/// exists); a chunk gone in between ends the read with an <see cref="IOException"/>.
/// </summary>
/// <param name="dataSource">Where later chunks are read.</param>
/// <param name="blobId">The blob whose chunks follow the prefix.</param>
/// <param name="nextSeq">The chunk after <paramref name="firstChunk"/>.</param>
/// <param name="chunkCount">How many chunks the blob has.</param>
/// <param name="prefix">The octets before the first chunk: the trace fields in the range.</param>
/// <param name="firstChunk">The range's part of chunk <paramref name="nextSeq"/> - 1, fetched with the message's row; null when there is none.</param>
/// <param name="length">Octets of the stream: where it ends, whatever the chunks hold beyond.</param>
internal sealed class MessageStream(NpgsqlDataSource dataSource, long blobId, int nextSeq, int chunkCount, byte[] prefix, byte[]? firstChunk,
    long length) : Stream
{
    private const string SelectChunk = "SELECT substring(data FROM 1 FOR @take) FROM blob_chunks WHERE blob_id = @blobId AND seq = @seq";

    private byte[] _current = prefix;
    private int _offset;
    private bool _firstTaken;
    private int _nextSeq = nextSeq;
    private long _position;

    /// <summary>A whole message: its trace fields, then every chunk from the first.</summary>
    public MessageStream(NpgsqlDataSource dataSource, long blobId, int chunkCount, byte[] traceFields, byte[]? firstChunk, long length)
        : this(dataSource, blobId, 1, chunkCount, traceFields, firstChunk, length)
    {
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty && _offset == _current.Length)
        {
            if (!TryTakeFirstChunk())
            {
                if (_nextSeq >= chunkCount || _position >= length)
                {
                    return 0;
                }

                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var command = ChunkCommand(connection);
                Next(await command.ExecuteScalarAsync(cancellationToken));
            }
        }

        return Copy(buffer.Span);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (!buffer.IsEmpty && _offset == _current.Length)
        {
            if (!TryTakeFirstChunk())
            {
                if (_nextSeq >= chunkCount || _position >= length)
                {
                    return 0;
                }

                using var connection = dataSource.OpenConnection();
                using var command = ChunkCommand(connection);
                Next(command.ExecuteScalar());
            }
        }

        return Copy(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private bool TryTakeFirstChunk()
    {
        if (_firstTaken)
        {
            return false;
        }

        _firstTaken = true;
        _current = firstChunk ?? [];
        _offset = 0;
        return true;
    }

    private NpgsqlCommand ChunkCommand(NpgsqlConnection connection)
    {
        var command = new NpgsqlCommand(SelectChunk, connection);
        command.Parameters.AddWithValue("take", (int)Math.Min(MailStore.ChunkSize, length - _position));
        command.Parameters.AddWithValue("blobId", blobId);
        command.Parameters.AddWithValue("seq", _nextSeq);
        return command;
    }

    private void Next(object? data)
    {
        _current = data as byte[]
            ?? throw new IOException($"chunk {_nextSeq} of blob {blobId} is gone: the message was removed while it was being read");
        _offset = 0;
        _nextSeq++;
    }

    private int Copy(Span<byte> buffer)
    {
        var count = (int)Math.Min(Math.Min(buffer.Length, _current.Length - _offset), length - _position);
        _current.AsSpan(_offset, count).CopyTo(buffer);
        _offset += count;
        _position += count;
        if (_position >= length)
        {
            // Nothing beyond the end is read, even what the current chunk still holds.
            _current = [];
            _offset = 0;
        }

        return count;
    }
}
