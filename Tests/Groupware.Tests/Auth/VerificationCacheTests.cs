using Groupware.Auth;
using Groupware.Auth.Passwords;
using Groupware.Connections;
using Groupware.Storage.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Groupware.Tests.Auth;

/// <summary>
/// The verification cache: a repeated login skips the Argon2 run; a password changed on any node
/// stops the old one at once everywhere; disabled accounts and wrong passwords never use it.
/// </summary>
public sealed class VerificationCacheTests
{
    private TestNode _a = null!;
    private TestNode _b = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _a = await AuthFixtures.StartNodeAsync(n => n.Set("Node:Name", "cache-a").Set("Auth:FailureDelayMilliseconds", "0"));
        _b = await AuthFixtures.StartNodeAsync(n => n.Set("Node:Name", "cache-b").Set("Auth:FailureDelayMilliseconds", "0"));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private static Task<AuthResult> LoginAsync(TestNode node, string login, string password) =>
        node.Services.GetRequiredService<AuthService>().AuthenticateAsync(new AuthRequest(login, password, "PLAIN"),
            AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true), CancellationToken.None);

    [Test]
    public async Task A_repeated_login_is_answered_from_the_cache()
    {
        var auth = _a.Services.GetRequiredService<AuthService>();
        var login = AuthFixtures.UniqueLogin("cached");
        await AuthFixtures.CreateAccountAsync(_a.Services, login, "right");

        var full = auth.FullVerifications;
        Assert.That((await LoginAsync(_a, login, "right")).Outcome, Is.EqualTo(AuthOutcome.Success));
        Assert.That(auth.FullVerifications - full, Is.EqualTo(1));

        var hits = auth.CacheHits;
        full = auth.FullVerifications;
        Assert.That((await LoginAsync(_a, login, "right")).Outcome, Is.EqualTo(AuthOutcome.Success));
        Assert.That(auth.CacheHits - hits, Is.EqualTo(1));
        Assert.That(auth.FullVerifications, Is.EqualTo(full), "no second Argon2 run");
    }

    [Test]
    public async Task A_password_changed_on_another_node_stops_the_old_one_at_once()
    {
        var login = AuthFixtures.UniqueLogin("changed");
        var account = await AuthFixtures.CreateAccountAsync(_a.Services, login, "old-password");
        Assert.That((await LoginAsync(_a, login, "old-password")).Outcome, Is.EqualTo(AuthOutcome.Success));

        // What `groupware user passwd` does, through node b's services.
        var hasher = _b.Services.GetRequiredService<PasswordHasher>();
        await _b.Services.GetRequiredService<AccountStore>().SetPasswordHashAsync(account.Id, hasher.Hash("new-password"), CancellationToken.None);

        var auth = _a.Services.GetRequiredService<AuthService>();
        var hits = auth.CacheHits;
        Assert.That((await LoginAsync(_a, login, "old-password")).Outcome, Is.EqualTo(AuthOutcome.InvalidCredentials),
            "node a's entry for the old password is keyed by the old hash: unreachable");
        Assert.That((await LoginAsync(_a, login, "new-password")).Outcome, Is.EqualTo(AuthOutcome.Success));
        Assert.That(auth.CacheHits, Is.EqualTo(hits));
    }

    [Test]
    public async Task A_disabled_account_is_verified_in_full_even_after_a_cached_login()
    {
        var auth = _a.Services.GetRequiredService<AuthService>();
        var login = AuthFixtures.UniqueLogin("disabled");
        var account = await AuthFixtures.CreateAccountAsync(_a.Services, login, "right");
        await LoginAsync(_a, login, "right");
        await _a.Services.GetRequiredService<AccountStore>().SetDisabledAsync(account.Id, true, CancellationToken.None);

        var hits = auth.CacheHits;
        var full = auth.FullVerifications;
        Assert.That((await LoginAsync(_a, login, "right")).Outcome, Is.EqualTo(AuthOutcome.AccountDisabled));
        Assert.That(auth.CacheHits, Is.EqualTo(hits), "as slow as a wrong password");
        Assert.That(auth.FullVerifications - full, Is.EqualTo(1));
    }

    [Test]
    public void A_wrong_password_is_never_remembered_and_an_entry_expires_after_the_lifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new VerificationCache(new AuthOptions { CacheLifetimeSeconds = 300 }, time);
        cache.Add("{ARGON2ID}stored", "right");
        Assert.Multiple(() =>
        {
            Assert.That(cache.Contains("{ARGON2ID}stored", "right"), Is.True);
            Assert.That(cache.Contains("{ARGON2ID}stored", "wrong"), Is.False);
            Assert.That(cache.Contains("{ARGON2ID}other", "right"), Is.False, "another stored hash is another key");
        });
        time.Advance(TimeSpan.FromSeconds(299));
        Assert.That(cache.Contains("{ARGON2ID}stored", "right"), Is.True);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(cache.Contains("{ARGON2ID}stored", "right"), Is.False);
    }

    [Test]
    public void The_cache_holds_at_most_CacheMaxEntries_and_can_be_turned_off()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new VerificationCache(new AuthOptions { CacheMaxEntries = 2 }, time);
        cache.Add("h1", "p");
        cache.Add("h2", "p");
        cache.Add("h3", "p");
        Assert.That(cache.Count, Is.EqualTo(2));
        Assert.That(cache.Contains("h3", "p"), Is.False, "full of live entries: the new one is not kept");
        time.Advance(TimeSpan.FromSeconds(301));
        cache.Add("h3", "p");
        Assert.That(cache.Contains("h3", "p"), Is.True, "expired entries make room");

        var off = new VerificationCache(new AuthOptions { CacheLifetimeSeconds = 0 }, time);
        off.Add("h1", "p");
        Assert.That(off.Contains("h1", "p"), Is.False);
    }
}
