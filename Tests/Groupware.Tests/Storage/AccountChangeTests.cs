using Groupware.Storage.Accounts;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>Changing accounts: password change and upgrade, flags, deletion, and lookup by login or address.</summary>
public sealed class AccountChangeTests
{
    private NpgsqlDataSource _dataSource = null!;
    private AccountStore _store = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _dataSource = await TestDatabase.OpenAsync();
        _store = new AccountStore(_dataSource);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _dataSource.DisposeAsync();

    private async Task<Account> CreateAsync(string? address = null)
    {
        var name = $"chg{Guid.NewGuid():N}"[..20];
        return await _store.CreateAsync(new NewAccount(name, address ?? $"{name}@example.test", [$"alias-{name}@example.test"], "{PLAIN}x"),
            CancellationToken.None);
    }

    [Test]
    public async Task An_upgrade_never_overwrites_a_password_changed_meanwhile()
    {
        var account = await CreateAsync();
        Assert.That(await _store.ReplacePasswordHashAsync(account.Id, "{PLAIN}x", "{ARGON2ID}upgraded", CancellationToken.None), Is.True);
        Assert.That(await _store.SetPasswordHashAsync(account.Id, "{ARGON2ID}changed", CancellationToken.None), Is.True);
        Assert.That(await _store.ReplacePasswordHashAsync(account.Id, "{ARGON2ID}upgraded", "{ARGON2ID}stale", CancellationToken.None), Is.False);
        Assert.That((await _store.FindCredentialsAsync(account.Login, CancellationToken.None))!.PasswordHash, Is.EqualTo("{ARGON2ID}changed"));
    }

    [Test]
    public async Task A_password_change_moves_password_changed_at_and_an_upgrade_does_not()
    {
        var account = await CreateAsync();
        await _store.ReplacePasswordHashAsync(account.Id, "{PLAIN}x", "{ARGON2ID}upgraded", CancellationToken.None);
        Assert.That((await _store.FindByIdAsync(account.Id, CancellationToken.None))!.PasswordChangedAt, Is.EqualTo(account.PasswordChangedAt));
        await _store.SetPasswordHashAsync(account.Id, "{ARGON2ID}changed", CancellationToken.None);
        Assert.That((await _store.FindByIdAsync(account.Id, CancellationToken.None))!.PasswordChangedAt, Is.GreaterThan(account.PasswordChangedAt));
    }

    [Test]
    public async Task Flags_quota_and_display_name_are_set()
    {
        var account = await CreateAsync();
        await _store.SetDisabledAsync(account.Id, true, CancellationToken.None);
        await _store.SetLegacyDeviceAsync(account.Id, true, CancellationToken.None);
        await _store.SetQuotaAsync(account.Id, 1L << 30, CancellationToken.None);
        await _store.SetDisplayNameAsync(account.Id, "Printer, 3rd floor", CancellationToken.None);
        var changed = (await _store.FindByIdAsync(account.Id, CancellationToken.None))!;
        Assert.That((changed.Disabled, changed.LegacyDevice, changed.QuotaBytes, changed.DisplayName),
            Is.EqualTo((true, true, (long?)(1L << 30), "Printer, 3rd floor")));
    }

    [Test]
    public async Task A_deleted_account_takes_its_addresses_with_it()
    {
        var account = await CreateAsync();
        Assert.That(await _store.DeleteAsync(account.Id, CancellationToken.None), Is.True);
        Assert.That(await _store.FindByAddressAsync(account.PrimaryAddress, CancellationToken.None), Is.Null);
        Assert.That(await _store.FindByAddressAsync(account.Aliases[0], CancellationToken.None), Is.Null);
        Assert.That(await _store.DeleteAsync(account.Id, CancellationToken.None), Is.False);
    }

    [Test]
    public async Task A_login_is_found_by_name_or_by_any_address_and_a_name_wins()
    {
        var account = await CreateAsync();
        Assert.That((await _store.FindCredentialsByLoginOrAddressAsync(account.PrimaryAddress.ToUpperInvariant(), CancellationToken.None))?.Account.Id,
            Is.EqualTo(account.Id));
        Assert.That((await _store.FindCredentialsByLoginOrAddressAsync(account.Aliases[0], CancellationToken.None))?.Account.Id, Is.EqualTo(account.Id));

        // An account whose login is another account's address: the login wins.
        var named = await _store.CreateAsync(new NewAccount(account.PrimaryAddress, $"other-{account.Login}@example.test", [], "{PLAIN}y"),
            CancellationToken.None);
        Assert.That((await _store.FindCredentialsByLoginOrAddressAsync(account.PrimaryAddress, CancellationToken.None))?.Account.Id, Is.EqualTo(named.Id));
    }
}
