using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>DELE msg (RFC 1939 §5): marks a message as deleted; only QUIT removes it.</summary>
internal sealed class DeleCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        var words = command.Words;
        if (words.Length != 1)
        {
            await session.ReplyAsync("-ERR Syntax: DELE message", cancellationToken);
            return SessionStep.Continue;
        }

        var error = MessageArgument.Resolve(session, words[0], out var number, out _);
        if (error is null)
        {
            session.Maildrop.Delete(number);
        }

        await session.ReplyAsync(error ?? $"+OK Message {number} deleted.", cancellationToken);
        return SessionStep.Continue;
    }
}
