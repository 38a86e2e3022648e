using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>
/// A stored message read as a stream: its trace fields, then its blob's chunks (at most 256 KiB
/// each), fetched one query at a time as the reader gets to them. Between two fetches nothing is
/// held: no pooled connection and no open snapshot wait on a slow client, and a reader that stops
/// early (POP3 TOP, a client gone) costs only the chunks it asked for. The message's own row must
/// outlive the read (the POP3 maildrop lock sees to it); a chunk gone in between ends the read with
/// an <see cref="IOException"/>.
/// </summary>
internal sealed class MessageStream(NpgsqlDataSource dataSource, long blobId, int chunkCount, byte[] traceFields, byte[]? firstChunk, long length)
    : Stream
{
    private const string SelectChunk = "SELECT data FROM blob_chunks WHERE blob_id = @blobId AND seq = @seq";

    private byte[] _current = traceFields;
    private int _offset;

    /// <summary>The next chunk to fetch; -1 while the first chunk (fetched with the message) is still to come.</summary>
    private int _nextSeq = -1;
    private long _position;

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
                if (_nextSeq >= chunkCount)
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
                if (_nextSeq >= chunkCount)
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
        if (_nextSeq != -1)
        {
            return false;
        }

        _nextSeq = 1;
        _current = firstChunk ?? [];
        _offset = 0;
        return true;
    }

    private NpgsqlCommand ChunkCommand(NpgsqlConnection connection)
    {
        var command = new NpgsqlCommand(SelectChunk, connection);
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
        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsSpan(_offset, count).CopyTo(buffer);
        _offset += count;
        _position += count;
        return count;
    }
}
