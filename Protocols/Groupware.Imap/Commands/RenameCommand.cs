using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// RENAME existing new (RFC 9051 §6.3.6): the subtree moves with it; renaming INBOX moves its messages
/// into a new mailbox and leaves INBOX empty.
/// </summary>
internal sealed record RenameCommand(string From, string To, string? InvalidName = null) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var from) || !reader.TrySpace()
            || !reader.TryReadMailbox(session.Utf8, out var to) || !reader.AtEnd)
        {
            return "Syntax: RENAME mailbox new-name";
        }

        return new RenameCommand(from, to.TrimEnd('/'), reader.LastMailboxError);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken) =>
        InvalidName is not null ? ImapResult.No($"That is not a name a mailbox can have: {InvalidName}.", "CANNOT") :
        await session.Store.RenameMailboxAsync(session.Account!.Id, From, To, cancellationToken) switch
        {
            RenameMailboxResult.Renamed => ImapResult.Ok("Rename completed."),
            RenameMailboxResult.NoSuchMailbox => ImapResult.No("No such mailbox.", "NONEXISTENT"),
            RenameMailboxResult.TargetExists => ImapResult.No("A mailbox of the new name exists already.", "ALREADYEXISTS"),
            _ when IsInside(To, From) => ImapResult.No("A mailbox cannot be moved inside itself.", "CANNOT"),
            _ => ImapResult.No("That is not a name a mailbox can have.", "CANNOT"),
        };

    private static bool IsInside(string name, string mailbox) =>
        name.StartsWith(mailbox + "/", mailbox.Equals("INBOX", StringComparison.OrdinalIgnoreCase)
            ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
