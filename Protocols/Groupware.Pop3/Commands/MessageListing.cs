using System.Globalization;
using Groupware.Connections;
using Groupware.Storage.Mail;

namespace Groupware.Pop3.Commands;

/// <summary>
/// The shape LIST and UIDL share (RFC 1939 §5, §7): with a message number, one line for it; without,
/// a multi-line listing of every message not marked as deleted, one "number value" line each.
/// </summary>
internal static class MessageListing
{
    public static async ValueTask<SessionStep> AnswerAsync(Pop3Session session, Pop3Command command, string syntax, string listingHeader,
        Func<MaildropMessage, string> value, CancellationToken cancellationToken)
    {
        var words = command.Words;
        if (words.Length > 1)
        {
            await session.ReplyAsync($"-ERR Syntax: {syntax}", cancellationToken);
            return SessionStep.Continue;
        }

        if (words.Length == 1)
        {
            var error = MessageArgument.Resolve(session, words[0], out var number, out var message);
            await session.ReplyAsync(error ?? string.Create(CultureInfo.InvariantCulture, $"+OK {number} {value(message!)}"), cancellationToken);
            return SessionStep.Continue;
        }

        session.AppendLine(listingHeader);
        foreach (var (number, message) in session.Maildrop.Live)
        {
            session.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{number} {value(message)}"));
        }

        session.AppendLine(".");
        await session.FlushResponseAsync(cancellationToken);
        return SessionStep.Continue;
    }
}
