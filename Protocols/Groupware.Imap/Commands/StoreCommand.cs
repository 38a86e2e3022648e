using System.Globalization;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// STORE set FLAGS|+FLAGS|-FLAGS[.SILENT] (flags) and UID STORE (RFC 9051 §6.4.6, §6.4.9): changes
/// the flags in the store, bumping each changed message's MODSEQ, and answers with the new flags of
/// every message of the set unless .SILENT. No EXPUNGE is announced during STORE by number.
/// UNCHANGEDSINCE (RFC 7162 §3.1.3) enables CONDSTORE and leaves alone the messages whose MODSEQ is
/// higher, which the tagged OK lists as MODIFIED (after a FETCH of what changed them, if another
/// session did); once CONDSTORE is enabled every FETCH this answers has UID and MODSEQ (§3.2.4),
/// and even .SILENT answers one (UID and MODSEQ only) for each message it changed, or, with
/// UNCHANGEDSINCE, each message that passed the test.
/// </summary>
internal sealed record StoreCommand(SequenceSet Set, StoreArguments Arguments, bool ByUid) : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session, bool byUid)
    {
        if (!reader.TrySpace() || !reader.TryReadSequenceSet(out var set) || !reader.TrySpace())
        {
            return "Syntax: STORE set FLAGS|+FLAGS|-FLAGS[.SILENT] (flags)";
        }

        return StoreArguments.TryParse(reader, out var arguments, out var error) ? new StoreCommand(set, arguments, byUid) : error;
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        if (Arguments.UnchangedSince is not null)
        {
            session.EnableCondStore();
        }

        await session.HoldOrAnnounceExpungesAsync(ByUid, cancellationToken);

        if (!selected.TryResolve(Set, ByUid, session.SavedSearch, out var messages, out var error))
        {
            return ImapResult.Bad(error!);
        }

        if (selected.ReadOnly)
        {
            return ImapResult.No("The mailbox is selected read-only.", "READ-ONLY");
        }

        if (messages.Count == 0)
        {
            return ImapResult.Ok("Store completed.");
        }

        var (flags, keywords) = Flagging.Split(Arguments.Flags);
        var change = Arguments.Operation switch
        {
            StoreOperation.Add => FlagChange.Add,
            StoreOperation.Remove => FlagChange.Remove,
            _ => FlagChange.Replace,
        };
        // RFC 7162 §3.1.3: UNCHANGEDSINCE 0 fails for every message (a system flag always exists), so nothing is
        // written, not even a keyword's definition.
        var uids = messages.Select(m => m.Message.Uid).ToList();
        var result = Arguments.UnchangedSince == 0
            ? new StoreResult([], uids, [])
            : await session.Store.StoreFlagsAsync(session.Account!.Id, selected.MailboxId, uids, change, flags, keywords, Arguments.UnchangedSince,
                cancellationToken);
        selected.Stored(result);
        selected.WriteFlagsIfChanged(session);

        var modified = new HashSet<long>(result.Modified);
        if (modified.Count > 0)
        {
            // RFC 7162 §3.1.3 (Example 10): tell what changed them, so that the client need not ask.
            await session.AnnounceChangesAsync(cancellationToken, force: true);
        }

        if (!Arguments.Silent || session.CondStore)
        {
            var updated = result.Updated.Select(u => u.Uid).ToHashSet();
            foreach (var (_, message) in messages)
            {
                var sequence = selected.SequenceOf(message.Uid);
                if (sequence == 0 || modified.Contains(message.Uid) || selected.IsExpunged(message.Uid)
                    || (Arguments.Silent && Arguments.UnchangedSince is null && !updated.Contains(message.Uid)))
                {
                    continue;
                }

                var entry = selected.At(sequence);
                var uid = ByUid || session.CondStore ? string.Create(CultureInfo.InvariantCulture, $"UID {entry.Uid} ") : "";
                var flagList = Arguments.Silent ? "" : $"FLAGS ({SelectedMailbox.FlagList(entry, session.Rev2 ? null : selected.IsRecent(entry.Uid))})";
                var modSeq = session.CondStore ? string.Create(CultureInfo.InvariantCulture, $"MODSEQ ({entry.ModSeq})") : "";
                session.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"* {sequence} FETCH ({uid}{flagList}{(flagList.Length > 0 && modSeq.Length > 0 ? " " : "")}{modSeq})"));
                await session.FlushIfLargeAsync(cancellationToken);
            }
        }

        if (result.Modified.Count > 0)
        {
            var numbers = ByUid ? result.Modified.Select(u => (uint)u) : result.Modified.Select(u => (uint)selected.SequenceOf(u));
            return ImapResult.Ok("Conditional store completed, some messages were modified.", $"MODIFIED {SequenceSet.FormatCompact(numbers.Order())}");
        }

        return ImapResult.Ok("Store completed.");
    }
}
