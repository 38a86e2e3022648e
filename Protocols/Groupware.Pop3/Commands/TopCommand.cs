using System.Globalization;

namespace Groupware.Pop3.Commands;

/// <summary>TOP msg n (RFC 1939 §7): the header, the blank line and the first n lines of the body.</summary>
internal sealed record TopCommand(string Message, int Lines) : Pop3Command
{
    public static ParseResult Parse(string arguments)
    {
        var words = Syntax.Pop3CommandParser.Words(arguments);
        if (words.Length != 2)
        {
            return "-ERR Syntax: TOP message lines";
        }

        if (words[1] == "0")
        {
            return new TopCommand(words[0], 0);
        }

        return Syntax.MessageNumber.TryParse(words[1], out var lines) ? new TopCommand(words[0], lines) : "-ERR Syntax: TOP message lines";
    }

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        var error = MessageArgument.Resolve(session, Message, out var number, out var message);
        return ValueTask.FromResult(error is not null
            ? (Pop3Response)error
            : new Pop3Response("+OK", Message: new MessageTransfer(number, message!, Lines)));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"TOP {Message} {Lines}");
}
