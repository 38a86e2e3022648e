using Groupware.Storage.Accounts;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>Accounts: case-insensitive normalised logins, addresses unique across accounts.</summary>
public sealed class AccountStoreTests
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

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..20];

    [Test]
    public async Task A_login_is_found_whatever_its_case_and_normal_form()
    {
        var suffix = Unique("");
        // "Jürgen" with a precomposed ü; looked up with a combining diaeresis and other case.
        var created = await _store.CreateAsync(new NewAccount($"J\u00fcrgen{suffix}", $"j{suffix}@example.com", [], "{PLAIN}x"), CancellationToken.None);
        var found = await _store.FindByLoginAsync($"JU\u0308RGEN{suffix.ToUpperInvariant()}", CancellationToken.None);
        Assert.That(found?.Id, Is.EqualTo(created.Id));
    }

    [Test]
    public async Task Addresses_and_aliases_resolve_to_their_account_case_insensitively()
    {
        var name = Unique("a");
        var account = await _store.CreateAsync(new NewAccount(name, $"{name}@Example.com", [$"alias-{name}@example.com"], "{PLAIN}x"), CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(account.PrimaryAddress, Is.EqualTo($"{name}@example.com"));
            Assert.That(account.Aliases, Is.EqualTo(new[] { $"alias-{name}@example.com" }));
            Assert.That((await _store.FindByAddressAsync($"{name.ToUpperInvariant()}@EXAMPLE.COM", CancellationToken.None))?.Id, Is.EqualTo(account.Id));
            Assert.That((await _store.FindByAddressAsync($"alias-{name}@example.com", CancellationToken.None))?.Id, Is.EqualTo(account.Id));
            Assert.That(await _store.FindByAddressAsync($"nobody-{name}@example.com", CancellationToken.None), Is.Null);
        });
    }

    [Test]
    public async Task A_taken_login_or_address_is_a_conflict_and_nothing_is_half_created()
    {
        var name = Unique("c");
        await _store.CreateAsync(new NewAccount(name, $"{name}@example.com", [], "{PLAIN}x"), CancellationToken.None);

        Assert.ThrowsAsync<AccountConflictException>(() =>
            _store.CreateAsync(new NewAccount(name.ToUpperInvariant(), $"other-{name}@example.com", [], "{PLAIN}x"), CancellationToken.None));
        var other = Unique("d");
        Assert.ThrowsAsync<AccountConflictException>(() =>
            _store.CreateAsync(new NewAccount(other, $"{other}@example.com", [$"{name}@example.com"], "{PLAIN}x"), CancellationToken.None));
        Assert.That(await _store.FindByLoginAsync(other, CancellationToken.None), Is.Null, "the account whose alias clashed was rolled back");
        Assert.That(await _store.FindByAddressAsync($"{other}@example.com", CancellationToken.None), Is.Null);
    }
}
