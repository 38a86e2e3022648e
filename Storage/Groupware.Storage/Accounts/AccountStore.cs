using System.Text;
using Dapper;
using Npgsql;

namespace Groupware.Storage.Accounts;

/// <summary>An account as the stores see it (never its password hash; see <see cref="AccountStore.FindCredentialsAsync"/>).</summary>
public sealed record Account(
    long Id,
    string Login,
    string DisplayName,
    string PrimaryAddress,
    IReadOnlyList<string> Aliases,
    bool Disabled,
    bool LegacyDevice,
    long? QuotaBytes,
    long UsedBytes,
    DateTimeOffset PasswordChangedAt,
    DateTimeOffset CreatedAt,
    long? QuotaMessages = null,
    long UsedMessages = 0);

/// <summary>What <see cref="AccountStore.CreateAsync"/> needs; addresses are normalised by the store.</summary>
public sealed record NewAccount(
    string Login,
    string PrimaryAddress,
    IReadOnlyList<string> Aliases,
    string PasswordHash,
    string DisplayName = "",
    bool LegacyDevice = false,
    long? QuotaBytes = null,
    long? QuotaMessages = null);

/// <summary>
/// An account whose password crossed a network in clear text: how often and when, and where the
/// last exposure came from (<c>node/listener</c>, client address or <c>unix</c>); of those exposures,
/// how many carried the account's current password (<see cref="Leaks"/>) and how many could not be
/// checked (<see cref="Unchecked"/>); the rest were wrong passwords, which anyone can send.
/// </summary>
public sealed record PasswordExposure(
    long AccountId,
    string Login,
    bool LegacyDevice,
    long Exposures,
    DateTimeOffset FirstAt,
    DateTimeOffset LastAt,
    string LastAddress,
    string LastListener,
    long Leaks = 0,
    long Unchecked = 0)
{
    /// <summary><c>leaked</c>: the current password crossed in clear; <c>unchecked</c>: it may have; <c>wrong-passwords</c>: only others did.</summary>
    public string Verdict => Leaks > 0 ? "leaked" : Unchecked > 0 ? "unchecked" : "wrong-passwords";
}

/// <summary>One attempt whose password crossed a network in clear text, for <c>user list --exposed --all</c>.</summary>
public sealed record ExposedAttempt(
    DateTimeOffset At,
    string Login,
    string? AccountLogin,
    string From,
    string Listener,
    string Mechanism,
    string Outcome,
    bool? PasswordMatched);

/// <summary>An account with the stored password hash, for the auth module only.</summary>
public sealed record AccountCredentials(Account Account, string PasswordHash);

/// <summary>A login name or an address is already taken.</summary>
public sealed class AccountConflictException(string message) : Exception(message);

/// <summary>
/// Accounts and their addresses in PostgreSQL. Logins are compared case-insensitively after
/// Unicode normalisation (<see cref="LoginKey"/>); addresses are stored lower-cased and are
/// unique across all accounts, primary and alias alike.
/// </summary>
public sealed class AccountStore(NpgsqlDataSource dataSource)
{
    private const string SelectAccount = """
        SELECT a.id, a.login, a.display_name AS displayname, a.disabled, a.legacy_device AS legacydevice,
               a.quota_bytes AS quotabytes, a.used_bytes AS usedbytes, a.quota_messages AS quotamessages,
               a.used_messages AS usedmessages, a.password_changed_at AS passwordchangedat,
               a.created_at AS createdat, a.password_hash AS passwordhash,
               COALESCE((SELECT address FROM account_addresses p WHERE p.account_id = a.id AND p.is_primary), '') AS primaryaddress,
               ARRAY(SELECT address FROM account_addresses s WHERE s.account_id = a.id AND NOT s.is_primary ORDER BY address) AS aliases
        FROM accounts a
        """;

    /// <summary>The lookup key of a login: NFKC-normalised (so that compatibility forms match) and lower-cased.</summary>
    public static string LoginKey(string login) => login.Normalize(NormalizationForm.FormKC).ToLowerInvariant();

    /// <summary>The stored form of an address: trimmed, NFC-normalised, lower-cased.</summary>
    public static string AddressKey(string address) => address.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();

