using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Groupware.Auth.Audit;
using Groupware.Auth.Passwords;
using Groupware.Auth.Sasl;
using Groupware.Auth.Throttling;
using Groupware.Connections;
using Groupware.Storage.Accounts;
using Groupware.Storage.Auth;
using Groupware.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Auth;

/// <summary>
/// The one place that decides whether a login may happen (DESIGN.md, the security invariant).
/// Front-ends hand it every password they receive, with the session's <see cref="ConnectionSecurity"/>,
/// even when they expect a refusal, so that an exposed password is recorded; they never compare
/// passwords or look at TLS themselves. The rules, in the order they apply:
/// <list type="number">
/// <item>A secure node (<c>Node:AllowPlaintextAuth=false</c>) refuses a password that arrived without
/// protection (TLS, or a network in <c>Node:TrustedNetworks</c>) before anything else: it is not
/// checked, and it is recorded as exposed (Dovecot's <c>ssl=required</c>; RFC 8314 §4.1 and RFC 2595 §3.1
/// forbid sending it so; <see cref="AuthOutcome.PlaintextRefused"/>).</item>
/// <item>A client network on the shared block list gets <see cref="AuthOutcome.Throttled"/>, unchecked.</item>
/// <item>A login or password that cannot be an account's, or an authorization identity other than the
/// login (RFC 4616 §2), is a failure, unchecked.</item>
/// <item>The penalty of earlier failures from the client's network and on the login is waited out.</item>
/// <item>The account is looked up by login name or address; if the database cannot be reached the
/// answer is <see cref="AuthOutcome.TemporaryFailure"/>.</item>
/// <item>On an insecure (legacy) node a clear-text password is checked only for accounts flagged
/// <c>legacy-device</c>, unless <c>Node:PlaintextAccounts</c> is <c>any</c>; others get
/// <see cref="AuthOutcome.NotAllowedOnThisNode"/>, unchecked and recorded as exposed.</item>
/// <item>The password is verified (an unknown login against a dummy hash, so that it takes as long).
/// A disabled account is verified in full like a wrong password, never from the cache, and with the
/// right password gets <see cref="AuthOutcome.AccountDisabled"/>, which front-ends answer exactly like
/// <see cref="AuthOutcome.InvalidCredentials"/>.</item>
/// <item>After a success an imported or weaker hash is replaced by Argon2id with the current parameters.</item>
/// </list>
/// Every attempt is audited and counted (<see cref="GroupwareMetrics.Logins"/>; refusals of clear text
/// also in <see cref="GroupwareMetrics.PlaintextCredentialsRefused"/>). Refusals of clear text and of a
/// blocked network wait out the client network's penalty too, and add to it (never to the login's,
/// which would let anyone delay an account's owner); an implausible credential waits like any failure.
/// Nothing is checked for them, but each is an audit record, and no client may have those written as
/// fast as it can send attempts.
/// </summary>
public sealed partial class AuthService : IDisposable
{
    /// <summary>Longest login looked up or recorded; longer ones cannot be an account's.</summary>
    private const int MaxLoginLength = 256;

    /// <summary>Longest password verified: far beyond any real one, short enough that hashing it costs nothing extra.</summary>
    private const int MaxPasswordLength = 4096;

    private static readonly IReadOnlyList<string> Mechanisms = Array.AsReadOnly(["PLAIN", "LOGIN"]);

    private readonly AccountStore _accounts;
    private readonly PasswordHasher _hasher;
    private readonly VerificationCache _cache;
    private readonly FailurePenalties _penalties;
    private readonly BlockList _blocks;
    private readonly AuthAuditLog _audit;
    private readonly GroupwareMetrics _metrics;
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AuthService> _logger;
    private readonly VerificationGate _verifications;
    private readonly ExposureChecks _exposureChecks;
    private long _passwordChecks;
    private long _fullVerifications;
    private long _cacheHits;

    internal AuthService(AccountStore accounts, PasswordHasher hasher, VerificationCache cache, FailurePenalties penalties, BlockList blocks,
        AuthAuditLog audit, ExposureChecks exposureChecks, VerificationGate verifications, GroupwareMetrics metrics, AuthOptions options,
        TimeProvider time, ILogger<AuthService> logger)
    {
        _accounts = accounts;
        _hasher = hasher;
        _cache = cache;
        _penalties = penalties;
        _blocks = blocks;
        _audit = audit;
        _metrics = metrics;
        _options = options;
        _time = time;
        _logger = logger;
        _exposureChecks = exposureChecks;
        _verifications = verifications;
    }

