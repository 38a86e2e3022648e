namespace Groupware.Pop3.Commands;

/// <summary>DELE msg (RFC 1939 §5): marks a message as deleted; only QUIT removes it.</summary>
internal sealed record DeleCommand(string Message) : Pop3Command
{
    public static ParseResult Parse(string arguments) => Syntax.Pop3CommandParser.Words(arguments) is [var message]
        ? new DeleCommand(message)
        : "-ERR Syntax: DELE message";

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        var error = MessageArgument.Resolve(session, Message, out var number, out _);
        if (error is null)
        {
            session.Maildrop.Delete(number);
        }

        return ValueTask.FromResult<Pop3Response>(error ?? $"+OK Message {number} deleted.");
    }
}
