using Groupware.Auth.Sasl;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// AUTH mechanism [initial-response] (RFC 5034 §4). The conversation is the auth module's
/// (<see cref="SaslConversation"/>); POP3 supplies only its wire, <c>+ base64</c> challenges and
/// response lines. A mechanism not offered on this connection gets -ERR [AUTH] before any
/// challenge, so no password is asked for in clear; credentials that came anyway, in an initial
/// response or on a line after the refusal, go to the auth module, which refuses and records them.
/// "AUTH" alone lists the offered mechanisms, as RFC 1734 servers did and some clients still ask.
/// </summary>
internal sealed record AuthCommand(string? Mechanism, string? InitialResponse) : Pop3Command
{
    public static ParseResult Parse(string arguments)
    {
        var words = Syntax.Pop3CommandParser.Words(arguments);
        return words.Length switch
        {
            0 => new AuthCommand(null, null),
            1 => new AuthCommand(words[0], null),
            2 => new AuthCommand(words[0], words[1]),
            _ => "-ERR Syntax: AUTH mechanism [initial-response]",
        };
    }

    public override async ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        if (Mechanism is null)
        {
            return new Pop3Response("+OK", session.Auth.SaslMechanisms(session.Security));
        }

        var mechanism = Mechanism.ToUpperInvariant();
        var outcome = await SaslConversation.RunAsync(session.Auth, session.Security, mechanism, InitialResponse, session.SaslWire, cancellationToken);
        switch (outcome)
        {
            case SaslOutcome.Credentials credentials:
                return await session.LogInAsync(credentials.Request, cancellationToken);
            case SaslOutcome.NotOffered notOffered:
                session.LateSasl = notOffered.Late;
                return Pop3Session.RefusedBeforeTls;
            case SaslOutcome.UnknownMechanism:
                return "-ERR Unsupported authentication mechanism.";
            case SaslOutcome.Malformed malformed:
                return $"-ERR [AUTH] Malformed {mechanism} response: {malformed.Reason}";
            case SaslOutcome.InvalidBase64 { InInitialResponse: true }:
                return "-ERR Invalid base64 data in the initial response.";
            case SaslOutcome.InvalidBase64:
                return "-ERR Invalid base64 data in the response.";
            case SaslOutcome.Cancelled:
                return "-ERR Authentication cancelled.";
            case SaslOutcome.LineTooLong:
                return "-ERR Input line too long.";
            case SaslOutcome.Closed:
                return Pop3Response.Nothing(SessionStep.Close);
            default:
                return "-ERR [AUTH] Too many authentication steps.";
        }
    }

    /// <summary>Never prints the initial response, which may hold a password.</summary>
    public override string ToString() => $"AUTH {Mechanism}";
}
