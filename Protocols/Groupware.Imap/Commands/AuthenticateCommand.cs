using Groupware.Auth.Sasl;
using Groupware.Connections;

namespace Groupware.Imap.Commands;

/// <summary>
/// AUTHENTICATE mechanism [initial-response] (RFC 9051 §6.2.2, SASL-IR RFC 4959). The conversation is
/// the auth module's (<see cref="SaslConversation"/>); IMAP supplies only its wire: <c>+ base64</c>
/// continuation requests and response lines. A mechanism not offered now (a secure node before TLS)
/// is refused with NO [PRIVACYREQUIRED] before any challenge; credentials that came anyway, in an
/// initial response or on the line after the refusal, go to the auth module to be refused and
/// recorded as exposed. Cancelling with <c>*</c> and bad base64 are BAD, as §6.2.2 says.
/// </summary>
internal sealed record AuthenticateCommand(string Mechanism, string? InitialResponse) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadAtom(out var mechanism))
        {
            return "Syntax: AUTHENTICATE mechanism [initial-response]";
        }

        string? initial = null;
        if (reader.TrySpace())
        {
            if (!reader.TryReadAtom(out var response))
            {
                return "The initial response must be base64 or =.";
            }

            initial = response;
        }

        return reader.AtEnd ? new AuthenticateCommand(mechanism, initial) : "Syntax: AUTHENTICATE mechanism [initial-response]";
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var outcome = await SaslConversation.RunAsync(session.Auth, session.Security, Mechanism, InitialResponse, session.SaslWire, cancellationToken);
        switch (outcome)
        {
            case SaslOutcome.Credentials credentials:
                return await session.LogInAsync(credentials.Request, cancellationToken);
            case SaslOutcome.NotOffered notOffered:
                session.LateSasl = notOffered.Late;
                return ImapResult.No("Plaintext authentication disallowed on non-secure (SSL/TLS) connections; use STARTTLS.", "PRIVACYREQUIRED");
            case SaslOutcome.UnknownMechanism:
                return ImapResult.No("Unsupported authentication mechanism.", "CANNOT");
            case SaslOutcome.Malformed malformed:
                return ImapResult.No($"Malformed {Mechanism.ToUpperInvariant()} response: {malformed.Reason}", "AUTHENTICATIONFAILED");
            case SaslOutcome.InvalidBase64:
                return ImapResult.Bad("Invalid base64 data.");
            case SaslOutcome.Cancelled:
                return ImapResult.Bad("Authentication cancelled.");
            case SaslOutcome.LineTooLong:
                return ImapResult.Bad("[TOOBIG] Response line too long.");
            case SaslOutcome.Closed:
                return ImapResult.Bad("Connection closed.") with { Step = SessionStep.Close };
            default:
                return ImapResult.No("Too many authentication steps.", "AUTHENTICATIONFAILED");
        }
    }

    /// <summary>Never prints the initial response, which may hold a password.</summary>
    public override string ToString() => $"AUTHENTICATE {Mechanism}";
}
