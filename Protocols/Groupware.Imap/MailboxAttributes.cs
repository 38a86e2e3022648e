using Groupware.Storage.Mail;

namespace Groupware.Imap;

/// <summary>The attributes of a LIST response (RFC 9051 §7.3.1, RFC 3348 CHILDREN, RFC 6154 SPECIAL-USE).</summary>
internal static class MailboxAttributes
{
    /// <summary>
    /// <c>\Noselect</c> for a placeholder, <c>\HasChildren</c>/<c>\HasNoChildren</c> when known, and the
    /// special use; <paramref name="subscribed"/> adds <c>\Subscribed</c> (LIST-EXTENDED).
    /// </summary>
    public static List<string> Of(Mailbox mailbox, bool? hasChildren, bool subscribed = false, bool specialUse = true)
    {
        var attributes = new List<string>(4);
        if (!mailbox.Selectable)
        {
            attributes.Add(@"\Noselect");
        }

        if (hasChildren is { } children)
        {
            attributes.Add(children ? @"\HasChildren" : @"\HasNoChildren");
        }

        if (subscribed)
        {
            attributes.Add(@"\Subscribed");
        }

        if (specialUse && mailbox.SpecialUse is { } use)
        {
            attributes.Add(use);
        }

        return attributes;
    }
}
