using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>TOP msg n (RFC 1939 §7): the header, the blank line and the first n lines of the body.</summary>
internal sealed class TopCommand : IPop3Command
{
    public async ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken)
    {
        var words = command.Words;
        if (words.Length != 2 || !(words[1] == "0" || Pop3Command.TryParseNumber(words[1], out _)))
        {
            await session.ReplyAsync("-ERR Syntax: TOP message lines", cancellationToken);
            return SessionStep.Continue;
        }

        var error = MessageArgument.Resolve(session, words[0], out var number, out var message);
        if (error is not null)
        {
            await session.ReplyAsync(error, cancellationToken);
            return SessionStep.Continue;
        }

        var lines = words[1] == "0" ? 0 : int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
        await session.SendMessageAsync("+OK", number, message!, lines, cancellationToken);
        return SessionStep.Continue;
    }
}
