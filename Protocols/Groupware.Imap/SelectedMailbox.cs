using System.Globalization;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap;

/// <summary>
/// One session's view of its selected mailbox (RFC 9051 §2.3.1.2): the messages in UID order, whose
/// positions are the message sequence numbers, with their flags as the client was last told, and
/// what changed since that the client has not been told yet. An expunged message keeps its place
/// (and its number) until its EXPUNGE is sent, which is never during FETCH, STORE or SEARCH by
/// number (RFC 9051 §7.5.1), so that numbers stay consistent with what the client knows while other
/// sessions, on this node or another, change the mailbox.
/// </summary>
internal sealed class SelectedMailbox
{
    private readonly List<Entry> _messages;
    private readonly HashSet<long> _recent;
    private readonly HashSet<long> _expunged = [];
    private readonly HashSet<long> _flagsChanged = [];
    private readonly SortedSet<string> _keywords;
    private bool _keywordsChanged;
    private int _announcedExists;
    private int _announcedRecent;

    public SelectedMailbox(Mailbox mailbox, MailboxSnapshot snapshot, IReadOnlyCollection<long> recent, bool readOnly)
    {
        MailboxId = mailbox.Id;
        Name = mailbox.Name;
        ReadOnly = readOnly;
        UidValidity = snapshot.UidValidity;
        UidNext = snapshot.UidNext;
        HighestModSeq = snapshot.HighestModSeq;
        _messages = snapshot.Messages.Select(m => new Entry(m.Uid, m.ModSeq, m.Flags, m.Keywords)).ToList();
        _keywords = new SortedSet<string>(snapshot.Keywords, StringComparer.OrdinalIgnoreCase);
        _recent = [.. recent];
        _announcedExists = _messages.Count;
        _announcedRecent = _recent.Count;
    }

    public long MailboxId { get; }

    public string Name { get; }

    public bool ReadOnly { get; }

    public long UidValidity { get; }

    public long UidNext { get; private set; }

    /// <summary>The highest MODSEQ this view has applied: changes after it are what <see cref="MailStore.ChangesSinceAsync"/> is asked for.</summary>
    public long HighestModSeq { get; private set; }

    /// <summary>Messages as the client counts them (expunged ones not yet announced included).</summary>
    public int Exists => _messages.Count;

    public int RecentCount => _recent.Count;

    /// <summary>The flags of the mailbox for FLAGS and PERMANENTFLAGS: the system flags and every keyword in use.</summary>
    public IEnumerable<string> Flags => SystemFlagNames.Concat(_keywords);

    private static readonly string[] SystemFlagNames = [@"\Answered", @"\Flagged", @"\Deleted", @"\Seen", @"\Draft"];

    /// <summary>The sequence number of the first message without \Seen (RFC 3501 UNSEEN response code), if any.</summary>
    public int? FirstUnseen
    {
        get
        {
            var index = _messages.FindIndex(m => (m.Flags & SystemFlags.Seen) == 0);
            return index < 0 ? null : index + 1;
        }
    }

    /// <summary>The message at sequence number <paramref name="sequence"/> (1-based).</summary>
    public Entry At(int sequence) => _messages[sequence - 1];

    /// <summary>The sequence number of <paramref name="uid"/>, or 0 when the view has no such message.</summary>
    public int SequenceOf(long uid)
    {
        var low = 0;
        var high = _messages.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var found = _messages[middle].Uid;
            if (found == uid)
            {
                return middle + 1;
            }

            if (found < uid)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return 0;
    }

    /// <summary>The highest UID in the view, 0 when it is empty.</summary>
    public long MaxUid => _messages.Count == 0 ? 0 : _messages[^1].Uid;

    /// <summary>All messages with their sequence numbers, in order.</summary>
    public IEnumerable<(int Sequence, Entry Message)> All => _messages.Select((m, i) => (i + 1, m));

    public bool IsRecent(long uid) => _recent.Contains(uid);

