using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// STLS (RFC 2595 §4): upgrades to TLS in the AUTHORIZATION state. Bytes pipelined after the
/// command close the connection instead of crossing into TLS (LineSession.StartTlsAsync).
/// </summary>
internal sealed class StlsCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        if (command.Arguments.Length > 0)
        {
            await session.ReplyAsync("-ERR STLS takes no arguments.", cancellationToken);
            return SessionStep.Continue;
        }

        if (session.Security.IsTls)
        {
            await session.ReplyAsync("-ERR TLS is already active.", cancellationToken);
            return SessionStep.Continue;
        }

        if (!session.CanStartTls)
        {
            await session.ReplyAsync("-ERR STLS is not available on this port.", cancellationToken);
            return SessionStep.Continue;
        }

        return await session.UpgradeAsync(cancellationToken);
    }
}
