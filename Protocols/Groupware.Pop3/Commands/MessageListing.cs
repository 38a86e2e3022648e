using System.Globalization;
using Groupware.Storage.Mail;

namespace Groupware.Pop3.Commands;

/// <summary>
/// The shape LIST and UIDL share (RFC 1939 §5, §7): with a message number, one line for it; without,
/// a multi-line listing of every message not marked as deleted, one "number value" line each.
/// </summary>
internal static class MessageListing
{
    public static Pop3Response Answer(Pop3Session session, string? argument, string listingHeader, Func<MaildropMessage, string> value)
    {
        if (argument is not null)
        {
            var error = MessageArgument.Resolve(session, argument, out var number, out var message);
            return error ?? string.Create(CultureInfo.InvariantCulture, $"+OK {number} {value(message!)}");
        }

        var lines = session.Maildrop.Live.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Number} {value(e.Message)}")).ToList();
        return new Pop3Response(listingHeader, lines);
    }
}
