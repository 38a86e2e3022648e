using Groupware.Auth;
using Groupware.Auth.Passwords;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Mail;

namespace Groupware.Testing;

/// <summary>Accounts for tests and benchmarks, with real Argon2id hashes made by the auth module's hasher.</summary>
public static class TestAccounts
{
    private static readonly PasswordHasher Hasher = new(new AuthOptions());

    /// <summary>An Argon2id hash of <paramref name="password"/> with the default parameters.</summary>
    public static string Hash(string password) => Hasher.Hash(password);

    /// <summary>
    /// Creates an account (login <c>uXXXX</c>, address login@example.test) in the run's database,
    /// with its default mailboxes, as <c>groupware user add</c> does, with a STORAGE quota of
    /// <paramref name="quotaBytes"/> and a MESSAGE quota of <paramref name="quotaMessages"/> if given; returns the login.
    /// </summary>
    public static async Task<string> CreateAsync(string password, bool legacyDevice = false, string? connectionString = null,
        long? quotaBytes = null, long? quotaMessages = null)
    {
        var login = $"u{Guid.NewGuid():N}"[..16];
        await using var dataSource = Database.CreateDataSource(connectionString ?? TestDatabase.ConnectionString, "test");
        var account = await new AccountStore(dataSource).CreateAsync(
            new NewAccount(login, $"{login}@example.test", [], Hash(password), LegacyDevice: legacyDevice, QuotaBytes: quotaBytes,
                QuotaMessages: quotaMessages), CancellationToken.None);
        await new MailStore(dataSource).EnsureDefaultMailboxesAsync(account.Id, CancellationToken.None);
        return login;
    }
}