    /// <summary>Times a password was looked at in any way (cache or hash): stays unchanged for every attempt refused unchecked.</summary>
    internal long PasswordChecks => Interlocked.Read(ref _passwordChecks);

    /// <summary>Full hash computations (not from the cache).</summary>
    internal long FullVerifications => Interlocked.Read(ref _fullVerifications);

    /// <summary>Verifications answered by the cache.</summary>
    internal long CacheHits => Interlocked.Read(ref _cacheHits);

    internal AuthAuditLog Audit => _audit;

    /// <summary>Returns once every attempt made before the call is written, the checks of exposed passwords included (for tests and tools).</summary>
    internal async Task FlushAuditAsync(CancellationToken cancellationToken)
    {
        await _exposureChecks.FlushAsync(cancellationToken);
        await _audit.FlushAsync(cancellationToken);
    }

    internal BlockList Blocks => _blocks;

    internal FailurePenalties Penalties => _penalties;

    /// <summary>
    /// Decides a login attempt. The delay earned by earlier failures is waited out inside this call,
    /// so a front-end simply awaits it. Never throws for a refusal; only cancellation ends it early.
    /// </summary>
    public async Task<AuthResult> AuthenticateAsync(AuthRequest request, ConnectionSecurity security, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(security);
        var network = NetworkOf(security);
        var exempt = ClientNetwork.IsExempt(security);
        var decision = Decision.Abandoned;
        try
        {
            decision = await DecideAsync(request, security, exempt ? null : network, cancellationToken);
            return new AuthResult(decision.Outcome, decision.Outcome == AuthOutcome.Success ? decision.Account : null);
        }
        finally
        {
            Record(request, security, network, exempt, decision);
        }
    }

    /// <summary>
    /// The SASL mechanisms to advertise on this connection now: none on a secure node without
    /// protection (RFC 2595 §3.1 via Dovecot: nothing that would send a password in clear is offered),
    /// otherwise PLAIN and LOGIN.
    /// </summary>
    public IReadOnlyList<string> SaslMechanisms(ConnectionSecurity security) => AcceptsPasswords(security) ? Mechanisms : [];

    /// <summary>
    /// Whether a password command (POP3 USER/PASS, IMAP LOGIN) would be considered now: a front-end
    /// advertises USER, or omits LOGINDISABLED (RFC 9051 §7.2.2), only then. On an insecure node it is
    /// true even for accounts that will be refused; which accounts may log in is decided per attempt.
    /// </summary>
    [SuppressMessage("Performance", "CA1822", Justification = "Part of the instance API front-ends receive by injection")]
    public bool AcceptsPasswords(ConnectionSecurity security)
    {
        ArgumentNullException.ThrowIfNull(security);
        return Protection.IsProtected(security) || security.Node.AllowPlaintextAuth;
    }

    /// <summary>
    /// Starts a SASL exchange for <paramref name="mechanism"/> (case-insensitive): PLAIN (RFC 4616) or
    /// LOGIN. Null for any other. The exchange only parses; its credentials go to <see cref="AuthenticateAsync"/>.
    /// </summary>
    [SuppressMessage("Performance", "CA1822", Justification = "Part of the instance API front-ends receive by injection")]
    public SaslExchange? StartSasl(string mechanism) => mechanism.ToUpperInvariant() switch
    {
        "PLAIN" => new PlainExchange(),
        "LOGIN" => new LoginExchange(),
        _ => null,
    };

    public void Dispose()
    {
        // The gate and the checks are the container's singletons; nothing of the service's own to release.
    }

    /// <summary>
    /// How long the answer to <paramref name="request"/> would wait now for earlier failures: from the
    /// client's network (unless exempt) and on the login, however it is spelt.
    /// </summary>
    internal TimeSpan FailureDelay(AuthRequest request, ConnectionSecurity security) =>
        _penalties.DelayFor(ClientNetwork.IsExempt(security) ? null : NetworkOf(security), PenaltyKeys(request.Login));

