using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// QUIT (RFC 1939 §4 and §6). In the TRANSACTION state it enters UPDATE: the marked messages are
/// removed in one transaction; if that fails nothing is removed and the answer is -ERR.
/// </summary>
internal sealed class QuitCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        if (session.State == Pop3State.Authorization)
        {
            await session.ReplyAsync("+OK Logging out.", cancellationToken);
            return SessionStep.Close;
        }

        var committed = await session.CommitDeletionsAsync(cancellationToken);
        await session.ReplyAsync(committed
            ? "+OK Logging out."
            : "-ERR [SYS/TEMP] Some deleted messages could not be removed; they are still there.", cancellationToken);
        return SessionStep.Close;
    }
}
