using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Groupware.Tests.Probe;

/// <summary>
/// A loopback server that answers every connection with a line of another protocol (an SSH banner)
/// and hangs up: what a probe meets when a port is served by the wrong daemon.
/// </summary>
public sealed class GarbageServer : IAsyncDisposable
{
    /// <summary>Connections served before the server stops by itself.</summary>
    private const int MaxConnections = 50;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly Task _loop;

    public GarbageServer(string banner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")
    {
        _listener.Start();
        _loop = ServeAsync(Encoding.ASCII.GetBytes(banner + "\r\n"));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task ServeAsync(byte[] banner)
    {
        try
        {
            for (var i = 0; i < MaxConnections; i++)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                await stream.WriteAsync(banner, _stop.Token);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(2));
                try
                {
                    _ = await stream.ReadAsync(new byte[512], wait.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    // Whatever the client does, the banner was its answer.
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Stopped.
        }
    }

    /// <summary>A port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
