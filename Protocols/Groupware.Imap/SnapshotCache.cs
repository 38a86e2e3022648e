using Groupware.Storage.Mail;

namespace Groupware.Imap;

/// <summary>
/// The last state this node read of each mailbox selected on it, as the columns a view holds
/// (<see cref="MailboxColumns"/>), so that SELECT and EXAMINE of a mailbox kept here read only what
/// changed since that state, found by the MODSEQ indexes (<see cref="MailStore.ChangesSinceAsync(long, long, long, long?, CancellationToken)"/>),
/// instead of every message: a phone resynchronising a mailbox of 100,000 messages with QRESYNC
/// (RFC 7162 §3.2.5) costs the changes, not the mailbox. What is kept is the store's state at its
/// HIGHESTMODSEQ, never a session's view (which may hold expunges it has not announced). A state of
/// another UIDVALIDITY (the name's mailbox was deleted as a placeholder and made again) is read
/// afresh. At most <c>maxMessages</c> messages are kept (each mailbox counting one more, so that empty
/// ones are bounded too); the least recently used mailboxes go first.
/// </summary>
internal sealed class SnapshotCache(MailStore store, int maxMessages)
{
    private readonly Dictionary<(long Account, long Mailbox), Kept> _kept = [];
    private readonly Lock _lock = new();
    private long _messages;
    private long _clock;

    private sealed class Kept(MailboxColumns columns, long used)
    {
        public MailboxColumns Columns { get; set; } = columns;

        public long Used { get; set; } = used;
    }

    /// <summary>
    /// The mailbox's current state, and with <paramref name="resyncSince"/> what changed after that
    /// MODSEQ, from one snapshot; null when the mailbox does not exist (any more) or is a placeholder.
    /// </summary>
    public async Task<(MailboxColumns Columns, MailboxChanges? Resync)?> ReadAsync(long accountId, long mailboxId, long? resyncSince,
        CancellationToken cancellationToken)
    {
        var key = (accountId, mailboxId);
        MailboxColumns? known;
        lock (_lock)
        {
            known = _kept.TryGetValue(key, out var kept) ? kept.Columns : null;
        }

        if (known is not null)
        {
            var read = await store.ChangesSinceAsync(accountId, mailboxId, known.HighestModSeq, resyncSince, cancellationToken);
            if (read is not { } changes)
            {
                Forget(key);
                return null;
            }

            if (changes.Changes.UidValidity == known.UidValidity)
            {
                var columns = known.Apply(changes.Changes);
                Keep(key, columns);
                return (columns, changes.Resync);
            }
        }

        var snapshot = await store.SnapshotAsync(accountId, mailboxId, resyncSince, cancellationToken);
        if (snapshot is null)
        {
            Forget(key);
            return null;
        }

        var fresh = MailboxColumns.From(snapshot);
        Keep(key, fresh);
        return (fresh, snapshot.Resync);
    }

    private void Keep((long, long) key, MailboxColumns columns)
    {
        lock (_lock)
        {
            if (_kept.TryGetValue(key, out var kept))
            {
                // Two SELECTs at once: the later state stays.
                if (kept.Columns.HighestModSeq <= columns.HighestModSeq)
                {
                    _messages += columns.Count - kept.Columns.Count;
                    kept.Columns = columns;
                }

                kept.Used = ++_clock;
            }
            else if (Weight(columns) <= maxMessages)
            {
                _kept[key] = new Kept(columns, ++_clock);
                _messages += Weight(columns);
            }

            while (_messages > maxMessages && _kept.Count > 0)
            {
                var oldest = _kept.MinBy(k => k.Value.Used);
                _kept.Remove(oldest.Key);
                _messages -= Weight(oldest.Value.Columns);
            }
        }
    }

    private void Forget((long, long) key)
    {
        lock (_lock)
        {
            if (_kept.Remove(key, out var kept))
            {
                _messages -= Weight(kept.Columns);
            }
        }
    }

    private static long Weight(MailboxColumns columns) => columns.Count + 1L;
}
