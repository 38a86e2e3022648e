using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// USER name (RFC 1939 §7). Where the auth module would not accept a password now (a secure
/// node before TLS) the answer is -ERR [AUTH] (RFC 3206 §4) before any password is sent; the
/// name is still kept so that a PASS sent anyway reaches the auth module and is recorded as exposed.
/// </summary>
internal sealed class UserCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        if (command.Arguments.Length == 0)
        {
            await session.ReplyAsync("-ERR USER needs a name.", cancellationToken);
            return SessionStep.Continue;
        }

        session.PendingUser = command.Arguments;
        if (!session.Auth.AcceptsPasswords(session.Security))
        {
            await session.RefuseBeforeTlsAsync(cancellationToken);
            return SessionStep.Continue;
        }

        await session.ReplyAsync("+OK", cancellationToken);
        return SessionStep.Continue;
    }
}