    /// <summary>
    /// The messages a sequence set names, in sequence order. By UID (RFC 9051 §6.4.9) UIDs without a
    /// message are ignored and <c>*</c> is the highest UID; by number, a number beyond EXISTS is an
    /// error (RFC 9051 §9 <c>seq-number</c>). <c>$</c> (SEARCHRES, RFC 5182) is <paramref name="saved"/>,
    /// UIDs the last SEARCH ... SAVE found. <paramref name="lenient"/> (SEARCH) lets numbers beyond
    /// EXISTS simply match nothing, as Dovecot does.
    /// </summary>
    public bool TryResolve(SequenceSet set, bool byUid, IReadOnlyCollection<long>? saved, out List<(int Sequence, Entry Message)> messages,
        out string? error, bool lenient = false)
    {
        messages = [];
        error = null;
        if (set.IsSavedResult)
        {
            foreach (var uid in (saved ?? []).Order())
            {
                if (SequenceOf(uid) is var sequence and > 0)
                {
                    messages.Add((sequence, _messages[sequence - 1]));
                }
            }

            return true;
        }

        if (byUid)
        {
            if (_messages.Count == 0)
            {
                return true;
            }

            foreach (var (first, last) in set.Resolve((uint)Math.Min(MaxUid, uint.MaxValue)).Ranges)
            {
                var index = LowerBound(first);
                for (; index < _messages.Count && _messages[index].Uid <= last; index++)
                {
                    messages.Add((index + 1, _messages[index]));
                }
            }

            messages.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            RemoveDuplicates(messages);
            return true;
        }

        if (!lenient && (set.HighestNumber > _messages.Count || (_messages.Count == 0 && set.HasStar)))
        {
            error = _messages.Count == 0 ? "The mailbox is empty: there is no message number." : "Invalid message sequence number (beyond EXISTS).";
            return false;
        }

        foreach (var number in set.Resolve((uint)_messages.Count))
        {
            messages.Add(((int)number, _messages[(int)number - 1]));
        }

        return true;
    }

    private int LowerBound(long uid)
    {
        int low = 0, high = _messages.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_messages[middle].Uid < uid)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static void RemoveDuplicates(List<(int Sequence, Entry Message)> messages)
    {
        for (var i = messages.Count - 1; i > 0; i--)
        {
            if (messages[i].Sequence == messages[i - 1].Sequence)
            {
                messages.RemoveAt(i);
            }
        }
    }

    /// <summary>Whether <paramref name="uid"/> was expunged by some session and the client has not been told yet.</summary>
    public bool IsExpunged(long uid) => _expunged.Contains(uid);

    /// <summary>Records what this session's own STORE did (its FETCH responses tell the client).</summary>
    public void Updated(MessageState state)
    {
        if (SequenceOf(state.Uid) is var sequence and > 0)
        {
            _messages[sequence - 1] = _messages[sequence - 1] with { ModSeq = state.ModSeq, Flags = state.Flags, Keywords = state.Keywords };
            AddKeywords(state.Keywords);
        }
    }

    /// <summary>Marks UIDs this session expunged (EXPUNGE, MOVE, CLOSE); they are announced at the end of the command.</summary>
    public void Expunged(IEnumerable<long> uids)
    {
        foreach (var uid in uids)
        {
            if (SequenceOf(uid) > 0)
            {
                _expunged.Add(uid);
            }
        }
    }

    public void MarkRecent(IEnumerable<long> uids) => _recent.UnionWith(uids);

    /// <summary>
    /// Applies changes read from the store: new messages (above the highest UID in the view) are added,
    /// flags of known messages updated, expunged ones marked. Returns the UIDs that are new.
    /// </summary>
    public List<long> Apply(MailboxChanges changes)
    {
        var added = new List<long>();
        foreach (var state in changes.Changed.OrderBy(s => s.Uid))
        {
            var sequence = SequenceOf(state.Uid);
            if (sequence > 0)
            {
                var known = _messages[sequence - 1];
                if (known.Flags != state.Flags || !known.Keywords.SequenceEqual(state.Keywords, StringComparer.OrdinalIgnoreCase))
                {
                    _flagsChanged.Add(state.Uid);
                }

                _messages[sequence - 1] = known with { ModSeq = state.ModSeq, Flags = state.Flags, Keywords = state.Keywords };
            }
            else if (state.Uid > MaxUid)
            {
                _messages.Add(new Entry(state.Uid, state.ModSeq, state.Flags, state.Keywords));
                added.Add(state.Uid);
            }

            AddKeywords(state.Keywords);
        }

        Expunged(changes.Expunged);
        foreach (var keyword in changes.Keywords)
        {
            if (_keywords.Add(keyword))
            {
                _keywordsChanged = true;
            }
        }

        UidNext = Math.Max(UidNext, changes.UidNext);
        HighestModSeq = Math.Max(HighestModSeq, changes.HighestModSeq);
        return added;
    }

