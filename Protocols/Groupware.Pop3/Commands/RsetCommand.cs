using System.Globalization;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>RSET (RFC 1939 §5): unmarks every message marked as deleted.</summary>
internal sealed class RsetCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        session.Maildrop.Reset();
        await session.ReplyAsync(string.Create(CultureInfo.InvariantCulture,
            $"+OK {session.Maildrop.LiveCount} messages ({session.Maildrop.LiveSize} octets)"), cancellationToken);
        return SessionStep.Continue;
    }
}
