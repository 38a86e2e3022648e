using System.Globalization;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// What SELECT and EXAMINE with QRESYNC answer after the mailbox's state (RFC 7162 §3.2.5): first
/// <c>* VANISHED (EARLIER)</c> for the known UIDs expunged since the client's MODSEQ, then a FETCH
/// (UID, FLAGS, MODSEQ) for each known message changed since (§3.2.5.1: as UID FETCH known-uids (FLAGS)
/// (CHANGEDSINCE modseq VANISHED) would). Both come from the snapshot the view was built from, so
/// they agree with its numbers. When the expunge records after the client's MODSEQ may have been
/// pruned (<see cref="MailStoreOptions.ExpungedUidRetention"/>), every known UID that is not in the
/// mailbox is reported instead (§3.2.6), except those the sequence match data shows the client
/// already knows to be gone (§3.2.5.2).
/// </summary>
internal static class QuickResync
{
    public static void Write(ImapSession session, SelectedMailbox selected, QResyncParameters parameters, MailboxChanges changes)
    {
        var highest = HighestUid(selected);
        var known = parameters.KnownUids?.Resolve(uint.MaxValue) ?? All(highest);
        if (parameters.ModSeq >= changes.ExpungedPrunedModSeq)
        {
            WriteVanishedEarlier(session, ResolvedSequenceSet.FromNumbers(changes.Expunged.Where(u => u <= highest && known.Contains((uint)u))
                .Select(u => (uint)u)));
        }
        else
        {
            WriteVanishedEarlier(session, ResolvedSequenceSet.FromRanges(selected.Absent(known, MatchedUpTo(selected, parameters), highest)));
        }

        foreach (var state in changes.Changed)
        {
            if (state.Uid <= uint.MaxValue && known.Contains((uint)state.Uid) && selected.SequenceOf(state.Uid) is var sequence and > 0)
            {
                WriteChange(session, selected, sequence);
            }
        }
    }

    /// <summary><c>* VANISHED (EARLIER) uids</c> (RFC 7162 §3.2.10.1), unless there are none.</summary>
    public static void WriteVanishedEarlier(ImapSession session, ResolvedSequenceSet uids)
    {
        if (!uids.IsEmpty)
        {
            session.WriteLine("* VANISHED (EARLIER) " + uids);
        }
    }

    /// <summary>The highest UID a message of the mailbox can have had: UIDNEXT - 1.</summary>
    public static uint HighestUid(SelectedMailbox selected) => (uint)Math.Clamp(selected.UidNext - 1, 0, uint.MaxValue);

    /// <summary>1:<paramref name="highest"/>, what the client knows when it names no UIDs (§3.2.5.1); empty for a mailbox that never had a message.</summary>
    public static ResolvedSequenceSet All(uint highest) => highest == 0 ? ResolvedSequenceSet.Empty : ResolvedSequenceSet.FromRanges([(1, highest)]);

    /// <summary>
    /// The UID up to which the client's message numbers still match the mailbox's (RFC 7162 §3.2.5.2):
    /// the UID of the last pair of the sequence match data, in order, before the first that does not
    /// match. UIDs only grow, so the same number at the same UID means nothing below it went away. 0
    /// when the client gave none, or the first pair does not match.
    /// </summary>
    private static uint MatchedUpTo(SelectedMailbox selected, QResyncParameters parameters)
    {
        if (parameters.KnownSequences is not { } sequences || parameters.KnownSequenceUids is not { } uids)
        {
            return 0;
        }

        uint matched = 0;
        using var uid = uids.Resolve(uint.MaxValue).GetEnumerator();
        foreach (var sequence in sequences.Resolve(uint.MaxValue))
        {
            if (!uid.MoveNext() || sequence > selected.Exists || selected.At((int)sequence).Uid != uid.Current)
            {
                break;
            }

            matched = uid.Current;
        }

        return matched;
    }

    /// <summary>One resynchronisation FETCH: <c>* n FETCH (UID u FLAGS (...) MODSEQ (m))</c>.</summary>
    private static void WriteChange(ImapSession session, SelectedMailbox selected, int sequence)
    {
        var entry = selected.At(sequence);
        session.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"* {sequence} FETCH (UID {entry.Uid} FLAGS ({SelectedMailbox.FlagList(entry, session.Rev2 ? null : selected.IsRecent(entry.Uid))}) MODSEQ ({entry.ModSeq}))"));
    }
}
