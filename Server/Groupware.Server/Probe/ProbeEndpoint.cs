using System.Net;

namespace Groupware.Server.Probe;

/// <summary>Where a probe connects, from where, and how long it waits (<c>--host</c>, <c>--bind</c>, <c>--timeout</c>).</summary>
/// <param name="Host">A host name or an IP address.</param>
/// <param name="Bind">The local address to connect from, or null for the system's choice.</param>
/// <param name="Timeout">The bound on one whole conversation: connect, TLS, every command.</param>
internal sealed record ProbeEndpoint(string Host, IPAddress? Bind, TimeSpan Timeout)
{
    /// <summary>check_tcp's default for <c>-t</c>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
}

/// <summary>The server could not be reached: connection refused, no route, or no answer in time.</summary>
internal sealed class ProbeUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The server answered with something that is not the protocol the probe speaks.</summary>
internal sealed class ProbeMismatchException(string message) : Exception(message);
