using System.Globalization;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>LIST [msg] (RFC 1939 §5): the size of one message, or a scan listing of all not deleted.</summary>
internal sealed class ListCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        var words = command.Words;
        if (words.Length > 1)
        {
            await session.ReplyAsync("-ERR Syntax: LIST [message]", cancellationToken);
            return SessionStep.Continue;
        }

        if (words.Length == 1)
        {
            var error = MessageArgument.Resolve(session, words[0], out var number, out var message);
            await session.ReplyAsync(error ?? string.Create(CultureInfo.InvariantCulture, $"+OK {number} {message!.Size}"), cancellationToken);
            return SessionStep.Continue;
        }

        session.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"+OK {session.Maildrop.LiveCount} messages ({session.Maildrop.LiveSize} octets)"));
        foreach (var (number, message) in session.Maildrop.Live)
        {
            session.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{number} {message.Size}"));
        }

        session.AppendLine(".");
        await session.FlushResponseAsync(cancellationToken);
        return SessionStep.Continue;
    }
}
