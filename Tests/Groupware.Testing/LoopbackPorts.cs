using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Groupware.Testing;

/// <summary>
/// Ports for servers that run in another process (Dovecot, our own node) and must be named in
/// their configuration before they start. A port that the kernel hands out for <c>bind(0)</c>
/// and that is released at once comes from the ephemeral range, where every outgoing connection
/// of the test run (to PostgreSQL, to the servers under test) takes its source port too: one of
/// them can hold it by the time the server binds, and the server fails with EADDRINUSE. These
/// ports come instead from just below the ephemeral range, which the kernel never hands out on
/// its own, in turn within this process, and only when a trial bind shows nothing holds them; and
/// the wait for such a server to listen.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>How many ports below the ephemeral range are used, in turn.</summary>
    private const int Span = 2500;

    private static readonly (int First, int Count) Range = ChooseRange();
    private static int _next = Random.Shared.Next(Range.Count);

    /// <summary>A port on <paramref name="address"/> (loopback by default) that nothing holds now.</summary>
    public static int Free(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        for (var attempt = 0; attempt < Range.Count; attempt++)
        {
            var port = Range.First + (int)((uint)Interlocked.Increment(ref _next) % (uint)Range.Count);
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
                // Held by something else: try the next one.
            }
        }

        throw new InvalidOperationException($"no free port in {Range.First}-{Range.First + Range.Count - 1}");
    }

    /// <summary>
    /// Waits until something accepts connections on <paramref name="endPoint"/>, for at most 10 s;
    /// fails at once when <paramref name="process"/> (the server, named <paramref name="name"/>) exits first.
    /// </summary>
    public static async Task WaitForListenerAsync(IPEndPoint endPoint, Process process, string name)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(process);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}");
            }

            using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endPoint);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"nothing listens on {endPoint} after 10 s");
    }

    /// <summary>
    /// <c>[low - Span, low)</c> where <c>low</c> is the first ephemeral port (Linux's
    /// <c>ip_local_port_range</c>, 32768 by default), kept clear of 20000-29999, which the
    /// acceptance checks use; 12000-14499 when the ephemeral range starts too low for that.
    /// </summary>
    private static (int First, int Count) ChooseRange()
    {
        var low = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            low = int.Parse(text.Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Not Linux, or not readable: the kernel's default.
        }

        return low - Span >= 30000 ? (low - Span, Span) : (12000, Span);
    }
}
