using System.Globalization;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// COPY set mailbox and MOVE set mailbox, with their UID forms (RFC 9051 §6.4.7, §6.4.8 / MOVE RFC
/// 6851, UIDPLUS's COPYUID RFC 4315 §3): flags, keywords and internal date go with each copy; MOVE is
/// copy and expunge in one transaction, its COPYUID sent untagged before the EXPUNGEs. A missing
/// target is NO [TRYCREATE] (RFC 9051 §6.4.7), a full quota NO [OVERQUOTA].
/// </summary>
internal sealed record CopyCommand(SequenceSet Set, string Target, bool ByUid, bool Move) : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session, bool byUid, bool move) =>
        reader.TrySpace() && reader.TryReadSequenceSet(out var set) && reader.TrySpace() && reader.TryReadMailbox(session.Utf8, out var target)
            && reader.AtEnd
            ? new CopyCommand(set, target, byUid, move)
            : move ? "Syntax: MOVE set mailbox" : "Syntax: COPY set mailbox";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        var verb = Move ? "Move" : "Copy";
        if (!selected.TryResolve(Set, ByUid, session.SavedSearch, out var messages, out var error))
        {
            return ImapResult.Bad(error!);
        }

        if (Move && selected.ReadOnly)
        {
            return ImapResult.No("The mailbox is selected read-only.", "READ-ONLY");
        }

        var uids = messages.Select(m => m.Message.Uid).Where(u => !selected.IsExpunged(u)).ToList();
        if (uids.Count == 0)
        {
            return messages.Count == 0 ? ImapResult.Ok($"{verb} completed (no messages).") : ImapResult.No("Those messages were expunged.", "EXPUNGEISSUED");
        }

        var accountId = session.Account!.Id;
        var result = Move
            ? await session.Store.MoveAsync(accountId, selected.MailboxId, uids, Target, cancellationToken)
            : await session.Store.CopyAsync(accountId, selected.MailboxId, uids, Target, cancellationToken);
        switch (result.Status)
        {
            case CopyStatus.NoSuchMailbox:
                return ImapResult.NoSuchTarget(Target);
            case CopyStatus.NotSelectable:
                return ImapResult.No("This name holds no messages, only other mailboxes.", "CANNOT");
            case CopyStatus.OverQuota:
                return ImapResult.No("The target mailbox is over its quota.", "OVERQUOTA");
        }

        var copyUid = result.SourceUids.Count == 0
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"COPYUID {result.UidValidity} {SequenceSet.FormatCompact(result.SourceUids.Select(u => (uint)u))} {SequenceSet.FormatCompact(result.TargetUids.Select(u => (uint)u))}");
        if (!Move)
        {
            if (string.Equals(Target, selected.Name, StringComparison.Ordinal))
            {
                await session.AnnounceChangesAsync(cancellationToken, force: true);
            }

            return ImapResult.Ok("Copy completed.", copyUid);
        }

        if (copyUid is not null)
        {
            session.WriteLine($"* OK [{copyUid}] Moved.");
        }

        selected.Expunged(result.Expunged);
        await session.AnnounceChangesAsync(cancellationToken, force: true);

        // RFC 6851 §4.3: the source's new HIGHESTMODSEQ, for a client that follows MODSEQs.
        return ImapResult.Ok("Move completed.", session.CondStore && result.Expunged.Count > 0 ? selected.HighestModSeqCode : null);
    }
}
