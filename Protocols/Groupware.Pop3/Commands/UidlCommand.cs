using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>UIDL [msg] (RFC 1939 §7): the unique-id listing; ids are stable for the life of a message.</summary>
internal sealed class UidlCommand : IPop3Command
{
    public ValueTask<SessionStep> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken cancellationToken) =>
        MessageListing.AnswerAsync(session, command, "UIDL [message]", "+OK", message => message.UniqueId, cancellationToken);
}
