namespace Groupware.Imap.Commands;

/// <summary>
/// CLOSE (RFC 9051 §6.4.1): removes the messages marked \Deleted, without EXPUNGE responses (unless
/// the mailbox was selected read-only), and leaves the Selected state. UNSELECT (§6.4.2, RFC 3691)
/// leaves it without removing anything.
/// </summary>
internal sealed record CloseCommand(bool Expunge) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? new CloseCommand(true) : "CLOSE takes no arguments.";

    public static ParseResult ParseUnselect(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? new CloseCommand(false) : "UNSELECT takes no arguments.";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        if (Expunge && !selected.ReadOnly)
        {
            await session.Store.ExpungeDeletedAsync(session.Account!.Id, selected.MailboxId, null, cancellationToken);
        }

        session.Deselect();
        return ImapResult.Ok(Expunge ? "Close completed." : "Unselect completed.");
    }
}
