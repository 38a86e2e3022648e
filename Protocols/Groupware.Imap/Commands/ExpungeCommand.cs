using Groupware.Imap.Syntax;

namespace Groupware.Imap.Commands;

/// <summary>
/// EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE set (§6.4.9, UIDPLUS RFC 4315 §2.1): removes the messages
/// marked \Deleted (by UID EXPUNGE only those of the set), each announced with an EXPUNGE response,
/// or all in one VANISHED after ENABLE QRESYNC (RFC 7162 §3.2.7, §3.2.9). A CONDSTORE-aware client
/// gets the mailbox's new HIGHESTMODSEQ in the tagged OK when something was expunged.
/// </summary>
internal sealed record ExpungeCommand(SequenceSet? Uids) : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session) =>
        reader.AtEnd ? new ExpungeCommand((SequenceSet?)null) : "EXPUNGE takes no arguments.";

    public static ParseResult ParseUid(ImapReader reader, ImapSession session) =>
        reader.TrySpace() && reader.TryReadSequenceSet(out var set) && reader.AtEnd
            ? new ExpungeCommand(set)
            : "Syntax: UID EXPUNGE uid-set";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        if (selected.ReadOnly)
        {
            return ImapResult.No("The mailbox is selected read-only.", "READ-ONLY");
        }

        List<long>? only = null;
        if (Uids is { } set)
        {
            selected.TryResolve(set, byUid: true, session.SavedSearch, out var messages, out _);
            only = messages.Select(m => m.Message.Uid).ToList();
            if (only.Count == 0)
            {
                return ImapResult.Ok("Expunge completed.");
            }
        }

        var removed = await session.Store.ExpungeDeletedAsync(session.Account!.Id, selected.MailboxId, only, cancellationToken);
        selected.Expunged(removed);
        await session.AnnounceChangesAsync(cancellationToken, force: true);
        return ImapResult.Ok("Expunge completed.", session.CondStore && removed.Count > 0 ? selected.HighestModSeqCode : null);
    }
}
