using Microsoft.Extensions.Time.Testing;

namespace Groupware.Testing;

/// <summary>
/// A fake clock for a node's session timers (idle, login deadline, command-line deadline, transfer
/// rate, waits): a <see cref="FakeTimeProvider"/> that also tells when a timer is armed and for how
/// long, so a test moves time on only once the server is waiting, and asserts the exact deadline it
/// set. No test using it sleeps; every wait for the server is bounded in real time.
/// </summary>
public sealed class SessionClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private readonly Dictionary<ObservedTimer, TimeSpan> _armed = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Real time a wait for the server gives up after.</summary>
    public TimeSpan RealTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this);
        timer.Inner = base.CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Waits until some timer is armed for exactly <paramref name="due"/> from now (fake time is frozen meanwhile).</summary>
    public Task WaitForTimerAsync(TimeSpan due) => WaitForTimerAsync(d => d == due, $"a timer armed for {due}");

    /// <summary>Waits until some armed timer's due time satisfies <paramref name="predicate"/>.</summary>
    public async Task WaitForTimerAsync(Func<TimeSpan, bool> predicate, string what)
    {
        using var timeout = new CancellationTokenSource(RealTimeout);
        while (true)
        {
            Task changed;
            lock (_armed)
            {
                if (_armed.Values.Any(predicate))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_armed)
                {
                    throw new TimeoutException($"waited {RealTimeout} for {what}; armed now: {string.Join(", ", _armed.Values)}");
                }
            }
        }
    }

    private void Armed(ObservedTimer timer, TimeSpan due)
    {
        lock (_armed)
        {
            if (due == Timeout.InfiniteTimeSpan)
            {
                _armed.Remove(timer);
            }
            else
            {
                _armed[timer] = due;
            }

            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private sealed class ObservedTimer(SessionClock clock) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Armed(this, dueTime);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock.Armed(this, Timeout.InfiniteTimeSpan);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Armed(this, Timeout.InfiniteTimeSpan);
            return Inner.DisposeAsync();
        }
    }
}