    /// <summary>Writes FLAGS when keywords appeared since it was last sent, so that no FETCH names a keyword the client was not told of.</summary>
    public void WriteFlagsIfChanged(ImapSession session)
    {
        if (_keywordsChanged)
        {
            session.WriteLine($"* FLAGS ({string.Join(' ', Flags)})");
            if (!ReadOnly)
            {
                session.WriteLine($"* OK [PERMANENTFLAGS ({string.Join(' ', Flags)} \\*)] Flags permitted.");
            }

            _keywordsChanged = false;
        }
    }

    /// <summary>
    /// Writes what the client has not been told yet: FLAGS when keywords appeared, EXPUNGE unless
    /// <paramref name="expungesAllowed"/> is false, FETCH FLAGS of messages changed by others, EXISTS
    /// and (IMAP4rev1) RECENT when they changed. EXPUNGEs go in ascending order, each number counted
    /// after the ones before it left, as RFC 9051 §6.4.3's example does (3, 3, 5, 8 for 3, 4, 7, 11);
    /// the view is compacted in one pass, so expunging many messages of a large mailbox stays linear.
    /// </summary>
    public void WriteAnnouncements(ImapSession session, bool expungesAllowed)
    {
        WriteFlagsIfChanged(session);
        if (expungesAllowed && _expunged.Count > 0)
        {
            var announced = _announcedExists;
            var kept = 0;
            for (var index = 0; index < _messages.Count; index++)
            {
                var message = _messages[index];
                if (!_expunged.Remove(message.Uid))
                {
                    _messages[kept++] = message;
                    continue;
                }

                // A message the client was never told of goes without a word; each EXPUNGE it hears
                // lowers the count it knows by one.
                if (index < announced)
                {
                    session.WriteLine(string.Create(CultureInfo.InvariantCulture, $"* {kept + 1} EXPUNGE"));
                    _announcedExists--;
                }

                // RECENT is said again when expunges changed it: EXPUNGE tells the client nothing of it (RFC 3501 §7.3.2).
                _flagsChanged.Remove(message.Uid);
                _recent.Remove(message.Uid);
            }

            _messages.RemoveRange(kept, _messages.Count - kept);
        }

        if (_messages.Count != _announcedExists)
        {
            session.WriteLine(string.Create(CultureInfo.InvariantCulture, $"* {_messages.Count} EXISTS"));
            _announcedExists = _messages.Count;
        }

        if (!session.Rev2 && _recent.Count != _announcedRecent)
        {
            session.WriteLine(string.Create(CultureInfo.InvariantCulture, $"* {_recent.Count} RECENT"));
            _announcedRecent = _recent.Count;
        }

        foreach (var uid in _flagsChanged)
        {
            if (SequenceOf(uid) is var sequence and > 0)
            {
                var entry = _messages[sequence - 1];
                session.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"* {sequence} FETCH (UID {uid} FLAGS ({FlagList(entry, session.Rev2 ? null : IsRecent(uid))}))"));
            }
        }

        _flagsChanged.Clear();
    }

    /// <summary>A message's flags as FETCH FLAGS lists them; <c>\Recent</c> for IMAP4rev1 sessions when <paramref name="recent"/>.</summary>
    public static string FlagList(Entry entry, bool? recent)
    {
        var flags = new List<string>(6);
        if ((entry.Flags & SystemFlags.Seen) != 0)
        {
            flags.Add(@"\Seen");
        }

        if ((entry.Flags & SystemFlags.Answered) != 0)
        {
            flags.Add(@"\Answered");
        }

        if ((entry.Flags & SystemFlags.Flagged) != 0)
        {
            flags.Add(@"\Flagged");
        }

        if ((entry.Flags & SystemFlags.Deleted) != 0)
        {
            flags.Add(@"\Deleted");
        }

        if ((entry.Flags & SystemFlags.Draft) != 0)
        {
            flags.Add(@"\Draft");
        }

        if (recent == true)
        {
            flags.Add(@"\Recent");
        }

        flags.AddRange(entry.Keywords);
        return string.Join(' ', flags);
    }

    private void AddKeywords(IEnumerable<string> keywords)
    {
        foreach (var keyword in keywords)
        {
            if (_keywords.Add(keyword))
            {
                _keywordsChanged = true;
            }
        }
    }

    /// <summary>One message of the view.</summary>
    internal sealed record Entry(long Uid, long ModSeq, SystemFlags Flags, IReadOnlyList<string> Keywords);
}
