using System.Globalization;
using System.Net.Security;
using System.Text;

namespace Groupware.Server.Probe.Imap;

/// <summary>
/// The client side of the few IMAP commands a probe needs (RFC 9051 §6.1.1 CAPABILITY, §6.1.3
/// LOGOUT, §6.2.1 STARTTLS, §6.2.3 LOGIN; the same in RFC 3501), over a <see cref="ProbeConnection"/>.
/// It answers with the server's responses as values and leaves judging them to the probe.
/// </summary>
internal sealed class ImapConversation(ProbeConnection connection)
{
    /// <summary>Bound on the lines of one response, so a server that never completes a command cannot hold the probe.</summary>
    private const int MaxLinesPerCommand = 10_000;

    private int _tag;

    /// <summary>The capabilities last announced, upper-cased.</summary>
    public IReadOnlyList<string> Capabilities { get; private set; } = [];

    /// <summary>Reads the greeting (RFC 9051 §7.1: <c>* OK</c>, <c>* PREAUTH</c> or <c>* BYE</c>).</summary>
    /// <exception cref="ProbeMismatchException">The first line is not an IMAP greeting.</exception>
    public async Task<ImapResponse> GreetingAsync(CancellationToken cancellationToken)
    {
        var greeting = ImapResponse.Parse(await connection.ReadLineAsync(cancellationToken));
        if (greeting.Kind != ImapResponseKind.UntaggedStatus || greeting.Status is "NO" or "BAD")
        {
            throw new ProbeMismatchException($"not an IMAP greeting: {Shorten(greeting.Line)}");
        }

        if (greeting.Capabilities is { } capabilities)
        {
            Capabilities = capabilities;
        }

        return greeting;
    }

    /// <summary>Asks for CAPABILITY and returns them (empty if the server refuses the command).</summary>
    public async Task<IReadOnlyList<string>> CapabilityAsync(CancellationToken cancellationToken)
    {
        await CommandAsync("CAPABILITY", [], cancellationToken);
        return Capabilities;
    }

    /// <summary>
    /// Sends LOGIN as a careless client does, whatever the server advertised. Returns the tagged
    /// completion, or the untagged BYE the server closed with.
    /// </summary>
    public Task<ImapResponse> LoginAsync(string user, string password, CancellationToken cancellationToken) =>
        CommandAsync("LOGIN", [new Argument(user, false), new Argument(password, true)], cancellationToken);

    /// <summary>Sends STARTTLS and returns the completion; on OK the caller runs the handshake.</summary>
    public async Task<ImapResponse> StartTlsAsync(CancellationToken cancellationToken)
    {
        var completion = await CommandAsync("STARTTLS", [], cancellationToken);
        // Capabilities from before TLS mean nothing after it (RFC 9051 §6.2.1).
        Capabilities = [];
        return completion;
    }

    /// <summary>Says LOGOUT; a server that already hung up is fine.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CommandAsync("LOGOUT", [], cancellationToken);
        }
        catch (ProbeMismatchException)
        {
            // Closed before or right after the BYE: the conversation is over either way.
        }
    }

    /// <summary>The secure TLS client options for a STARTTLS upgrade are the caller's; this runs it.</summary>
    public Task<SslStream> HandshakeAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken) =>
        connection.StartTlsAsync(options, cancellationToken);

    private async Task<ImapResponse> CommandAsync(string command, IReadOnlyList<Argument> arguments, CancellationToken cancellationToken)
    {
        var tag = $"P{++_tag}";
        var line = new StringBuilder($"{tag} {command}");
        var shown = new StringBuilder(line.ToString());
        foreach (var argument in arguments)
        {
            if (ImapString.TryQuote(argument.Value) is { } quoted)
            {
                line.Append(' ').Append(quoted);
                shown.Append(' ').Append(argument.Secret ? ProbeTranscript.Mask : quoted);
                continue;
            }

            // A synchronising literal: send the line so far, wait for "+", then the octets (RFC 9051 §4.3, §7.5).
            var octets = ImapString.LiteralOctets(argument.Value);
            line.Append(CultureInfo.InvariantCulture, $" {{{octets.Length}}}");
            shown.Append(argument.Secret ? " {*}" : $" {{{octets.Length}}}");
            await connection.WriteLineAsync(line.ToString(), cancellationToken, shown.ToString());
            var answer = await ReadResponseAsync(cancellationToken);
            if (answer.Kind != ImapResponseKind.Continuation)
            {
                return answer.Kind == ImapResponseKind.Tagged || answer.Status == "BYE"
                    ? answer
                    : throw new ProbeMismatchException($"expected a continuation for a literal, got: {Shorten(answer.Line)}");
            }

            await connection.WriteAsync(octets, argument.Secret ? ProbeTranscript.Mask : argument.Value, cancellationToken);
            line.Clear();
            shown.Clear();
        }

        await connection.WriteLineAsync(line.ToString(), cancellationToken, shown.ToString());
        for (var i = 0; i < MaxLinesPerCommand; i++)
        {
            var response = await ReadResponseAsync(cancellationToken);
            switch (response.Kind)
            {
                case ImapResponseKind.Tagged when response.Tag == tag:
                    return response;
                case ImapResponseKind.Tagged:
                    throw new ProbeMismatchException($"a completion for a tag never sent: {Shorten(response.Line)}");
                case ImapResponseKind.UntaggedStatus when response.Status == "BYE":
                    return response;
                case ImapResponseKind.Continuation:
                    throw new ProbeMismatchException($"an unexpected continuation request: {Shorten(response.Line)}");
            }
        }

        throw new ProbeMismatchException($"no completion for {tag} after {MaxLinesPerCommand} lines");
    }

    /// <summary>Reads one response, skipping literals inside it; remembers announced capabilities.</summary>
    private async Task<ImapResponse> ReadResponseAsync(CancellationToken cancellationToken)
    {
        var response = ImapResponse.Parse(await connection.ReadLineAsync(cancellationToken));
        if (response.Kind == ImapResponseKind.Malformed)
        {
            throw new ProbeMismatchException($"not an IMAP response: {Shorten(response.Line)}");
        }

        var literal = response.LiteralFollows;
        for (var i = 0; literal is { } size && i < MaxLinesPerCommand; i++)
        {
            await connection.SkipAsync(size, cancellationToken);
            // The rest of the response follows the literal on the same logical line.
            var rest = await connection.ReadLineAsync(cancellationToken);
            literal = ImapResponse.Parse("* " + rest).LiteralFollows;
        }

        if (response.Capabilities is { } capabilities)
        {
            Capabilities = capabilities;
        }

        return response;
    }

    private static string Shorten(string line) => line.Length > 120 ? line[..120] + "..." : line;

    private sealed record Argument(string Value, bool Secret);
}