    /// <summary>Creates an account with its primary address and aliases in one transaction.</summary>
    /// <exception cref="AccountConflictException">The login or one of the addresses is taken.</exception>
    public async Task<Account> CreateAsync(NewAccount account, CancellationToken cancellationToken)
    {
        var login = account.Login.Normalize(NormalizationForm.FormC);
        var primary = AddressKey(account.PrimaryAddress);
        var aliases = account.Aliases.Select(AddressKey).Where(a => a != primary).Distinct().ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long id;
        try
        {
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO accounts (login, login_key, display_name, password_hash, legacy_device, quota_bytes, quota_messages)
                VALUES (@login, @loginKey, @displayName, @passwordHash, @legacyDevice, @quotaBytes, @quotaMessages)
                RETURNING id
                """,
                new
                {
                    login,
                    loginKey = LoginKey(login),
                    displayName = account.DisplayName,
                    passwordHash = account.PasswordHash,
                    legacyDevice = account.LegacyDevice,
                    quotaBytes = account.QuotaBytes,
                    quotaMessages = account.QuotaMessages,
                }, transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new AccountConflictException($"an account named {login} already exists");
        }

        foreach (var (address, isPrimary) in aliases.Select(a => (a, false)).Prepend((primary, true)))
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO account_addresses (address, account_id, is_primary) VALUES (@address, @id, @isPrimary)",
                    new { address, id, isPrimary }, transaction, cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new AccountConflictException($"the address {address} already belongs to an account");
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (await FindByIdAsync(id, cancellationToken))!;
    }

    public async Task<Account?> FindByIdAsync(long id, CancellationToken cancellationToken) =>
        (await QueryAsync($"{SelectAccount} WHERE a.id = @id", new { id }, cancellationToken)).FirstOrDefault()?.Account;

    /// <summary>The account whose login matches <paramref name="login"/> case-insensitively.</summary>
    public async Task<Account?> FindByLoginAsync(string login, CancellationToken cancellationToken) =>
        (await FindCredentialsAsync(login, cancellationToken))?.Account;

    /// <summary>The account and its stored password hash; for the auth module.</summary>
    public async Task<AccountCredentials?> FindCredentialsAsync(string login, CancellationToken cancellationToken) =>
        (await QueryAsync($"{SelectAccount} WHERE a.login_key = @key", new { key = LoginKey(login) }, cancellationToken)).FirstOrDefault();

    /// <summary>The account an address (primary or alias, exactly as stored) delivers to.</summary>
    public async Task<Account?> FindByAddressAsync(string address, CancellationToken cancellationToken) =>
        (await QueryAsync($"{SelectAccount} WHERE a.id = (SELECT account_id FROM account_addresses WHERE address = @address)",
            new { address = AddressKey(address) }, cancellationToken)).FirstOrDefault()?.Account;

    /// <summary>Every account, ordered by login.</summary>
    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken) =>
        (await QueryAsync($"{SelectAccount} ORDER BY a.login_key", null, cancellationToken)).Select(c => c.Account).ToList();

    /// <summary>
    /// The account and its stored password hash for what a client typed as its login: the login
    /// name, or else one of the account's addresses (clients set up from an address often send it).
    /// A login name wins over another account's address.
    /// </summary>
    public async Task<AccountCredentials?> FindCredentialsByLoginOrAddressAsync(string login, CancellationToken cancellationToken) =>
        (await QueryAsync($"""
            {SelectAccount}
            WHERE a.login_key = @key OR a.id = (SELECT account_id FROM account_addresses WHERE address = @address)
            ORDER BY a.login_key = @key DESC
            LIMIT 1
            """, new { key = LoginKey(login), address = AddressKey(login) }, cancellationToken)).FirstOrDefault();

    /// <summary>Sets a new password hash (a password change); returns false when the account does not exist.</summary>
    public async Task<bool> SetPasswordHashAsync(long id, string passwordHash, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE accounts SET password_hash = @passwordHash, password_changed_at = now() WHERE id = @id",
            new { id, passwordHash }, cancellationToken) == 1;

    /// <summary>
    /// Replaces the stored hash of the same password with a stronger one (an imported hash upgraded
    /// after a successful login), only if it is still <paramref name="expected"/>: a password changed
    /// meanwhile is never overwritten. The password did not change, so neither does password_changed_at.
    /// </summary>
    public async Task<bool> ReplacePasswordHashAsync(long id, string expected, string passwordHash, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE accounts SET password_hash = @passwordHash WHERE id = @id AND password_hash = @expected",
            new { id, expected, passwordHash }, cancellationToken) == 1;

    /// <summary>Disables or enables an account; returns false when it does not exist.</summary>
    public async Task<bool> SetDisabledAsync(long id, bool disabled, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE accounts SET disabled = @disabled WHERE id = @id", new { id, disabled }, cancellationToken) == 1;

    /// <summary>Sets the legacy-device flag; returns false when the account does not exist.</summary>
    public async Task<bool> SetLegacyDeviceAsync(long id, bool legacyDevice, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE accounts SET legacy_device = @legacyDevice WHERE id = @id", new { id, legacyDevice }, cancellationToken) == 1;

    /// <summary>Sets the MESSAGE quota, a number of messages (null: unlimited); returns false when the account does not exist.</summary>
    public async Task<bool> SetMessageQuotaAsync(long id, long? quotaMessages, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE accounts SET quota_messages = @quotaMessages WHERE id = @id", new { id, quotaMessages }, cancellationToken) == 1;

    /// <summary>Sets the quota in bytes (null: unlimited); returns false when the account does not exist.</summary>
    public async Task<bool> SetQuotaAsync(long id, long? quotaBytes, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE accounts SET quota_bytes = @quotaBytes WHERE id = @id", new { id, quotaBytes }, cancellationToken) == 1;

    /// <summary>Sets the display name; returns false when the account does not exist.</summary>
    public async Task<bool> SetDisplayNameAsync(long id, string displayName, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE accounts SET display_name = @displayName WHERE id = @id", new { id, displayName }, cancellationToken) == 1;

    /// <summary>
    /// Deletes an account with everything that references it by cascade (addresses, and the stores'
    /// own rows, its blob references among them), and the message bodies no other account references
    /// (blobs carry no account, so no cascade reaches them); its audit records stay, without the
    /// account. Returns false when it does not exist.
    /// </summary>
    /// <remarks>
    /// Locks follow the mail store's order (blobs, then mailboxes, then the account), as an expunge
    /// does: a delivery sharing one of the bodies either commits first and keeps it, or waits and
    /// stores it anew. Once the account row is held nothing can add a message to it, so a body that
    /// arrived after the blobs were locked sends the transaction round again.
    /// </remarks>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var blobIds = (await connection.QueryAsync<long>(new CommandDefinition(
                "SELECT blob_id FROM blob_references WHERE account_id = @id ORDER BY blob_id", new { id }, transaction,
                cancellationToken: cancellationToken))).ToArray();
            await connection.ExecuteAsync(new CommandDefinition("""
                SELECT id FROM blobs WHERE id = ANY(@blobIds) ORDER BY id FOR UPDATE;
                SELECT id FROM mailboxes WHERE account_id = @id ORDER BY id FOR UPDATE;
                SELECT id FROM accounts WHERE id = @id FOR UPDATE;
                """, new { id, blobIds }, transaction, cancellationToken: cancellationToken));
            var arrived = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM blob_references WHERE account_id = @id AND blob_id <> ALL(@blobIds))", new { id, blobIds }, transaction,
                cancellationToken: cancellationToken));
            if (arrived && attempt < 10)
            {
                continue;
            }

            var deleted = await connection.ExecuteAsync(new CommandDefinition("DELETE FROM accounts WHERE id = @id", new { id }, transaction,
                cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM blobs b WHERE b.id = ANY(@blobIds) AND NOT EXISTS (SELECT 1 FROM blob_references r WHERE r.blob_id = b.id)",
                new { blobIds }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return deleted == 1;
        }
    }

    /// <summary>
    /// Accounts whose password crossed a network in clear text (audit records with <c>exposed</c>)
    /// since <paramref name="since"/>, or, when null, since each account's last password change:
    /// an exposure of a password already replaced no longer matters. Real leaks (the current password)
    /// first, then those that could not be checked, then accounts that only saw wrong passwords; most
    /// recent first within each.
    /// </summary>
    public async Task<IReadOnlyList<PasswordExposure>> ListExposedAsync(DateTimeOffset? since, long? accountId,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExposureRow>(new CommandDefinition("""
            SELECT a.id AS accountid, a.login, a.legacy_device AS legacydevice, count(*) AS exposures,
                   min(t.at) AS firstat, max(t.at) AS lastat,
                   (array_agg(COALESCE(host(t.remote_address), 'unix') ORDER BY t.at DESC))[1] AS lastaddress,
                   (array_agg(t.node || '/' || t.listener ORDER BY t.at DESC))[1] AS lastlistener,
                   count(*) FILTER (WHERE t.password_matched) AS leaks,
                   count(*) FILTER (WHERE t.password_matched IS NULL) AS unchecked
            FROM auth_attempts t
            JOIN accounts a ON a.id = t.account_id
            WHERE t.exposed
              AND t.at >= COALESCE(@since, a.password_changed_at)
              AND (@accountId IS NULL OR a.id = @accountId)
            GROUP BY a.id
            ORDER BY count(*) FILTER (WHERE t.password_matched) > 0 DESC, count(*) FILTER (WHERE t.password_matched IS NULL) > 0 DESC,
                     max(t.at) DESC, a.login_key
            """, new { since = since?.UtcDateTime, accountId }, cancellationToken: cancellationToken));
        return rows.Select(r => new PasswordExposure(r.AccountId, r.Login, r.LegacyDevice, r.Exposures, Utc(r.FirstAt), Utc(r.LastAt),
            r.LastAddress, r.LastListener, r.Leaks, r.Unchecked)).ToList();
    }

    /// <summary>
    /// Every attempt whose password crossed a network in clear text since <paramref name="since"/> (by
    /// default the last 30 days), whether or not the login names an account, most recent first, at most
    /// <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<ExposedAttempt>> ListExposedAttemptsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExposedAttemptRow>(new CommandDefinition("""
            SELECT t.at, t.login, a.login AS accountlogin, COALESCE(host(t.remote_address), 'unix') AS remote,
                   t.node || '/' || t.listener AS listener, t.mechanism, t.outcome, t.password_matched AS passwordmatched
            FROM auth_attempts t
            LEFT JOIN accounts a ON a.id = t.account_id
            WHERE t.exposed AND t.at >= @since
            ORDER BY t.at DESC, t.id DESC
            LIMIT @limit
            """, new { since = since.UtcDateTime, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new ExposedAttempt(Utc(r.At), r.Login, r.AccountLogin, r.Remote, r.Listener, r.Mechanism, r.Outcome,
            r.PasswordMatched)).ToList();
    }

    private async Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    private async Task<List<AccountCredentials>> QueryAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AccountRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return rows.Select(r => new AccountCredentials(
            new Account(r.Id, r.Login, r.DisplayName, r.PrimaryAddress, r.Aliases, r.Disabled, r.LegacyDevice, r.QuotaBytes,
                r.UsedBytes, Utc(r.PasswordChangedAt), Utc(r.CreatedAt), r.QuotaMessages, r.UsedMessages),
            r.PasswordHash)).ToList();
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>One result row of <see cref="ListExposedAsync"/>.</summary>
    private sealed class ExposureRow
    {
        public long AccountId { get; set; }

        public string Login { get; set; } = "";

        public bool LegacyDevice { get; set; }

        public long Exposures { get; set; }

        public DateTime FirstAt { get; set; }

        public DateTime LastAt { get; set; }

        public string LastAddress { get; set; } = "";

        public string LastListener { get; set; } = "";

        public long Leaks { get; set; }

        public long Unchecked { get; set; }
    }

    /// <summary>One result row of <see cref="ListExposedAttemptsAsync"/>.</summary>
    private sealed class ExposedAttemptRow
    {
        public DateTime At { get; set; }

        public string Login { get; set; } = "";

        public string? AccountLogin { get; set; }

        public string Remote { get; set; } = "";

        public string Listener { get; set; } = "";

        public string Mechanism { get; set; } = "";

        public string Outcome { get; set; } = "";

        public bool? PasswordMatched { get; set; }
    }

    /// <summary>One result row of <see cref="SelectAccount"/>; Dapper sets the properties by column name.</summary>
    private sealed class AccountRow
    {
        public long Id { get; set; }

        public string Login { get; set; } = "";

        public string DisplayName { get; set; } = "";

        public bool Disabled { get; set; }

        public bool LegacyDevice { get; set; }

        public long? QuotaBytes { get; set; }

        public long UsedBytes { get; set; }

        public long? QuotaMessages { get; set; }

        public long UsedMessages { get; set; }

        public DateTime PasswordChangedAt { get; set; }

        public DateTime CreatedAt { get; set; }

        public string PasswordHash { get; set; } = "";

        public string PrimaryAddress { get; set; } = "";

        public string[] Aliases { get; set; } = [];
    }
}
