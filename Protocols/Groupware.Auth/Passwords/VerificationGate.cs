namespace Groupware.Auth.Passwords;

/// <summary>
/// The node's budget of password-hash computations: at most <see cref="AuthOptions.MaxConcurrentVerifications"/>
/// at a time, for logins and for the checks of exposed passwords alike, since each keeps a core busy
/// (Argon2 with one lane). One singleton, so no path can compute hashes beside the budget.
/// </summary>
internal sealed class VerificationGate(AuthOptions options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.MaxConcurrentVerifications));

    /// <summary>Runs <paramref name="computation"/> once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> computation, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return computation();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
