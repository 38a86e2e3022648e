using System.Net;
using System.Threading.Channels;
using Groupware.Auth.Passwords;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Auth;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Groupware.Auth.Audit;

/// <summary>
/// Finds out, after the answer, whether a password refused unchecked because it came in clear was the
/// account's current one, and records the attempt with the result (<see cref="AuthAttempt.PasswordMatched"/>),
/// so that <c>groupware user list --exposed</c> can put real leaks first: anyone can send an account's
/// name with a wrong password in clear. The client has had its answer already and never learns the
/// result; each check waits for a slot of the node's verification budget (<see cref="VerificationGate"/>),
/// one at a time, behind the logins; and the refusals that feed it are delayed per client network
/// like failures, so no client can turn the clear-text path into a password oracle or a CPU burner.
/// The password is held only while its check waits, in a bounded queue; when the queue is full, or the
/// node stops, an attempt is recorded unchecked rather than lost.
/// </summary>
internal sealed partial class ExposureChecks : IHostedService, IDisposable
{
    /// <summary>Checks waiting at most; a flood of clear-text logins beyond it is recorded unchecked.</summary>
    internal const int Capacity = 1000;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly AccountStore _accounts;
    private readonly PasswordHasher _hasher;
    private readonly VerificationCache _cache;
    private readonly VerificationGate _gate;
    private readonly AuthAuditLog _audit;
    private readonly ILogger<ExposureChecks> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _worker = Task.CompletedTask;
    private long _unchecked;

    public ExposureChecks(AccountStore accounts, PasswordHasher hasher, VerificationCache cache, VerificationGate gate, AuthAuditLog audit,
        ILogger<ExposureChecks> logger)
    {
        _accounts = accounts;
        _hasher = hasher;
        _cache = cache;
        _gate = gate;
        _audit = audit;
        _logger = logger;
    }

    /// <summary>Exposed attempts recorded without a check (queue full, or stopping).</summary>
    public long Unchecked => Interlocked.Read(ref _unchecked);

    /// <summary>Queues the check of an exposed password; the attempt is recorded once it is done.</summary>
    public void Enqueue(AuthAttempt attempt, IPNetwork? blockCandidate, string login, string password)
    {
        if (!_queue.Writer.TryWrite(new Pending(attempt, blockCandidate, login, password)))
        {
            RecordUnchecked(attempt, blockCandidate);
        }
    }

    /// <summary>Returns once every check queued before the call is done and its attempt handed to the audit log.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Pending(null, null, "", "", done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _worker = CheckLoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Stops checking; what is still queued is recorded unchecked, before the audit log stops.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _worker.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout passed.
        }

        while (_queue.Reader.TryRead(out var pending))
        {
            if (pending.Attempt is { } attempt)
            {
                RecordUnchecked(attempt, pending.BlockCandidate);
            }

            pending.Flushed?.TrySetResult();
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Dispose();
    }

    private async Task CheckLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_queue.Reader.TryRead(out var pending))
                {
                    if (pending.Attempt is { } attempt)
                    {
                        bool? matched;
                        try
                        {
                            matched = await IsCurrentPasswordAsync(pending.Login, pending.Password, cancellationToken);
                        }
                        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                        {
                            RecordUnchecked(attempt, pending.BlockCandidate);
                            pending.Flushed?.TrySetResult();
                            throw;
                        }

                        _audit.Record(attempt with { PasswordMatched = matched }, pending.BlockCandidate);
                    }

                    pending.Flushed?.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: StopAsync records the rest unchecked.
        }
    }

    /// <summary>True or false when the login names an account; null when it names none or the account cannot be read now.</summary>
    private async Task<bool?> IsCurrentPasswordAsync(string login, string password, CancellationToken cancellationToken)
    {
        AccountCredentials? credentials;
        try
        {
            credentials = await _accounts.FindCredentialsByLoginOrAddressAsync(login, cancellationToken);
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e) || e is ArgumentException)
        {
            LogCheckFailed(_logger, e.Message);
            return null;
        }

        if (credentials is null)
        {
            return null;
        }

        // What a front-end made of octets that were not UTF-8 is no account's password (groupware user refuses it).
        if (password.Length == 0 || password.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return false;
        }

        if (_cache.Contains(credentials.PasswordHash, password))
        {
            return true;
        }

        return await _gate.RunAsync(() => _hasher.Verify(password, credentials.PasswordHash), cancellationToken) == PasswordCheck.Match;
    }

    private void RecordUnchecked(AuthAttempt attempt, IPNetwork? blockCandidate)
    {
        var count = Interlocked.Increment(ref _unchecked);
        if ((count & (count - 1)) == 0)
        {
            LogUnchecked(_logger, count, Capacity);
        }

        _audit.Record(attempt, blockCandidate);
    }

    /// <summary>A check to make, or a flush marker completed when everything before it is done.</summary>
    private sealed record Pending(AuthAttempt? Attempt, IPNetwork? BlockCandidate, string Login, string Password, TaskCompletionSource? Flushed = null)
    {
        /// <summary>Never prints the password.</summary>
        public override string ToString() => $"check of {Login}";
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Count} exposed password(s) recorded without checking whether they were the real ones (at most {Capacity} checks wait)")]
    private static partial void LogUnchecked(ILogger logger, long count, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check an exposed password against its account: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string reason);
}