    private async Task<Decision> DecideAsync(AuthRequest request, ConnectionSecurity security, IPNetwork? countedNetwork,
        CancellationToken cancellationToken)
    {
        if (!security.Node.AllowPlaintextAuth && !Protection.IsProtected(security))
        {
            // Nothing is checked, but the answer waits like a failure's from this network (never on the
            // login, which would let anyone delay the account's owner): each refusal is an audit record and
            // a warning, which a client pipelining clear-text passwords could otherwise have written as fast
            // as it sends them.
            await WaitOutAsync(_penalties.DelayFor(countedNetwork), cancellationToken);
            _penalties.RecordFailure(countedNetwork);
            return new Decision(AuthOutcome.PlaintextRefused, null);
        }

        if (countedNetwork is { } blockable && _blocks.IsBlocked(blockable))
        {
            // Unchecked too, and waiting for the same reason; each refusal keeps the wait up.
            await WaitOutAsync(_penalties.DelayFor(countedNetwork), cancellationToken);
            _penalties.RecordFailure(countedNetwork);
            return new Decision(AuthOutcome.Throttled, null);
        }

        if (!IsPlausible(request))
        {
            var printableKeys = PenaltyKeys(Printable(request.Login));
            await WaitOutAsync(_penalties.DelayFor(countedNetwork, printableKeys), cancellationToken);
            _penalties.RecordFailure(countedNetwork, printableKeys);
            return new Decision(AuthOutcome.InvalidCredentials, null, CountsAsFailure: true, PasswordMatched: false);
        }

        var penaltyKeys = PenaltyKeys(request.Login);
        await WaitOutAsync(_penalties.DelayFor(countedNetwork, penaltyKeys), cancellationToken);

        AccountCredentials? credentials;
        try
        {
            credentials = await _accounts.FindCredentialsByLoginOrAddressAsync(request.Login, cancellationToken);
        }
        catch (Exception e) when (IsDatabaseFailure(e, cancellationToken))
        {
            LogDatabaseUnreachable(_logger, request.Login, e.Message);
            return new Decision(AuthOutcome.TemporaryFailure, null);
        }

        if (!Protection.IsProtected(security) && security.Node.PlaintextAccounts == PlaintextAccounts.LegacyDevices
            && credentials?.Account.LegacyDevice != true)
        {
            // Refused unchecked as above, and delaying the network's next answer for the same reason.
            _penalties.RecordFailure(countedNetwork);
            return new Decision(AuthOutcome.NotAllowedOnThisNode, credentials?.Account);
        }

        var account = credentials?.Account;
        var match = await VerifyAsync(request.Password, credentials, cancellationToken);
        if (account is null || !match)
        {
            _penalties.RecordFailure(countedNetwork, penaltyKeys);
            return new Decision(AuthOutcome.InvalidCredentials, account, CountsAsFailure: true, PasswordMatched: false);
        }

        if (account.Disabled)
        {
            _penalties.RecordFailure(countedNetwork, penaltyKeys);
            return new Decision(AuthOutcome.AccountDisabled, account, CountsAsFailure: true, PasswordMatched: true);
        }

        _penalties.RecordSuccess(penaltyKeys);
        await UpgradeAsync(request.Password, credentials!, cancellationToken);
        return new Decision(AuthOutcome.Success, account, PasswordMatched: true);
    }

    /// <summary>
    /// Checks the password: from the cache for an enabled account verified recently, otherwise a full
    /// hash computation, at most <see cref="AuthOptions.MaxConcurrentVerifications"/> at a time. An
    /// unknown login is checked against a dummy hash so that it costs the same.
    /// </summary>
    private async Task<bool> VerifyAsync(string password, AccountCredentials? credentials, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _passwordChecks);
        var storedHash = credentials?.PasswordHash ?? _hasher.DummyHash;
        var cacheable = credentials is { Account.Disabled: false };
        if (cacheable && _cache.Contains(storedHash, password))
        {
            Interlocked.Increment(ref _cacheHits);
            return true;
        }

        if (credentials is not null && PasswordHasher.SchemeOf(storedHash) is "PLAIN" or "CLEAR" or "CLEARTEXT")
        {
            LogPlainPasswordStored(_logger, credentials.Account.Login);
        }

        var check = await _verifications.RunAsync(() =>
        {
            Interlocked.Increment(ref _fullVerifications);
            return _hasher.Verify(password, storedHash);
        }, cancellationToken);

        if (check == PasswordCheck.Unverifiable && credentials is not null)
        {
            LogUnverifiableHash(_logger, credentials.Account.Login, PasswordHasher.SchemeOf(storedHash) is { Length: > 0 } scheme ? scheme : "unknown");

            // Refusing an unreadable hash costs nothing; the answer must still take as long as a wrong password's.
            await _verifications.RunAsync(() => _hasher.Verify(password, _hasher.DummyHash), cancellationToken);
        }

