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
    DateTimeOffset CreatedAt);

/// <summary>What <see cref="AccountStore.CreateAsync"/> needs; addresses are normalised by the store.</summary>
public sealed record NewAccount(
    string Login,
    string PrimaryAddress,
    IReadOnlyList<string> Aliases,
    string PasswordHash,
    string DisplayName = "",
    bool LegacyDevice = false,
    long? QuotaBytes = null);

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
               a.quota_bytes AS quotabytes, a.used_bytes AS usedbytes, a.password_changed_at AS passwordchangedat,
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
                INSERT INTO accounts (login, login_key, display_name, password_hash, legacy_device, quota_bytes)
                VALUES (@login, @loginKey, @displayName, @passwordHash, @legacyDevice, @quotaBytes)
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

    private async Task<List<AccountCredentials>> QueryAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AccountRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return rows.Select(r => new AccountCredentials(
            new Account(r.Id, r.Login, r.DisplayName, r.PrimaryAddress, r.Aliases, r.Disabled, r.LegacyDevice, r.QuotaBytes,
                r.UsedBytes, Utc(r.PasswordChangedAt), Utc(r.CreatedAt)),
            r.PasswordHash)).ToList();
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

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

        public DateTime PasswordChangedAt { get; set; }

        public DateTime CreatedAt { get; set; }

        public string PasswordHash { get; set; } = "";

        public string PrimaryAddress { get; set; } = "";

        public string[] Aliases { get; set; } = [];
    }
}
