using System.Buffers;
using System.IO.Pipelines;

namespace Groupware.Connections;

/// <summary>
/// A <see cref="Stream"/> over a connection's raw pipes, so that <see cref="System.Net.Security.SslStream"/>
/// can run on a Kestrel transport after STARTTLS.
/// </summary>
internal sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : AsyncDuplexStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                var count = (int)Math.Min(buffer.Length, destination.Length);
                buffer.Slice(0, count).CopyTo(destination.Span);
                input.AdvanceTo(buffer.GetPosition(count));
                return count;
            }

            input.AdvanceTo(buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0;
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        var result = await output.WriteAsync(source, cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException("the client closed the connection");
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken).AsTask();
}
