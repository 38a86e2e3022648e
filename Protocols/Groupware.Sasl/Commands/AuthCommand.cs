using System.Net;
using System.Security.Authentication;
using Groupware.Auth;
using Groupware.Auth.Sasl;
using Groupware.Connections;
using Groupware.Sasl.Syntax;

namespace Groupware.Sasl.Commands;

/// <summary>
/// <c>AUTH id mechanism service=... [secured] [lip=...] [rip=...] [resp=...]</c>: one authentication of an end
/// user, on behalf of the MTA (Dovecot's auth-client protocol, as Postfix's <c>xsasl_dovecot</c> sends it). The
/// exchange is <see cref="SaslConversation"/>'s, with challenges as <c>CONT id base64</c> lines; the decision is
/// the auth module's, judged on the end user's connection as the MTA describes it: TLS when the MTA says
/// <c>secured</c>, from <c>rip</c> to <c>lip</c>. A password without <c>secured</c> on a secure node is so a
/// password that crossed the network in clear (RFC 8314 §4.1, RFC 4954 §4): refused unchecked and recorded
/// as exposed, like IMAP's; throttling and blocks count by <c>rip</c>.
/// </summary>
internal sealed class AuthCommand(uint id, string mechanism, AuthParameters parameters) : SaslCommand
{
    /// <summary>What Postfix shows the SMTP client after 535 when a password was sent without TLS.</summary>
    internal const string PlaintextReason =
        "Plaintext authentication disallowed on non-secure (SSL/TLS) connections; the password was sent unprotected, change it";

    public static ParseResult Parse(IReadOnlyList<string> fields)
    {
        if (fields.Count < 2 || !ClientLine.TryReadId(fields[0], out var id))
        {
            return SaslResponse.Disconnect;
        }

        var parameters = AuthParameters.Parse(fields.Skip(2), out var error);
        return parameters is null ? (SaslResponse)SaslReply.Fail(id, $"Invalid parameters: {error}") : new AuthCommand(id, fields[1], parameters);
    }

    public override async ValueTask<SaslResponse> ExecuteAsync(SaslSession session, CancellationToken cancellationToken)
    {
        var security = EndUserConnection(session.Security, parameters);
        var wire = new ContinuationWire(session, id);
        var outcome = await SaslConversation.RunAsync(session.Auth, security, mechanism, parameters.InitialResponse, wire, cancellationToken);
        switch (outcome)
        {
            case SaslOutcome.Credentials credentials:
                var result = await session.Auth.AuthenticateAsync(credentials.Request, security, cancellationToken);
                return Answer(result);
            case SaslOutcome.UnknownMechanism:
                return SaslReply.Fail(id, "Unsupported authentication mechanism");
            case SaslOutcome.NotOffered:
                // Refused before any challenge: the end user's client has not sent its password yet, and never will.
                return SaslReply.Fail(id, "Plaintext authentication disallowed on non-secure (SSL/TLS) connections");
            case SaslOutcome.InvalidBase64:
                return SaslReply.Fail(id, "Invalid base64 data in continued response");
            case SaslOutcome.Malformed malformed:
                return SaslReply.Fail(id, $"Invalid response: {malformed.Reason}");
            case SaslOutcome.Closed:
                return SaslResponse.Disconnect;
            default:
                // Cancelled (the client moved on to another line), too long, or too many rounds.
                return SaslReply.Fail(id);
        }
    }

    /// <summary>The end user's connection as the MTA reports it, which is what the auth module judges.</summary>
    internal static ConnectionSecurity EndUserConnection(ConnectionSecurity mta, AuthParameters parameters) => mta with
    {
        IsTls = parameters.Secured,
        TlsProtocol = SslProtocols.None,
        CipherSuite = null,
        // Never the MTA's own socket: a unix socket between us and the MTA says nothing about the user's network.
        RemoteEndPoint = parameters.RemoteIp is { } rip ? new IPEndPoint(rip, parameters.RemotePort) : null,
        LocalEndPoint = parameters.LocalIp is { } lip ? new IPEndPoint(lip, parameters.LocalPort) : null,
    };

    private SaslResponse Answer(AuthResult result) => result.Outcome switch
    {
        AuthOutcome.Success => SaslReply.Ok(id, result.Account!.Login),
        AuthOutcome.PlaintextRefused or AuthOutcome.NotAllowedOnThisNode => SaslReply.Fail(id, PlaintextReason),
        AuthOutcome.Throttled => SaslReply.Fail(id, "Too many failed logins from your network; try again later"),
        AuthOutcome.TemporaryFailure => SaslReply.Fail(id, "Temporary authentication failure", temporary: true),
        // A disabled account is answered exactly like a wrong password.
        _ => SaslReply.Fail(id),
    };

    /// <summary>
    /// The conversation's challenges as <c>CONT id base64</c>, and the client's answers as <c>CONT id base64</c>.
    /// Any other line ends the exchange like a cancellation and is handed back to the session, which runs it next.
    /// </summary>
    private sealed class ContinuationWire(SaslSession session, uint id) : ISaslWire
    {
        public async ValueTask SendChallengeAsync(string base64, CancellationToken cancellationToken) =>
            await session.SendAsync(SaslReply.Continue(id, base64), cancellationToken);

        public async ValueTask<(LineStatus Status, byte[] Line)> ReadResponseAsync(CancellationToken cancellationToken)
        {
            var (status, line) = await session.ReadResponseLineAsync(cancellationToken);
            if (status != LineStatus.Line)
            {
                return (status, line);
            }

            var parsed = ClientLine.Parse(line);
            if (parsed.Verb == "CONT" && parsed.Fields.Count >= 2 && ClientLine.TryReadId(parsed.Fields[0], out var continued) && continued == id)
            {
                return (LineStatus.Line, System.Text.Encoding.ASCII.GetBytes(parsed.Fields[1]));
            }

            session.HandBack(line);
            return (LineStatus.Line, "*"u8.ToArray());
        }
    }
}
