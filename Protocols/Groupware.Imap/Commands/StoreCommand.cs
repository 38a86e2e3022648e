using System.Globalization;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// STORE set FLAGS|+FLAGS|-FLAGS[.SILENT] (flags) and UID STORE (RFC 9051 §6.4.6, §6.4.9): changes
/// the flags in the store, bumping each changed message's MODSEQ, and answers with the new flags of
/// every message of the set unless .SILENT. No EXPUNGE is announced during STORE by number.
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
        var result = await session.Store.StoreFlagsAsync(session.Account!.Id, selected.MailboxId, messages.Select(m => m.Message.Uid).ToList(),
            change, flags, keywords, Arguments.UnchangedSince, cancellationToken);
        selected.Stored(result);
        selected.WriteFlagsIfChanged(session);

        if (!Arguments.Silent)
        {
            var modified = new HashSet<long>(result.Modified);
            foreach (var (_, message) in messages)
            {
                var sequence = selected.SequenceOf(message.Uid);
                if (sequence == 0 || modified.Contains(message.Uid) || selected.IsExpunged(message.Uid))
                {
                    continue;
                }

                var entry = selected.At(sequence);
                var uid = ByUid ? string.Create(CultureInfo.InvariantCulture, $"UID {entry.Uid} ") : "";
                session.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"* {sequence} FETCH ({uid}FLAGS ({SelectedMailbox.FlagList(entry, session.Rev2 ? null : selected.IsRecent(entry.Uid))}))"));
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
