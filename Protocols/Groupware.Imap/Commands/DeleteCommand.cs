using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// DELETE mailbox (RFC 9051 §6.3.5): its messages are removed; a mailbox with children keeps its name
/// as a \Noselect placeholder; INBOX cannot be deleted, nor a placeholder that still has children.
/// </summary>
internal sealed record DeleteCommand(string Mailbox) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.TrySpace() && reader.TryReadMailbox(session.Utf8, out var mailbox) && reader.AtEnd
            ? new DeleteCommand(mailbox)
            : "Syntax: DELETE mailbox";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (session.Selected is { } selected && string.Equals(selected.Name, Mailbox, StringComparison.Ordinal))
        {
            // Deleting the selected mailbox ends the selection: there is nothing left to refer to.
            session.Deselect();
        }

        return await session.Store.DeleteMailboxAsync(session.Account!.Id, Mailbox, cancellationToken) switch
        {
            DeleteMailboxResult.Deleted or DeleteMailboxResult.BecamePlaceholder => ImapResult.Ok("Delete completed."),
            DeleteMailboxResult.NoSuchMailbox => ImapResult.No("No such mailbox.", "NONEXISTENT"),
            DeleteMailboxResult.IsInbox => ImapResult.No("INBOX cannot be deleted.", "CANNOT"),
            _ => ImapResult.No("The name has inferior names; delete them first.", "HASCHILDREN"),
        };
    }
}
