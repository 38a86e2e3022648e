using System.Globalization;
using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>LIST [msg] (RFC 1939 §5): the size of one message, or a scan listing of all not deleted.</summary>
internal sealed class ListCommand : IPop3Command
{
    public ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken) =>
        MessageListing.AnswerAsync(session, command, "LIST [message]",
            string.Create(CultureInfo.InvariantCulture, $"+OK {session.Maildrop.LiveCount} messages ({session.Maildrop.LiveSize} octets)"),
            message => message.Size.ToString(CultureInfo.InvariantCulture), cancellationToken);
}
