using System.Globalization;

namespace Groupware.Pop3.Commands;

/// <summary>LIST [msg] (RFC 1939 §5): the size of one message, or a scan listing of all not deleted.</summary>
internal sealed record ListCommand(string? Message) : Pop3Command
{
    public static ParseResult Parse(string arguments) => Syntax.Pop3CommandParser.Words(arguments) switch
    {
        [] => new ListCommand((string?)null),
        [var message] => new ListCommand(message),
        _ => "-ERR Syntax: LIST [message]",
    };

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken) =>
        ValueTask.FromResult(MessageListing.Answer(session, Message,
            string.Create(CultureInfo.InvariantCulture, $"+OK {session.Maildrop.LiveCount} messages ({session.Maildrop.LiveSize} octets)"),
            message => message.Size.ToString(CultureInfo.InvariantCulture)));
}
