using System.Globalization;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>RETR msg (RFC 1939 §5): the whole message, streamed and dot-stuffed.</summary>
internal sealed class RetrCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        var words = command.Words;
        if (words.Length != 1)
        {
            await session.ReplyAsync("-ERR Syntax: RETR message", cancellationToken);
            return SessionStep.Continue;
        }

        var error = MessageArgument.Resolve(session, words[0], out var number, out var message);
        if (error is not null)
        {
            await session.ReplyAsync(error, cancellationToken);
            return SessionStep.Continue;
        }

        await session.SendMessageAsync(string.Create(CultureInfo.InvariantCulture, $"+OK {message!.Size} octets"), number, message, null, cancellationToken);
        return SessionStep.Continue;
    }
}
