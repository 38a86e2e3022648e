namespace Groupware.Auth;

/// <summary>
/// The <c>Auth</c> section of a node's configuration: password hashing, the verification cache,
/// throttling and the audit log. Every default names where it comes from.
/// </summary>
public sealed record AuthOptions
{
    /// <summary>
    /// Most memory an Argon2id hash may use, in KiB (4 GiB): the bound of <see cref="Argon2MemoryKiB"/>,
    /// and of stored hashes, above which one is refused as unverifiable rather than let a login exhaust the node.
    /// </summary>
    public const int MaxArgon2MemoryKiB = 4 * 1024 * 1024;

    /// <summary>Most passes an Argon2id hash may ask for, configured or stored.</summary>
    public const int MaxArgon2Iterations = 64;

    /// <summary>Most lanes an Argon2id hash may ask for, configured or stored (RFC 9106 §3.1 allows 2^24 - 1).</summary>
    public const int MaxArgon2Parallelism = 64;

    /// <summary>
    /// <c>Auth:Argon2MemoryKiB</c>: memory of one Argon2id run for new hashes. 19456 KiB with 2
    /// iterations and 1 lane is the first configuration of the OWASP Password Storage Cheat Sheet.
    /// With libsodium's Argon2 on this project's 2-core reference machine one verification takes
    /// about 17-22 ms while other builds share it (65-100 ms with BouncyCastle's; the <c>auth-verify</c>
    /// benchmark, medians of 5 runs): well under the 50 ms a login may spend here. RFC 9106 §4's
    /// second choice (64 MiB, 3 passes), which is also what Dovecot writes, takes about 110 ms
    /// (290 ms with BouncyCastle).
    /// </summary>
    public int Argon2MemoryKiB { get; init; } = 19456;

    /// <summary><c>Auth:Argon2Iterations</c>: passes over the memory (t); 2, as <see cref="Argon2MemoryKiB"/> says.</summary>
    public int Argon2Iterations { get; init; } = 2;

    /// <summary>
    /// <c>Auth:Argon2Parallelism</c>: lanes (p); 1, as <see cref="Argon2MemoryKiB"/> says. libsodium
    /// computes one lane only; hashes with more are computed by BouncyCastle, one lane after another,
    /// so more lanes only cost time here: several times that of one lane by libsodium.
    /// </summary>
    public int Argon2Parallelism { get; init; } = 1;

    /// <summary>
    /// <c>Auth:MaxConcurrentVerifications</c>: password hash computations running at once on this
    /// node; more wait. Default: the number of processors, since one Argon2 lane keeps one core busy and
    /// more runs than cores only add memory (<see cref="Argon2MemoryKiB"/> each) and latency.
    /// </summary>
    public int MaxConcurrentVerifications { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// <c>Auth:FailureDelayMilliseconds</c>: the delay before the next answer to a client address or
    /// an account after one failure; it doubles with each further failure. 2000, Dovecot's
    /// AUTH_PENALTY_INIT_SECS (src/auth/auth-penalty.h).
    /// </summary>
    public int FailureDelayMilliseconds { get; init; } = 2000;

    /// <summary>
    /// <c>Auth:MaxFailureDelayMilliseconds</c>: the cap of the doubling delay. 15000, Dovecot's
    /// AUTH_PENALTY_MAX_SECS.
    /// </summary>
    public int MaxFailureDelayMilliseconds { get; init; } = 15000;

    /// <summary>
    /// <c>Auth:FailureMemorySeconds</c>: how long after the last failure the delay still applies. 29,
    /// Dovecot's AUTH_PENALTY_TIMEOUT (2 + 4 + 8 + 15 s: "how long it takes for penalty to be irrelevant").
    /// </summary>
    public int FailureMemorySeconds { get; init; } = 29;

    /// <summary>
    /// <c>Auth:MaxTrackedClients</c>: client networks and logins whose recent failures a node keeps in
    /// memory for the delay; past it the oldest are forgotten first. 100000 entries are a few MiB.
    /// </summary>
    public int MaxTrackedClients { get; init; } = 100_000;

    /// <summary>
    /// <c>Auth:BlockThreshold</c>: more failed password checks than this from one client network
    /// within <see cref="BlockWindowMinutes"/>, counted over all nodes, block it. 100, Stalwart's
    /// default authentication ban rate (100 per day).
    /// </summary>
    public int BlockThreshold { get; init; } = 100;

    /// <summary><c>Auth:BlockWindowMinutes</c>: the window of <see cref="BlockThreshold"/>; 1440 (one day), Stalwart's.</summary>
    public int BlockWindowMinutes { get; init; } = 1440;

    /// <summary>
    /// <c>Auth:BlockDurationMinutes</c>: how long a block lasts. 1440 (one day): Stalwart keeps a
    /// ban until an operator lifts it; a day lets an address later given to an innocent client heal.
    /// </summary>
    public int BlockDurationMinutes { get; init; } = 1440;

    /// <summary>
    /// <c>Auth:BlockRefreshSeconds</c>: how often a node reloads the whole shared block list besides
    /// the notifications it receives, so that a block announced while its listening connection was
    /// down is still learnt, and a lifted one forgotten. 60.
    /// </summary>
    public int BlockRefreshSeconds { get; init; } = 60;

    /// <summary>
    /// <c>Auth:IPv6PrefixLength</c>: IPv6 clients are counted, delayed and blocked by this prefix, not
    /// by address. 64: the smallest prefix an end site gets (RFC 6177 §2), all of it one client's to use.
    /// </summary>
    public int IPv6PrefixLength { get; init; } = 64;

    /// <summary>
    /// <c>Auth:CacheLifetimeSeconds</c>: how long a verified password is remembered. 300. Dovecot's
    /// auth_cache_ttl is one hour; shorter here because an entry is a fast check of the password for
    /// whoever can read this process's memory.
    /// </summary>
    public int CacheLifetimeSeconds { get; init; } = 300;

    /// <summary><c>Auth:CacheMaxEntries</c>: verified passwords remembered at most (about 100 bytes each). 10000.</summary>
    public int CacheMaxEntries { get; init; } = 10_000;

    /// <summary>
    /// <c>Auth:AuditRetentionDays</c>: audit records older than this are deleted. 90: a quarter, the
    /// look-back an operator needs to find when a password was exposed.
    /// </summary>
    public int AuditRetentionDays { get; init; } = 90;

    /// <summary>
    /// <c>Auth:AuditQueueCapacity</c>: attempts waiting to be written while the database is slow or
    /// down; past it new ones are dropped and counted in the log. 10000 (a few MiB).
    /// </summary>
    public int AuditQueueCapacity { get; init; } = 10_000;
}
