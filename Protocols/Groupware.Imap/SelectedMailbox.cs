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
/// The messages are held as columns (UIDs, MODSEQs, flags, keywords) whose arrays are shared with
/// every other view of equal content (<see cref="SharedColumns"/>): a command that changes the view
/// copies them first (<see cref="Own"/>), and the view shares them again once the client has been
/// told (<see cref="Share"/>), so that many sessions IDLE on one mailbox cost one copy of it.
/// </summary>
internal sealed class SelectedMailbox
{
    private long[] _uids;
    private long[] _modSeqs;
    private SystemFlags[] _flags;

    // Null while no message of the view has a keyword, as in most mailboxes.
    private string[]?[]? _messageKeywords;
    private int _count;
    private bool _owned;
    private readonly HashSet<long> _recent;
    private readonly HashSet<long> _expunged = [];
    private readonly HashSet<long> _flagsChanged = [];
    private readonly SortedSet<string> _keywords;
    private bool _keywordsChanged;
    private int _announcedExists;
    private int _announcedRecent;

    public SelectedMailbox(Mailbox mailbox, MailboxSnapshot snapshot, IReadOnlyCollection<long> recent, bool readOnly)
        : this(mailbox, MailboxColumns.From(snapshot), recent, readOnly)
    {
    }

    /// <summary>A view of <paramref name="columns"/>, whose arrays it holds (shared) until it changes them.</summary>
    public SelectedMailbox(Mailbox mailbox, MailboxColumns columns, IReadOnlyCollection<long> recent, bool readOnly)
    {
        MailboxId = mailbox.Id;
        Name = mailbox.Name;
        ReadOnly = readOnly;
        UidValidity = columns.UidValidity;
        UidNext = columns.UidNext;
        HighestModSeq = columns.HighestModSeq;
        _count = columns.Count;
        (_uids, _modSeqs, _flags, _messageKeywords) = (columns.Uids, columns.ModSeqs, columns.Flags, columns.MessageKeywords);

        // Interned like every view's columns; the arrays of the columns are never written to, so they may be what is shared.
        _owned = true;
        Share();
        _keywords = new SortedSet<string>(columns.Keywords, StringComparer.OrdinalIgnoreCase);
        _recent = [.. recent];
        _announcedExists = _count;
        _announcedRecent = _recent.Count;
    }

    public long MailboxId { get; }

    public string Name { get; }

    public bool ReadOnly { get; }

    public long UidValidity { get; }

    public long UidNext { get; private set; }

    /// <summary>The highest MODSEQ this view has applied: changes after it are what <see cref="MailStore.ChangesSinceAsync(long, long, long, CancellationToken)"/> is asked for.</summary>
    public long HighestModSeq { get; private set; }

    /// <summary>The response code <c>HIGHESTMODSEQ n</c> of this view (RFC 7162 §3.1.2.1).</summary>
    public string HighestModSeqCode => string.Create(CultureInfo.InvariantCulture, $"HIGHESTMODSEQ {HighestModSeq}");

    /// <summary>Messages as the client counts them (expunged ones not yet announced included).</summary>
    public int Exists => _count;

    public int RecentCount => _recent.Count;

    /// <summary>The flags of the mailbox for FLAGS and PERMANENTFLAGS: the system flags and every keyword in use.</summary>
    public IEnumerable<string> Flags => SystemFlagNames.Concat(_keywords);

    private static readonly string[] SystemFlagNames = [@"\Answered", @"\Flagged", @"\Deleted", @"\Seen", @"\Draft"];

    /// <summary>The sequence number of the first message without \Seen (RFC 3501 UNSEEN response code), if any.</summary>
    public int? FirstUnseen
    {
        get
        {
            var index = Array.FindIndex(_flags, 0, _count, f => (f & SystemFlags.Seen) == 0);
            return index < 0 ? null : index + 1;
        }
    }

    /// <summary>The message at sequence number <paramref name="sequence"/> (1-based).</summary>
    public Entry At(int sequence) => EntryAt(sequence - 1);

