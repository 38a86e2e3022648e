namespace Groupware.Storage.Mail;

/// <summary>Why a <see cref="MaildropLease"/> can no longer be trusted.</summary>
public enum LeaseLoss
{
    /// <summary>
    /// The row is no longer this lease's: it expired and another session took it over, or the
    /// account was deleted. Another session may be in the maildrop now.
    /// </summary>
    TakenOver = 1,

    /// <summary>
    /// Renewals failed (the database was unreachable) until the last expiry this node saw confirmed
    /// had passed, less <see cref="MaildropLeaseOptions.ExpiryMargin"/>: another session may take it over.
    /// </summary>
    Unconfirmed,

    /// <summary>The node stopped renewing leases (<see cref="MaildropLeases"/> was disposed) and released it.</summary>
    Stopped,
}

/// <summary>
/// A POP3 session's exclusive access to one maildrop (RFC 1939 §4), from
/// <see cref="MaildropLeases.TryAcquireAsync"/>. The node renews it in the background; when it can
/// no longer vouch for it, <see cref="Lost"/> fires and the session must stop using the maildrop.
/// Dispose it, and await that, when the session ends: the row is deleted then, so that an immediate
/// new login is not refused.
/// </summary>
public sealed class MaildropLease : IAsyncDisposable
{
    private readonly MaildropLeases _owner;

    // No timer and no wait handle behind it, so it is never disposed: Lost stays readable after
    // the lease is.
    private readonly CancellationTokenSource _lost = new();
    private int _loss;
    private int _disposed;

    internal MaildropLease(MaildropLeases owner, long accountId, Guid holder, long confirmedUntil)
    {
        _owner = owner;
        AccountId = accountId;
        Holder = holder;
        ConfirmedUntil = confirmedUntil;
    }

    /// <summary>The account whose maildrop this is.</summary>
    public long AccountId { get; }

    /// <summary>Fires when the lease can no longer be trusted; <see cref="Loss"/> says why.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why the lease was lost; null while it holds.</summary>
    public LeaseLoss? Loss => Volatile.Read(ref _loss) is var loss and not 0 ? (LeaseLoss)loss : null;

    /// <summary>The row's holder id: random per lease, so only this lease renews or deletes its row.</summary>
    internal Guid Holder { get; }

    /// <summary>
    /// <see cref="TimeProvider.GetTimestamp"/> until which the node is sure no one else can take the
    /// lease over; moved on by each renewal. Read and written under the owner's lock.
    /// </summary>
    internal long ConfirmedUntil { get; set; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Records the first reason only, then fires <see cref="Lost"/> with callbacks off this thread.</summary>
    internal void MarkLost(LeaseLoss reason)
    {
        if (Interlocked.CompareExchange(ref _loss, (int)reason, 0) == 0)
        {
            // CancelAsync sets the token at once and runs the session's callbacks on the thread pool,
            // so that no session can hold up the node's renewal loop.
            _ = _lost.CancelAsync();
        }
    }

    /// <summary>
    /// Releases the maildrop: deletes the row if it is still this lease's. Never throws for a
    /// database failure; the lease then expires by itself within <see cref="MaildropLeaseOptions.Lifetime"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _owner.ReleaseAsync(this);
        }
    }
}
