using System.Diagnostics;
using Groupware.Storage.Mail;

namespace Groupware.Imap;

/// <summary>
/// One read of a mailbox's changes for every session of this node that asks for the same changes at
/// the same time. A delivery to an INBOX that a user's devices hold a thousand sessions IDLE on wakes
/// all of them at once, each at the same HIGHESTMODSEQ; one snapshot (<see cref="MailStore.ChangesSinceAsync(long, long, long, CancellationToken)"/>)
/// answers them all instead of a thousand queued on the pool. A session joins a read only when that
/// read began after the change it woke for was heard of (<see cref="MailboxChange.ReceivedAt"/>), so
/// that it cannot be answered by a snapshot taken before the change committed.
/// </summary>
/// <param name="read">The store's read (<see cref="MailStore.ChangesSinceAsync(long, long, long, CancellationToken)"/>: account, mailbox, MODSEQ).</param>
internal sealed class SharedChangeReads(Func<long, long, long, CancellationToken, Task<MailboxChanges?>> read)
{
    private readonly Dictionary<(long Account, long Mailbox, long Since), Read> _reads = [];
    private readonly Lock _lock = new();

    private sealed record Read(long StartedAt, Task<MailboxChanges?> Changes);

    /// <summary>
    /// The changes of the mailbox after <paramref name="sinceModSeq"/>, from a read that began at or
    /// after <paramref name="notBefore"/> (a <see cref="Stopwatch"/> timestamp); null when the mailbox
    /// is gone. The read itself is not cancelled with <paramref name="cancellationToken"/>, which only
    /// stops this caller's wait: other sessions may be waiting for it too.
    /// </summary>
    public Task<MailboxChanges?> ChangesSinceAsync(long accountId, long mailboxId, long sinceModSeq, long notBefore,
        CancellationToken cancellationToken)
    {
        var key = (accountId, mailboxId, sinceModSeq);
        lock (_lock)
        {
            if (_reads.TryGetValue(key, out var running) && running.StartedAt >= notBefore)
            {
                return running.Changes.WaitAsync(cancellationToken);
            }

            // Taken before the read starts: whatever was heard of before this instant, it sees.
            var startedAt = Stopwatch.GetTimestamp();
            var read = new Read(startedAt, ReadAsync(key, startedAt));
            _reads[key] = read;
            return read.Changes.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Reads in flight (for tests).</summary>
    internal int Running
    {
        get
        {
            lock (_lock)
            {
                return _reads.Count;
            }
        }
    }

    private async Task<MailboxChanges?> ReadAsync((long Account, long Mailbox, long Since) key, long startedAt)
    {
        // Off the caller's stack, so that the entry is in the table before the read can complete and remove it.
        await Task.Yield();
        try
        {
            return await read(key.Account, key.Mailbox, key.Since, CancellationToken.None);
        }
        finally
        {
            lock (_lock)
            {
                // Unless a later read of the same changes took its place, for a session woken after this one began.
                if (_reads.TryGetValue(key, out var current) && current.StartedAt == startedAt)
                {
                    _reads.Remove(key);
                }
            }
        }
    }
}
