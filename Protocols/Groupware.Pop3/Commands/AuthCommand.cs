using System.Text;
using Groupware.Auth.Sasl;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// AUTH mechanism [initial-response] (RFC 5034 §4). The exchange itself is the auth module's
/// (sans-IO <see cref="SaslExchange"/>); this command only carries its challenges and responses
/// as base64 lines. A mechanism not offered on this connection gets -ERR [AUTH] before any
/// challenge, so no password is asked for in clear; credentials that came anyway in an initial
/// response go to the auth module, which refuses and records them. "AUTH" alone lists the offered
/// mechanisms, as RFC 1734 servers did and some clients still ask.
/// </summary>
internal sealed class AuthCommand : IPop3Command
{
    /// <summary>Bound on challenge/response rounds; PLAIN needs one, LOGIN two.</summary>
    private const int MaxRounds = 4;

    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        var words = command.Words;
        var offered = session.Auth.SaslMechanisms(session.Security);
        if (words.Length == 0)
        {
            session.AppendLine("+OK");
            foreach (var offeredMechanism in offered)
            {
                session.AppendLine(offeredMechanism);
            }

            session.AppendLine(".");
            await session.FlushResponseAsync(cancellationToken);
            return SessionStep.Continue;
        }

        if (words.Length > 2)
        {
            await session.ReplyAsync("-ERR Syntax: AUTH mechanism [initial-response]", cancellationToken);
            return SessionStep.Continue;
        }

        var mechanism = words[0].ToUpperInvariant();
        var exchange = session.Auth.StartSasl(mechanism);
        if (exchange is null)
        {
            await session.ReplyAsync("-ERR Unsupported authentication mechanism.", cancellationToken);
            return SessionStep.Continue;
        }

        var isOffered = offered.Contains(mechanism, StringComparer.Ordinal);
        if (!isOffered && words.Length == 1)
        {
            await session.RefuseBeforeTlsAsync(cancellationToken);
            return SessionStep.Continue;
        }

        byte[] response = [];
        if (words.Length == 2 && words[1] != "=" && !TryDecode(words[1], out response))
        {
            await session.ReplyAsync("-ERR Invalid base64 data in the initial response.", cancellationToken);
            return SessionStep.Continue;
        }

        for (var round = 0; round < MaxRounds; round++)
        {
            switch (exchange.Respond(response))
            {
                case SaslStep.Credentials credentials:
                    return await session.LogInAsync(credentials.Request, cancellationToken);
                case SaslStep.Malformed malformed:
                    await session.ReplyAsync($"-ERR [AUTH] Malformed {mechanism} response: {malformed.Reason}", cancellationToken);
                    return SessionStep.Continue;
                case SaslStep.Challenge when !isOffered:
                    await session.RefuseBeforeTlsAsync(cancellationToken);
                    return SessionStep.Continue;
                case SaslStep.Challenge challenge:
                    await session.ReplyAsync("+ " + Convert.ToBase64String(challenge.Data), cancellationToken);
                    var (status, line) = await session.ReadContinuationAsync(cancellationToken);
                    if (status == LineStatus.Closed)
                    {
                        return SessionStep.Close;
                    }

                    if (status == LineStatus.TooLong)
                    {
                        await session.ReplyAsync("-ERR Input line too long.", cancellationToken);
                        return SessionStep.Continue;
                    }

                    var text = Encoding.ASCII.GetString(line.Span);
                    if (text == "*")
                    {
                        await session.ReplyAsync("-ERR Authentication cancelled.", cancellationToken);
                        return SessionStep.Continue;
                    }

                    if (!TryDecode(text, out response))
                    {
                        await session.ReplyAsync("-ERR Invalid base64 data in the response.", cancellationToken);
                        return SessionStep.Continue;
                    }

                    break;
            }
        }

        await session.ReplyAsync("-ERR [AUTH] Too many authentication steps.", cancellationToken);
        return SessionStep.Continue;
    }


    /// <summary>
    /// Strict base64 (RFC 5034 §4: characters outside the alphabet and inner padding are errors,
    /// not ignored): only the alphabet, padding only at the end, length a multiple of four.
    /// </summary>
    internal static bool TryDecode(string text, out byte[] decoded)
    {
        decoded = [];
        if (text.Length % 4 != 0)
        {
            return false;
        }

        var padding = text.EndsWith("==", StringComparison.Ordinal) ? 2 : text.EndsWith('=') ? 1 : 0;
        for (var i = 0; i < text.Length - padding; i++)
        {
            var c = text[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/'))
            {
                return false;
            }
        }

        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }

        decoded = buffer[..written];
        return true;
    }
}