    private Entry EntryAt(int index) =>
        new(_uids[index], _modSeqs[index], _flags[index], (IReadOnlyList<string>?)_messageKeywords?[index] ?? []);

    /// <summary>The sequence number of <paramref name="uid"/>, or 0 when the view has no such message.</summary>
    public int SequenceOf(long uid)
    {
        var low = 0;
        var high = _count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var found = _uids[middle];
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
    public long MaxUid => _count == 0 ? 0 : _uids[_count - 1];

    /// <summary>All messages with their sequence numbers, in order.</summary>
    public IEnumerable<(int Sequence, Entry Message)> All => Enumerable.Range(0, _count).Select(i => (i + 1, EntryAt(i)));

    public bool IsRecent(long uid) => _recent.Contains(uid);

    /// <summary>
    /// The messages a sequence set names, in sequence order. By UID (RFC 9051 §6.4.9) UIDs without a
    /// message are ignored and <c>*</c> is the highest UID; by number, a number beyond EXISTS is an
    /// error (RFC 9051 §9 <c>seq-number</c>). <c>$</c> (SEARCHRES, RFC 5182) is <paramref name="saved"/>,
    /// UIDs the last SEARCH ... SAVE found. <paramref name="lenient"/> (SEARCH) lets numbers beyond
    /// EXISTS simply match nothing, as Dovecot does. With <paramref name="changedSince"/> (CHANGEDSINCE,
    /// RFC 7162 §3.1.4.1) only messages whose MODSEQ is above it, tested on the column before any entry
    /// is made: UID FETCH 1:* (CHANGEDSINCE n) of a large mailbox costs the changed messages.
    /// </summary>
    public bool TryResolve(SequenceSet set, bool byUid, IReadOnlyCollection<long>? saved, out List<(int Sequence, Entry Message)> messages,
        out string? error, bool lenient = false, long? changedSince = null)
    {
        var floor = changedSince ?? long.MinValue;
        messages = [];
        error = null;
        if (set.IsSavedResult)
        {
            foreach (var uid in (saved ?? []).Order())
            {
                if (SequenceOf(uid) is var sequence and > 0 && _modSeqs[sequence - 1] > floor)
                {
                    messages.Add((sequence, At(sequence)));
                }
            }

            return true;
        }

        if (byUid)
        {
            if (_count == 0)
            {
                return true;
            }

            foreach (var (first, last) in set.Resolve((uint)Math.Min(MaxUid, uint.MaxValue)).Ranges)
            {
                var index = LowerBound(first);
                for (; index < _count && _uids[index] <= last; index++)
                {
                    if (_modSeqs[index] > floor)
                    {
                        messages.Add((index + 1, EntryAt(index)));
                    }
                }
            }

            messages.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            RemoveDuplicates(messages);
            return true;
        }

        if (!lenient && (set.HighestNumber > _count || (_count == 0 && set.HasStar)))
        {
            error = _count == 0 ? "The mailbox is empty: there is no message number." : "Invalid message sequence number (beyond EXISTS).";
            return false;
        }

        foreach (var (first, last) in set.Resolve((uint)_count).Ranges)
        {
            for (var index = (int)first - 1; index < (int)last; index++)
            {
                if (_modSeqs[index] > floor)
                {
                    messages.Add((index + 1, EntryAt(index)));
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The UIDs of <paramref name="uids"/> above <paramref name="above"/> and at most
    /// <paramref name="highest"/> that no message of the view has, as ascending ranges: what a
    /// VANISHED (EARLIER) reports when the expunge records may be gone (RFC 7162 §3.2.6). Linear in the
    /// ranges and the messages they cover.
    /// </summary>
    public List<(uint First, uint Last)> Absent(ResolvedSequenceSet uids, uint above, uint highest)
    {
        var absent = new List<(uint First, uint Last)>();
        foreach (var (first, last) in uids.Ranges)
        {
            var next = Math.Max((long)first, (long)above + 1);
            var to = Math.Min((long)last, highest);
            for (var index = LowerBound(next); next <= to; index++)
            {
                if (index >= _count || _uids[index] > to)
                {
                    absent.Add(((uint)next, (uint)to));
                    break;
                }

                if (_uids[index] > next)
                {
                    absent.Add(((uint)next, (uint)(_uids[index] - 1)));
                }

                next = _uids[index] + 1;
            }
        }

        return absent;
    }

    private int LowerBound(long uid)
    {
        int low = 0, high = _count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_uids[middle] < uid)
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
    private void Updated(MessageState state)
    {
        if (SequenceOf(state.Uid) is var sequence and > 0)
        {
            Set(sequence - 1, state);
            AddKeywords(state.Keywords);
        }
    }

    /// <summary>
    /// Records what this session's own STORE did, and when no other change came between what the view
    /// last read and this STORE, moves the view's HIGHESTMODSEQ past it: the change feed's wake-up for
    /// it then costs no read.
    /// </summary>
    public void Stored(StoreResult result)
    {
        foreach (var state in result.Updated)
        {
            Updated(state);
        }

        if (result.Updated.Count > 0 && result.HighestModSeqBefore == HighestModSeq)
        {
            HighestModSeq = result.Updated[0].ModSeq;
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
                var known = At(sequence);
                if (state.ModSeq < known.ModSeq)
                {
                    // A read that began before this session's own STORE committed: the view already holds
                    // a later state, and a message's MODSEQ never goes down (RFC 7162 §3.1).
                    continue;
                }

                if (known.Flags != state.Flags || !known.Keywords.SequenceEqual(state.Keywords, StringComparer.OrdinalIgnoreCase))
                {
                    _flagsChanged.Add(state.Uid);
                }

                if (known.ModSeq != state.ModSeq || _flagsChanged.Contains(state.Uid))
                {
                    Set(sequence - 1, state);
                }
            }
            else if (state.Uid > MaxUid)
            {
                Add(state);
                added.Add(state.Uid);
            }

            AddKeywords(state.Keywords);
        }

        Expunged(changes.Expunged);
        if (changes.Present is { } present)
        {
            // The expunge records since this view's MODSEQ were pruned: what the view has and the mailbox has not is gone.
            var there = new HashSet<long>(present);
            Expunged(_uids.Take(_count).Where(uid => !there.Contains(uid)).ToList());
        }

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
    /// Writes what the client has not been told yet: FLAGS when keywords appeared, EXPUNGE (VANISHED
    /// after ENABLE QRESYNC, RFC 7162 §3.2.10.2) unless
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
            Own(_count);
            var announced = _announcedExists;
            var kept = 0;

            // After ENABLE QRESYNC, one VANISHED for them all instead (RFC 7162 §3.2.10.2).
            var vanished = session.QResync ? new List<uint>() : null;
            for (var index = 0; index < _count; index++)
            {
                var uid = _uids[index];
                if (!_expunged.Remove(uid))
                {
                    (_uids[kept], _modSeqs[kept], _flags[kept]) = (uid, _modSeqs[index], _flags[index]);
                    if (_messageKeywords is not null)
                    {
                        _messageKeywords[kept] = _messageKeywords[index];
                    }

                    kept++;
                    continue;
                }

                // A message the client was never told of goes without a word; each EXPUNGE it hears
                // lowers the count it knows by one (and so does each UID of a VANISHED).
                if (index < announced)
                {
                    if (vanished is null)
                    {
                        session.WriteLine(string.Create(CultureInfo.InvariantCulture, $"* {kept + 1} EXPUNGE"));
                    }
                    else
                    {
                        vanished.Add((uint)uid);
                    }

                    _announcedExists--;
                }

                // RECENT is said again when expunges changed it: EXPUNGE tells the client nothing of it (RFC 3501 §7.3.2).
                _flagsChanged.Remove(uid);
                _recent.Remove(uid);
            }

            if (vanished is { Count: > 0 })
            {
                session.WriteLine("* VANISHED " + SequenceSet.FormatCompact(vanished));
            }

            _messageKeywords?.AsSpan(kept, _count - kept).Clear();
            _count = kept;
        }

        if (_count != _announcedExists)
        {
            session.WriteLine(string.Create(CultureInfo.InvariantCulture, $"* {_count} EXISTS"));
            _announcedExists = _count;
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
                var entry = At(sequence);
                // With CONDSTORE, MODSEQ too (RFC 7162 §3.1, §3.2.4).
                var modSeq = session.CondStore ? string.Create(CultureInfo.InvariantCulture, $" MODSEQ ({entry.ModSeq})") : "";
                session.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"* {sequence} FETCH (UID {uid} FLAGS ({FlagList(entry, session.Rev2 ? null : IsRecent(uid))}){modSeq})"));
            }
        }

        _flagsChanged.Clear();
        Share();
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

    private void Set(int index, MessageState state)
    {
        Own(_count);
        (_modSeqs[index], _flags[index]) = (state.ModSeq, state.Flags);
        if (state.Keywords.Count > 0 || _messageKeywords?[index] is not null)
        {
            _messageKeywords ??= new string[]?[_uids.Length];
            _messageKeywords[index] = state.Keywords.Count == 0 ? null : [.. state.Keywords];
        }
    }

    private void Add(MessageState state)
    {
        Own(_count + 1);
        _uids[_count] = state.Uid;
        _count++;
        Set(_count - 1, state);
    }

    /// <summary>Makes the columns this view's own, with room for <paramref name="capacity"/> messages, before it changes them.</summary>
    private void Own(int capacity)
    {
        if (_owned && _uids.Length >= capacity)
        {
            return;
        }

        var length = _owned ? Math.Max(capacity, _uids.Length * 2) : capacity;
        _uids = Copy(_uids, length);
        _modSeqs = Copy(_modSeqs, length);
        _flags = Copy(_flags, length);
        if (_messageKeywords is not null)
        {
            _messageKeywords = Copy(_messageKeywords, length);
        }

        _owned = true;
    }

    private T[] Copy<T>(T[] columns, int length)
    {
        var copy = new T[length];
        columns.AsSpan(0, _count).CopyTo(copy);
        return copy;
    }

    /// <summary>Whether this view holds the very arrays <paramref name="other"/> holds (what <see cref="Share"/> is for).</summary>
    internal bool SharesColumnsWith(SelectedMailbox other) =>
        ReferenceEquals(_uids, other._uids) && ReferenceEquals(_modSeqs, other._modSeqs) && ReferenceEquals(_flags, other._flags)
        && ReferenceEquals(_messageKeywords, other._messageKeywords);

    /// <summary>
    /// Trades the columns this view changed for the shared arrays of equal content (the first view to
    /// get there shares its own); <see cref="WriteAnnouncements"/> does it once the client was told.
    /// </summary>
    internal void Share()
    {
        if (!_owned)
        {
            return;
        }

        _uids = SharedColumns.Longs.Share(_uids.Length == _count ? _uids : _uids[.._count]);
        _modSeqs = SharedColumns.Longs.Share(_modSeqs.Length == _count ? _modSeqs : _modSeqs[.._count]);
        _flags = SharedColumns.Flags.Share(_flags.Length == _count ? _flags : _flags[.._count]);
        if (_messageKeywords is not null)
        {
            var keywords = _messageKeywords.AsSpan(0, _count);
            _messageKeywords = keywords.IndexOfAnyExcept((string[]?)null) >= 0 ? SharedColumns.Keywords.Share(keywords.ToArray()) : null;
        }

        _owned = false;
    }

    /// <summary>One message of the view, as read from its columns.</summary>
    internal readonly record struct Entry(long Uid, long ModSeq, SystemFlags Flags, IReadOnlyList<string> Keywords);
}
