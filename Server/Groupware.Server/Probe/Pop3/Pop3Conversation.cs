using System.Net.Security;

namespace Groupware.Server.Probe.Pop3;

/// <summary>
/// The client side of the POP3 commands a probe needs (RFC 1939 §5 USER/PASS and QUIT, RFC 2449
/// §5 CAPA, RFC 2595 §4 STLS), over a <see cref="ProbeConnection"/>. Answers are values; the probe
/// judges them.
/// </summary>
internal sealed class Pop3Conversation(ProbeConnection connection)
{
    /// <summary>Bound on the lines of a CAPA answer; RFC 2449 lists a dozen capabilities.</summary>
    private const int MaxCapabilityLines = 1000;

    /// <summary>Reads the greeting: <c>+OK</c> (RFC 1939 §4), or <c>-ERR</c> from a server refusing the connection.</summary>
    /// <exception cref="ProbeMismatchException">The first line is not a POP3 status line.</exception>
    public async Task<Pop3Response> GreetingAsync(CancellationToken cancellationToken) => await ReadStatusAsync(cancellationToken);

    /// <summary>
    /// Asks for CAPA (RFC 2449 §5). Returns the capability lines (<c>USER</c>, <c>SASL PLAIN</c>,
    /// <c>STLS</c> ...), or null when the server does not know CAPA (an RFC 1939-only server).
    /// </summary>
    public async Task<IReadOnlyList<string>?> CapaAsync(CancellationToken cancellationToken)
    {
        var status = await CommandAsync("CAPA", cancellationToken);
        if (!status.IsOk)
        {
            return null;
        }

        var lines = new List<string>();
        for (var i = 0; i < MaxCapabilityLines; i++)
        {
            var line = await connection.ReadLineAsync(cancellationToken);
            if (line == ".")
            {
                return lines;
            }

            // Dot-stuffing (RFC 1939 §3).
            lines.Add(line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line);
        }

        throw new ProbeMismatchException($"CAPA did not end after {MaxCapabilityLines} lines");
    }

    /// <summary>Sends USER (RFC 1939 §7).</summary>
    public Task<Pop3Response> UserAsync(string user, CancellationToken cancellationToken) =>
        CommandAsync($"USER {user}", cancellationToken);

    /// <summary>Sends PASS (RFC 1939 §7); the transcript shows it masked.</summary>
    public async Task<Pop3Response> PassAsync(string password, CancellationToken cancellationToken)
    {
        await connection.WriteLineAsync($"PASS {password}", cancellationToken, $"PASS {ProbeTranscript.Mask}");
        return await ReadStatusAsync(cancellationToken);
    }

    /// <summary>Sends STLS (RFC 2595 §4); on +OK the caller runs the handshake.</summary>
    public Task<Pop3Response> StlsAsync(CancellationToken cancellationToken) => CommandAsync("STLS", cancellationToken);

    public Task<SslStream> HandshakeAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken) =>
        connection.StartTlsAsync(options, cancellationToken);

    /// <summary>Says QUIT (RFC 1939 §6); a server that already hung up is fine.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CommandAsync("QUIT", cancellationToken);
        }
        catch (ProbeMismatchException)
        {
            // Closed already: nothing left to end.
        }
    }

    private async Task<Pop3Response> CommandAsync(string command, CancellationToken cancellationToken)
    {
        await connection.WriteLineAsync(command, cancellationToken);
        return await ReadStatusAsync(cancellationToken);
    }

    private async Task<Pop3Response> ReadStatusAsync(CancellationToken cancellationToken)
    {
        var response = Pop3Response.Parse(await connection.ReadLineAsync(cancellationToken));
        return response.IsMalformed
            ? throw new ProbeMismatchException($"not a POP3 response: {(response.Line.Length > 120 ? response.Line[..120] + "..." : response.Line)}")
            : response;
    }
}
