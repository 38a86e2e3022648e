using Groupware.Storage.Mail;

namespace Groupware.Pop3.Commands;

/// <summary>The answer every message-number command gives to a number that does not name a live message (RFC 1939 §5).</summary>
internal static class MessageArgument
{
    /// <summary>Looks the number up; on failure returns the -ERR line to send.</summary>
    public static string? Resolve(Pop3Session session, string argument, out int number, out MaildropMessage? message) =>
        session.Maildrop.Find(argument, out number, out message) switch
        {
            MessageLookup.Found => null,
            MessageLookup.NotANumber => $"-ERR Invalid message number: {Truncate(argument)}",
            MessageLookup.Deleted => $"-ERR Message {number} is already deleted.",
            _ => "-ERR There is no such message.",
        };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
