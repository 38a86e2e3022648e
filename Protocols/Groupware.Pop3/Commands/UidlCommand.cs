namespace Groupware.Pop3.Commands;

/// <summary>UIDL [msg] (RFC 1939 §7): the unique-id listing; ids are stable for the life of a message.</summary>
internal sealed record UidlCommand(string? Message) : Pop3Command
{
    public static ParseResult Parse(string arguments) => Syntax.Pop3CommandParser.Words(arguments) switch
    {
        [] => new UidlCommand((string?)null),
        [var message] => new UidlCommand(message),
        _ => "-ERR Syntax: UIDL [message]",
    };

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken) =>
        ValueTask.FromResult(MessageListing.Answer(session, Message, "+OK", message => message.UniqueId));
}
