using System.Globalization;

namespace Groupware.Pop3.Commands;

/// <summary>RETR msg (RFC 1939 §5): the whole message, streamed and dot-stuffed.</summary>
internal sealed record RetrCommand(string Message) : Pop3Command
{
    public static ParseResult Parse(string arguments) => Syntax.Pop3CommandParser.Words(arguments) is [var message]
        ? new RetrCommand(message)
        : "-ERR Syntax: RETR message";

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        var error = MessageArgument.Resolve(session, Message, out var number, out var message);
        return ValueTask.FromResult(error is not null
            ? (Pop3Response)error
            : new Pop3Response(string.Create(CultureInfo.InvariantCulture, $"+OK {message!.Size} octets"),
                Message: new MessageTransfer(number, message, null)));
    }
}
