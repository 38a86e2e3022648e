using System.IO.Compression;

namespace Groupware.Connections;

/// <summary>
/// The COMPRESS=DEFLATE transport layer (RFC 4978 §4): raw deflate (RFC 1951, no zlib header) in
/// each direction, and every flush a sync flush, so a response leaves the server whole instead of
/// waiting in the compressor for more. <see cref="FinishAsync"/> ends the output stream with its
/// final block before the layers below close.
/// </summary>
internal sealed class DeflateTransport(Stream inner) : AsyncDuplexStream
{
    private readonly DeflateStream _decompressor = new(inner, CompressionMode.Decompress, leaveOpen: true);

    // RFC 4978 §5 leaves the level to the sender; the fastest level spends the least CPU per response
    // and still compresses mail text about 3:1.
    private readonly DeflateStream _compressor = new(inner, CompressionLevel.Fastest, leaveOpen: true);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _decompressor.ReadAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _compressor.WriteAsync(buffer, cancellationToken);

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

    public override async ValueTask DisposeAsync()
    {
        await _decompressor.DisposeAsync();
        await _compressor.DisposeAsync();
        await base.DisposeAsync();
    }
}
