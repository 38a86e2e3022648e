using System.Globalization;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>UIDL [msg] (RFC 1939 §7): the unique-id listing; ids are stable for the life of a message.</summary>
internal sealed class UidlCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        var words = command.Words;
        if (words.Length > 1)
        {
            await session.ReplyAsync("-ERR Syntax: UIDL [message]", cancellationToken);
            return SessionStep.Continue;
        }

        if (words.Length == 1)
        {
            var error = MessageArgument.Resolve(session, words[0], out var number, out var message);
            await session.ReplyAsync(error ?? string.Create(CultureInfo.InvariantCulture, $"+OK {number} {message!.UniqueId}"), cancellationToken);
            return SessionStep.Continue;
        }

        session.AppendLine("+OK");
        foreach (var (number, message) in session.Maildrop.Live)
        {
            session.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{number} {message.UniqueId}"));
        }

        session.AppendLine(".");
        await session.FlushResponseAsync(cancellationToken);
        return SessionStep.Continue;
    }
}
