using Groupware.Storage.Mail;

namespace Groupware.Imap;

/// <summary>
/// A mailbox's state as of one MODSEQ, as the columns a <see cref="SelectedMailbox"/> holds: UIDs
/// ascending, with each message's MODSEQ, system flags and keywords (null for none), and the
/// counters. Never changed once made, so every view built from it can hold its arrays until the
/// view changes (<see cref="SelectedMailbox"/> copies before it writes).
/// </summary>
internal sealed record MailboxColumns(long UidValidity, long UidNext, long HighestModSeq, IReadOnlyList<string> Keywords,
    long[] Uids, long[] ModSeqs, SystemFlags[] Flags, string[]?[]? MessageKeywords)
{
    public int Count => Uids.Length;

    /// <summary>The columns of a snapshot read from the store.</summary>
    public static MailboxColumns From(MailboxSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var count = snapshot.Messages.Count;
        var (uids, modSeqs, flags) = (new long[count], new long[count], new SystemFlags[count]);
        string[]?[]? keywords = null;
        for (var index = 0; index < count; index++)
        {
            var message = snapshot.Messages[index];
            (uids[index], modSeqs[index], flags[index]) = (message.Uid, message.ModSeq, message.Flags);
            if (message.Keywords.Count > 0)
            {
                keywords ??= new string[]?[count];
                keywords[index] = [.. message.Keywords];
            }
        }

        return new MailboxColumns(snapshot.UidValidity, snapshot.UidNext, snapshot.HighestModSeq, snapshot.Keywords, uids, modSeqs, flags, keywords);
    }

    /// <summary>
    /// These columns brought up to <paramref name="changes"/> (read since <see cref="HighestModSeq"/>):
    /// expunged UIDs (and, when the records were pruned, those not <see cref="MailboxChanges.Present"/>)
    /// leave, changed messages take their new state, new ones (above every UID here) are added. One
    /// pass over the columns, whatever the number of changes.
    /// </summary>
    public MailboxColumns Apply(MailboxChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var gone = new HashSet<long>(changes.Expunged);
        var present = changes.Present is { } uids ? new HashSet<long>(uids) : null;
        var changed = new Dictionary<long, MessageState>(changes.Changed.Count);
        foreach (var state in changes.Changed)
        {
            changed[state.Uid] = state;
        }

        var capacity = Count + changes.Changed.Count;
        var (newUids, newModSeqs, newFlags) = (new long[capacity], new long[capacity], new SystemFlags[capacity]);
        var newKeywords = MessageKeywords is null && changes.Changed.All(s => s.Keywords.Count == 0) ? null : new string[]?[capacity];
        var kept = 0;
        void Put(long uid, long modSeq, SystemFlags flags, string[]? keywords)
        {
            (newUids[kept], newModSeqs[kept], newFlags[kept]) = (uid, modSeq, flags);
            if (newKeywords is not null)
            {
                newKeywords[kept] = keywords;
            }

            kept++;
        }

        for (var index = 0; index < Count; index++)
        {
            var uid = Uids[index];
            if (gone.Contains(uid) || (present is not null && !present.Contains(uid)))
            {
                continue;
            }

            if (changed.Remove(uid, out var state))
            {
                Put(uid, state.ModSeq, state.Flags, state.Keywords.Count == 0 ? null : [.. state.Keywords]);
            }
            else
            {
                Put(uid, ModSeqs[index], Flags[index], MessageKeywords?[index]);
            }
        }

        // What is left is new: UIDs only grow, so above every UID kept.
        foreach (var state in changed.Values.OrderBy(s => s.Uid))
        {
            if (!gone.Contains(state.Uid) && (kept == 0 || state.Uid > newUids[kept - 1]))
            {
                Put(state.Uid, state.ModSeq, state.Flags, state.Keywords.Count == 0 ? null : [.. state.Keywords]);
            }
        }

        return new MailboxColumns(UidValidity, Math.Max(UidNext, changes.UidNext), Math.Max(HighestModSeq, changes.HighestModSeq), changes.Keywords,
            newUids[..kept], newModSeqs[..kept], newFlags[..kept], newKeywords?[..kept]);
    }
}
