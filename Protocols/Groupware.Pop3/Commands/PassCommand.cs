using Groupware.Auth;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// PASS string (RFC 1939 §7): the rest of the line is the password, spaces included. Whatever the
/// connection, the credential goes to the auth module, which decides and records (a password sent
/// in clear to a secure node is refused unchecked and recorded as exposed).
/// </summary>
internal sealed class PassCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        if (session.PendingUser is not { } user)
        {
            await session.ReplyAsync("-ERR No username given; send USER first.", cancellationToken);
            return SessionStep.Continue;
        }

        session.PendingUser = null;
        return await session.LogInAsync(new AuthRequest(user, command.Arguments, "USER"), cancellationToken);
    }
}
