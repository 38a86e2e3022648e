namespace Groupware.Storage.Mail;

/// <summary>
/// What the MIME parser reads of a stored message: the octets as they are, except that a line
/// longer than the cap loses its excess (its line end stays). MimeKit copies a header line it has
/// not finished once per 4 KiB block it reads, so an uncut line of n octets costs n²/8 KiB of copying;
/// cut, it costs at most a constant per octet. Positions the parser reports are in this stream's
/// coordinates; <see cref="OriginalOffset"/> maps them back, so part sizes stay exact. Only what the
/// parser sees is cut: the stored message is never touched.
/// </summary>
internal sealed class LineCappedStream(Stream inner, int maxLineLength) : Stream
{
    // (position here, original offset minus position) from each place where a cut ended, in order.
    private readonly List<(long At, long Delta)> _cuts = [];
    private long _position;
    private long _consumed;
    private int _lineLength;
    private bool _cutting;
    private bool _cutEndsInCr;

    public override bool CanRead => true;

    // MimeKit parses "persistently" (part contents stay in the source, not in memory) only from a
    // seekable stream; it reads the position and never seeks.
    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    /// <summary>The offset, from where this stream started, in the uncut octets of a position here.</summary>
    public long OriginalOffset(long position)
    {
        var delta = 0L;
        var low = 0;
        var high = _cuts.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (_cuts[middle].At <= position)
            {
                delta = _cuts[middle].Delta;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return position + delta;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var read = inner.Read(buffer);
            if (read == 0)
            {
                return 0;
            }

            var written = Cut(buffer[..read]);
            if (written > 0)
            {
                return written;
            }
        }

        return 0;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => throw new NotSupportedException(),
        };
        return target == _position ? _position : throw new NotSupportedException("a cut stream is read forward only");
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Removes, in place, what the cap cuts from <paramref name="chunk"/> (the next octets of the source); returns what is left.</summary>
    private int Cut(Span<byte> chunk)
    {
        var written = 0;
        var i = 0;
        while (i < chunk.Length)
        {
            var rest = chunk[i..];
            if (_cutting)
            {
                var lf = rest.IndexOf((byte)'\n');
                if (lf < 0)
                {
                    _cutEndsInCr = rest[^1] == '\r';
                    i = chunk.Length;
                    break;
                }

                // The line end survives the cut, and with it the CR before the LF.
                var keepCr = lf > 0 ? rest[lf - 1] == '\r' : _cutEndsInCr;
                var resume = i + lf - (keepCr ? 1 : 0);
                _cuts.Add((_position + written, _consumed + resume - (_position + written)));
                if (keepCr)
                {
                    chunk[written++] = (byte)'\r';
                }

                chunk[written++] = (byte)'\n';
                i += lf + 1;
                _cutting = false;
                _cutEndsInCr = false;
                _lineLength = 0;
                continue;
            }

            var end = rest.IndexOf((byte)'\n');
            var content = end < 0 ? rest.Length : end;
            var room = maxLineLength - _lineLength;
            if (content <= room)
            {
                var take = end < 0 ? rest.Length : end + 1;
                rest[..take].CopyTo(chunk[written..]);
                written += take;
                i += take;
                _lineLength = end < 0 ? _lineLength + take : 0;
            }
            else
            {
                rest[..room].CopyTo(chunk[written..]);
                written += room;
                i += room;
                _lineLength = maxLineLength;
                _cutting = true;
                _cutEndsInCr = false;
            }
        }

        _consumed += chunk.Length;
        _position += written;
        return written;
    }
}
