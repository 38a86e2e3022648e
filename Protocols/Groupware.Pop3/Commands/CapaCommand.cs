using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// CAPA (RFC 2449 §5): lists what this session would accept right now. Before TLS on a secure
/// node that means STLS, no USER and SASL without mechanisms (RFC 2595 §4, DESIGN.md): a client
/// that follows the list never sends a password in clear.
/// </summary>
internal sealed class CapaCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        if (command.Arguments.Length > 0)
        {
            await session.ReplyAsync("-ERR CAPA takes no arguments.", cancellationToken);
            return SessionStep.Continue;
        }

        session.AppendLine("+OK Capability list follows");
        session.AppendLine("TOP");
        session.AppendLine("UIDL");
        session.AppendLine("RESP-CODES");
        session.AppendLine("AUTH-RESP-CODE");
        session.AppendLine("PIPELINING");
        if (session.State == Pop3State.Authorization)
        {
            if (session.Auth.AcceptsPasswords(session.Security))
            {
                session.AppendLine("USER");
            }

            var mechanisms = session.Auth.SaslMechanisms(session.Security);
            session.AppendLine(mechanisms.Count == 0 ? "SASL" : "SASL " + string.Join(' ', mechanisms));
            if (session.CanStartTls)
            {
                session.AppendLine("STLS");
            }
        }

        session.AppendLine("IMPLEMENTATION groupware");
        session.AppendLine(".");
        await session.FlushResponseAsync(cancellationToken);
        return SessionStep.Continue;
    }
}