        var match = check == PasswordCheck.Match && credentials is not null;
        if (match && cacheable)
        {
            _cache.Add(storedHash, password);
        }

        return match;
    }

    /// <summary>Replaces an imported or weaker hash with Argon2id now that the password is known to be right.</summary>
    private async Task UpgradeAsync(string password, AccountCredentials credentials, CancellationToken cancellationToken)
    {
        if (!_hasher.NeedsUpgrade(credentials.PasswordHash))
        {
            return;
        }

        var upgraded = await _verifications.RunAsync(() => _hasher.Hash(password), cancellationToken);

        try
        {
            if (await _accounts.ReplacePasswordHashAsync(credentials.Account.Id, credentials.PasswordHash, upgraded, cancellationToken))
            {
                _cache.Add(upgraded, password);
                LogHashUpgraded(_logger, credentials.Account.Login, PasswordHasher.SchemeOf(credentials.PasswordHash) is { Length: > 0 } scheme ? scheme : "unknown");
            }
        }
        catch (Exception e) when (IsDatabaseFailure(e, cancellationToken))
        {
            // The login itself succeeded; the upgrade is tried again at the next one.
            LogUpgradeFailed(_logger, credentials.Account.Login, e.Message);
        }
    }

    private void Record(AuthRequest request, ConnectionSecurity security, IPNetwork? network, bool exempt, Decision decision)
    {
        // A password that crossed a network in clear: no TLS, not from a trusted network, not over a local socket.
        var exposed = !Protection.IsProtected(security) && !security.IsUnixSocket;
        var outcome = decision.AuditName;
        var attempt = new AuthAttempt(_time.GetUtcNow(), security.Node.NodeName, security.ListenerName, security.Protocol,
            security.RemoteAddress, network, Printable(request.Login), decision.Account?.Id, request.Mechanism, security.IsTls, exposed, outcome,
            exposed ? decision.PasswordMatched : null);
        var blockCandidate = decision.CountsAsFailure && !exempt ? network : null;
        if (exposed && decision.PasswordMatched is null)
        {
            // Refused unchecked: whether it was the real password is found out afterwards, off the client's path.
            _exposureChecks.Enqueue(attempt, blockCandidate, request.Login, request.Password);
        }
        else
        {
            _audit.Record(attempt, blockCandidate);
        }

        if (ReferenceEquals(decision, Decision.Abandoned))
        {
            return;
        }

        _metrics.Logins.Add(1, new KeyValuePair<string, object?>("protocol", security.Protocol),
            new KeyValuePair<string, object?>("outcome", outcome));
        if (decision.Outcome is AuthOutcome.PlaintextRefused or AuthOutcome.NotAllowedOnThisNode)
        {
            _metrics.PlaintextCredentialsRefused.Add(1, new KeyValuePair<string, object?>("protocol", security.Protocol),
                new KeyValuePair<string, object?>("listener", security.ListenerName));
            LogPasswordExposed(_logger, Printable(request.Login), security.ListenerName, security.RemoteEndPoint?.ToString() ?? "?", outcome);
        }
        else if (decision.Outcome == AuthOutcome.Success)
        {
            LogLogin(_logger, Printable(request.Login), security.ListenerName, security.RemoteEndPoint?.ToString() ?? "?", request.Mechanism,
                security.IsTls ? "tls" : "clear");
        }
        else
        {
            LogLoginFailed(_logger, Printable(request.Login), security.ListenerName, security.RemoteEndPoint?.ToString() ?? "?", request.Mechanism,
                outcome);
        }
    }

    private async Task WaitOutAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private IPNetwork? NetworkOf(ConnectionSecurity security) =>
        security.RemoteAddress is { } address ? ClientNetwork.Of(address, _options.IPv6PrefixLength) : null;

    /// <summary>
    /// The keys the per-login delay counts under: the login as the lookup reads it, as a login name
    /// (case-folded) and as an address (also trimmed), so that no change of case or white space escapes
    /// the delay. Only the spelling counts, never the account found: an unknown login could not share
    /// a delay with the account's other names, so a shared one would tell which names exist together.
    /// </summary>
    private static string[] PenaltyKeys(string login) =>
        new[] { AccountStore.LoginKey(login), AccountStore.AddressKey(login) }.Where(key => key.Length > 0).Distinct(StringComparer.Ordinal)
            .ToArray();

    /// <summary>
    /// Whether the credential could be an account's at all: anything else fails without a lookup. A
    /// password holding U+FFFD is what a front-end makes of octets that were not UTF-8; no account's
    /// password is made of them (<c>groupware user</c> refuses it).
    /// </summary>
    private static bool IsPlausible(AuthRequest request)
    {
        if (request.Login.Length is 0 or > MaxLoginLength || request.Password.Length is 0 or > MaxPasswordLength
            || request.Login.Contains('\0', StringComparison.Ordinal) || !IsWellFormed(request.Login) || !IsWellFormed(request.Password)
            || request.Password.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return false;
        }

        // RFC 4616 §2: acting as another identity is not offered; naming oneself is allowed.
        return string.IsNullOrEmpty(request.AuthorizationIdentity)
            || (IsWellFormed(request.AuthorizationIdentity)
                && AccountStore.LoginKey(request.AuthorizationIdentity) == AccountStore.LoginKey(request.Login));
    }

    /// <summary>Whether a string has no lone surrogates (it can be normalised and stored).</summary>
    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The login as recorded and logged: control characters and lone surrogates replaced, at most <see cref="MaxLoginLength"/> characters.</summary>
    private static string Printable(string login)
    {
        var builder = new StringBuilder(Math.Min(login.Length, MaxLoginLength));
        foreach (var rune in (login.Length > MaxLoginLength ? login[..MaxLoginLength] : login).EnumerateRunes())
        {
            builder.Append(Rune.IsControl(rune) || rune == Rune.ReplacementChar ? "\uFFFD" : rune.ToString());
        }

        return builder.ToString();
    }

    private static bool IsDatabaseFailure(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && DatabaseFailure.IsUnavailable(e);

    /// <summary>How an attempt ended, with what the audit log and the metrics record.</summary>
    /// <param name="Outcome">The answer.</param>
    /// <param name="Account">The account the login named, if looked up.</param>
    /// <param name="CountsAsFailure">Whether it counts toward the block list.</param>
    /// <param name="PasswordMatched">Whether the password was checked and was the account's: null when it was not checked.</param>
    private sealed record Decision(AuthOutcome Outcome, Account? Account, bool CountsAsFailure = false, bool? PasswordMatched = null)
    {
        /// <summary>The client went away (cancellation) before an answer; still recorded, for the exposure.</summary>
        public static readonly Decision Abandoned = new(AuthOutcome.TemporaryFailure, null);

        public string AuditName => ReferenceEquals(this, Abandoned) ? "abandoned" : Outcome switch
        {
            AuthOutcome.Success => "success",
            AuthOutcome.PlaintextRefused => "plaintext-refused",
            AuthOutcome.InvalidCredentials => "invalid-credentials",
            AuthOutcome.AccountDisabled => "account-disabled",
            AuthOutcome.NotAllowedOnThisNode => "not-allowed-on-this-node",
            AuthOutcome.Throttled => "throttled",
            _ => "temporary-failure",
        };
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Password of {Login} arrived without TLS on {Listener} from {Remote} and was refused unchecked ({Outcome}): treat it as exposed")]
    private static partial void LogPasswordExposed(ILogger logger, string login, string listener, string remote, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Login {Login} on {Listener} from {Remote} ({Mechanism}, {Transport})")]
    private static partial void LogLogin(ILogger logger, string login, string listener, string remote, string mechanism, string transport);

    [LoggerMessage(Level = LogLevel.Information, Message = "Login {Login} on {Listener} from {Remote} ({Mechanism}) failed: {Outcome}")]
    private static partial void LogLoginFailed(ILogger logger, string login, string listener, string remote, string mechanism, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The account store is unreachable; login {Login} answered with a temporary failure: {Reason}")]
    private static partial void LogDatabaseUnreachable(ILogger logger, string login, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Account {Login} has a clear-text {{PLAIN}} password in the database; it is replaced by Argon2id at its next successful login")]
    private static partial void LogPlainPasswordStored(ILogger logger, string login);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Account {Login} has a password hash in a scheme this server cannot verify ({Scheme}); set a new password with `groupware user passwd`")]
    private static partial void LogUnverifiableHash(ILogger logger, string login, string scheme);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password hash of {Login} upgraded from {Scheme} to Argon2id")]
    private static partial void LogHashUpgraded(ILogger logger, string login, string scheme);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store the upgraded password hash of {Login}: {Reason}")]
    private static partial void LogUpgradeFailed(ILogger logger, string login, string reason);
}
