using System.IO.Compression;

namespace Groupware.Connections;

/// <summary>
/// The COMPRESS=DEFLATE transport layer (RFC 4978 §4): raw deflate (RFC 1951, no zlib header) in
/// each direction, and every flush a sync flush, so a response leaves the server whole instead of
/// waiting in the compressor for more. <see cref="FinishAsync"/> ends the output stream with its
/// final block before the layers below close.
/// </summary>
internal sealed class DeflateTransport(Stream inner) : Stream
{
    private readonly DeflateStream _decompressor = new(inner, CompressionMode.Decompress, leaveOpen: true);

    // RFC 4978 §5 leaves the level to the sender; the fastest level spends the least CPU per response
    // and still compresses mail text about 3:1.
    private readonly DeflateStream _compressor = new(inner, CompressionLevel.Fastest, leaveOpen: true);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _decompressor.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _decompressor.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _compressor.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _compressor.WriteAsync(buffer, offset, count, cancellationToken);

    /// <summary>A sync flush (Z_SYNC_FLUSH): everything written so far is sent, and the stream goes on.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _compressor.FlushAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    /// <summary>Writes the final deflate block and flushes it below.</summary>
    public async Task FinishAsync()
    {
        await _compressor.DisposeAsync();
        await inner.FlushAsync();
    }

    public override void Flush() => throw new NotSupportedException("synchronous I/O on a connection");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous I/O on a connection");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous I/O on a connection");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await _decompressor.DisposeAsync();
        await _compressor.DisposeAsync();
        await base.DisposeAsync();
    }
}
