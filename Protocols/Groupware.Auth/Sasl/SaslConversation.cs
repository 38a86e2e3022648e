using Groupware.Connections;

namespace Groupware.Auth.Sasl;

/// <summary>
/// How one protocol carries a SASL exchange (RFC 4422 §5): how a challenge is written on its wire
/// (IMAP's and POP3's <c>+ base64</c>, RFC 9051 §7.5 and RFC 5034 §4), and how the client's next
/// response line is read. Everything else of the conversation is <see cref="SaslConversation"/>'s.
/// </summary>
public interface ISaslWire
{
    /// <summary>Sends one challenge, base64-encoded by the conversation, and flushes.</summary>
    ValueTask SendChallengeAsync(string base64, CancellationToken cancellationToken);

    /// <summary>Reads the client's response line (CRLF removed).</summary>
    ValueTask<(LineStatus Status, byte[] Line)> ReadResponseAsync(CancellationToken cancellationToken);
}

/// <summary>How a SASL conversation ended; the front-end answers each in its own words.</summary>
public abstract record SaslOutcome
{
    /// <summary>The credentials are complete: hand them to <see cref="AuthService.AuthenticateAsync"/>.</summary>
    public sealed record Credentials(AuthRequest Request) : SaslOutcome;

    /// <summary>The mechanism is not one this server knows.</summary>
    public sealed record UnknownMechanism : SaslOutcome;

    /// <summary>
    /// The mechanism is known but not offered on this connection now (a secure node before TLS): refused before
    /// any challenge, so no password is asked for in clear. <see cref="Late"/> takes a response sent anyway.
    /// </summary>
    public sealed record NotOffered(LateSaslResponses Late) : SaslOutcome;

    /// <summary>The client cancelled with <c>*</c> (RFC 4422 §3.5).</summary>
    public sealed record Cancelled : SaslOutcome;

    /// <summary>A response (or the initial response) was not strict base64.</summary>
    public sealed record InvalidBase64(bool InInitialResponse) : SaslOutcome;

    /// <summary>A decoded response broke the mechanism's syntax (RFC 4616 §2 for PLAIN).</summary>
    public sealed record Malformed(string Reason) : SaslOutcome;

    /// <summary>A response line was longer than the session's limit.</summary>
    public sealed record LineTooLong : SaslOutcome;

    /// <summary>More rounds than any offered mechanism needs.</summary>
    public sealed record TooManySteps : SaslOutcome;

    /// <summary>The client closed the connection in the middle of the exchange.</summary>
    public sealed record Closed : SaslOutcome;
}

/// <summary>
/// The SASL conversation every front-end runs (RFC 4422 §3 and §5): a mechanism and an optional
/// initial response (<c>=</c> for an empty one, RFC 4959 §3, RFC 5034 §4), challenges and responses
/// as strict base64 lines over the protocol's <see cref="ISaslWire"/>, <c>*</c> to cancel, and a bound
/// on rounds. It only gathers credentials; <see cref="AuthService"/> alone decides about them. A
/// mechanism that is not offered now is refused before any challenge; credentials that arrive anyway
/// (in an initial response, or on a line after the refusal) still reach the auth module, which
/// refuses them unchecked and records the password as exposed.
/// </summary>
public static class SaslConversation
{
    /// <summary>Bound on challenge/response rounds; PLAIN needs one, LOGIN two.</summary>
    public const int MaxRounds = 4;

    /// <param name="auth">The auth module: which mechanisms are offered, and the exchanges.</param>
    /// <param name="security">The connection now.</param>
    /// <param name="mechanism">The mechanism name as the client gave it.</param>
    /// <param name="initialResponse">The initial response as sent, <c>=</c> for an empty one, or null for none.</param>
    /// <param name="wire">How this protocol writes challenges and reads responses.</param>
    /// <param name="cancellationToken">Ends the exchange with the connection.</param>
    public static async ValueTask<SaslOutcome> RunAsync(AuthService auth, ConnectionSecurity security, string mechanism, string? initialResponse,
        ISaslWire wire, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(wire);
        var name = mechanism.ToUpperInvariant();
        var exchange = auth.StartSasl(name);
        if (exchange is null)
        {
            return new SaslOutcome.UnknownMechanism();
        }

        var offered = auth.SaslMechanisms(security).Contains(name, StringComparer.Ordinal);
        byte[] response = [];
        if (initialResponse is not null && initialResponse != "=" && !SaslBase64.TryDecode(initialResponse, out response))
        {
            return new SaslOutcome.InvalidBase64(InInitialResponse: true);
        }

        if (!offered && initialResponse is null)
        {
            return new SaslOutcome.NotOffered(new LateSaslResponses(exchange));
        }

        for (var round = 0; round < MaxRounds; round++)
        {
            switch (exchange.Respond(response))
            {
                case SaslStep.Credentials credentials:
                    return new SaslOutcome.Credentials(credentials.Request);
                case SaslStep.Malformed malformed:
                    return new SaslOutcome.Malformed(malformed.Reason);
                case SaslStep.Challenge when !offered:
                    return new SaslOutcome.NotOffered(new LateSaslResponses(exchange));
                case SaslStep.Challenge challenge:
                    await wire.SendChallengeAsync(SaslBase64.Encode(challenge.Data), cancellationToken);
                    var (status, line) = await wire.ReadResponseAsync(cancellationToken);
                    switch (status)
                    {
                        case LineStatus.Closed:
                            return new SaslOutcome.Closed();
                        case LineStatus.TooLong:
                            return new SaslOutcome.LineTooLong();
                    }

                    if (line is [(byte)'*'])
                    {
                        return new SaslOutcome.Cancelled();
                    }

                    if (!SaslBase64.TryDecode(line, out response))
                    {
                        return new SaslOutcome.InvalidBase64(InInitialResponse: false);
                    }

                    break;
            }
        }

        return new SaslOutcome.TooManySteps();
    }
}

/// <summary>
/// What a refused exchange still accepts: a client that does not wait for the refusal (or ignores it)
/// sends its base64 response on the next line, and that line holds a password sent in clear. The
/// front-end offers each line it cannot read as a command here; a line that is strict base64 is taken
/// as the next response, and once the mechanism has its credentials they go to the auth module to be
/// refused and recorded. Any other line ends the exchange for good.
/// </summary>
public sealed class LateSaslResponses
{
    private SaslExchange? _exchange;

    internal LateSaslResponses(SaslExchange exchange) => _exchange = exchange;

    /// <summary>
    /// Takes <paramref name="line"/> as a late response when it is one. Returns false (and forgets the exchange)
    /// for a line that is not base64; true otherwise, with <paramref name="credentials"/> once the mechanism
    /// has them (PLAIN at once, LOGIN after the password line).
    /// </summary>
    public bool TryTake(ReadOnlySpan<byte> line, out AuthRequest? credentials)
    {
        credentials = null;
        if (_exchange is not { } exchange || line.IsEmpty || !SaslBase64.TryDecode(line, out var response))
        {
            _exchange = null;
            return false;
        }

        switch (exchange.Respond(response))
        {
            case SaslStep.Credentials taken:
                credentials = taken.Request;
                _exchange = null;
                break;
            case SaslStep.Malformed:
                _exchange = null;
                break;
        }

        return true;
    }
}
