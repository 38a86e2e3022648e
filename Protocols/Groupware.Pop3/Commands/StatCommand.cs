using System.Globalization;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>STAT (RFC 1939 §5): the number and total size of the messages not marked as deleted.</summary>
internal sealed class StatCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        await session.ReplyAsync(command.Arguments.Length > 0
            ? "-ERR STAT takes no arguments."
            : string.Create(CultureInfo.InvariantCulture, $"+OK {session.Maildrop.LiveCount} {session.Maildrop.LiveSize}"), cancellationToken);
        return SessionStep.Continue;
    }
}
