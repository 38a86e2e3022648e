using Npgsql;

namespace Groupware.Storage.Mail;

/// <summary>
/// A stored message read as a stream: its trace fields, then its blob's chunks as PostgreSQL sends
/// them (the reader runs in sequential mode, so a chunk is never held whole). Owns the connection,
/// command and reader it reads from.
/// </summary>
internal sealed class MessageStream(NpgsqlConnection connection, NpgsqlCommand command, NpgsqlDataReader reader, byte[] traceFields, long length)
    : Stream
{
    private const int DataColumn = 2;

    private int _traceOffset;
    private Stream? _chunk;
    private bool _firstRow = true;
    private bool _ended;
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
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_traceOffset < traceFields.Length)
            {
                var count = Math.Min(buffer.Length, traceFields.Length - _traceOffset);
                traceFields.AsMemory(_traceOffset, count).CopyTo(buffer);
                _traceOffset += count;
                _position += count;
                return count;
            }

            if (_chunk is not null)
            {
                var read = await _chunk.ReadAsync(buffer, cancellationToken);
                if (read > 0)
                {
                    _position += read;
                    return read;
                }

                await _chunk.DisposeAsync();
                _chunk = null;
            }

            if (_ended)
            {
                return 0;
            }

            if (!_firstRow && !await reader.ReadAsync(cancellationToken))
            {
                _ended = true;
                continue;
            }

            _firstRow = false;
            if (await reader.IsDBNullAsync(DataColumn, cancellationToken))
            {
                // An empty blob has no chunks: the outer join's one row carries none.
                continue;
            }

            _chunk = await reader.GetStreamAsync(DataColumn, cancellationToken);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_traceOffset < traceFields.Length)
            {
                var count = Math.Min(buffer.Length, traceFields.Length - _traceOffset);
                traceFields.AsSpan(_traceOffset, count).CopyTo(buffer);
                _traceOffset += count;
                _position += count;
                return count;
            }

            if (_chunk is not null)
            {
                var read = _chunk.Read(buffer);
                if (read > 0)
                {
                    _position += read;
                    return read;
                }

                _chunk.Dispose();
                _chunk = null;
            }

            if (_ended)
            {
                return 0;
            }

            if (!_firstRow && !reader.Read())
            {
                _ended = true;
                continue;
            }

            _firstRow = false;
            if (reader.IsDBNull(DataColumn))
            {
                continue;
            }

            _chunk = reader.GetStream(DataColumn);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunk?.Dispose();
            reader.Dispose();
            command.Dispose();
            connection.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_chunk is not null)
        {
            await _chunk.DisposeAsync();
        }

        await reader.DisposeAsync();
        await command.DisposeAsync();
        await connection.DisposeAsync();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
