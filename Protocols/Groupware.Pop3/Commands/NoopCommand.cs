using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>NOOP (RFC 1939 §5).</summary>
internal sealed class NoopCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        await session.ReplyAsync("+OK", cancellationToken);
        return SessionStep.Continue;
    }
}
