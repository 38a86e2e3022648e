using System.Globalization;
using System.Net;
using Groupware.Auth;
using Groupware.Auth.Throttling;
using Groupware.Connections;
using Groupware.Storage.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Groupware.Tests.Auth;

/// <summary>
/// The failure delay (Dovecot's auth penalty): each failure from a client network or on a login
/// delays the next answer, doubling to a 15 s cap, and the delay is waited out inside
/// <see cref="AuthService.AuthenticateAsync"/>. Time is a fake clock: nothing here waits for real.
/// </summary>
public sealed class FailureDelayTests
{
    private static readonly IPNetwork Client = new(AuthFixtures.DocumentationAddress(30), 32);

    [Test]
    public void The_delay_doubles_with_each_failure_up_to_the_cap()
    {
        var penalties = new FailurePenalties(new AuthOptions(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        var delays = new List<double> { penalties.DelayFor(Client, "alice").TotalSeconds };
        for (var failure = 1; failure <= 6; failure++)
        {
            penalties.RecordFailure(Client, "alice");
            delays.Add(penalties.DelayFor(Client, "alice").TotalSeconds);
        }

        Assert.That(delays, Is.EqualTo(new double[] { 0, 2, 4, 8, 15, 15, 15 }));
    }

    [Test]
    public void The_delay_counts_per_network_and_per_login_and_takes_the_longer()
    {
        var penalties = new FailurePenalties(new AuthOptions(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        var other = new IPNetwork(AuthFixtures.DocumentationAddress(31), 32);
        penalties.RecordFailure(Client, "alice");
        penalties.RecordFailure(Client, "bob");
        penalties.RecordFailure(Client, "carol");
        Assert.Multiple(() =>
        {
            Assert.That(penalties.DelayFor(Client, "dave"), Is.EqualTo(TimeSpan.FromSeconds(8)), "three failures from this network");
            Assert.That(penalties.DelayFor(other, "alice"), Is.EqualTo(TimeSpan.FromSeconds(2)), "one failure on this login, from anywhere");
            Assert.That(penalties.DelayFor(null, "alice"), Is.EqualTo(TimeSpan.FromSeconds(2)), "an exempt client is still delayed on the login");
            Assert.That(penalties.DelayFor(other, "erin"), Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public void The_delay_is_forgotten_after_the_failure_memory()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var penalties = new FailurePenalties(new AuthOptions(), time);
        penalties.RecordFailure(Client, "alice");
        penalties.RecordFailure(Client, "alice");
        time.Advance(TimeSpan.FromSeconds(28));
        Assert.That(penalties.DelayFor(Client, "alice"), Is.EqualTo(TimeSpan.FromSeconds(4)));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(penalties.DelayFor(Client, "alice"), Is.EqualTo(TimeSpan.Zero), "29 s after the last failure, Dovecot's AUTH_PENALTY_TIMEOUT");
        penalties.RecordFailure(Client, "alice");
        Assert.That(penalties.DelayFor(Client, "alice"), Is.EqualTo(TimeSpan.FromSeconds(2)), "counting starts again");
    }

    [Test]
    public void A_success_clears_the_logins_penalty_but_not_the_networks()
    {
        var penalties = new FailurePenalties(new AuthOptions(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        penalties.RecordFailure(Client, "alice");
        penalties.RecordFailure(Client, "alice");
        penalties.RecordSuccess("alice");
        Assert.That(penalties.DelayFor(null, "alice"), Is.EqualTo(TimeSpan.Zero));
        Assert.That(penalties.DelayFor(Client, "alice"), Is.EqualTo(TimeSpan.FromSeconds(4)), "one good account must not clear a guesser's network");
    }

    [Test]
    public void The_memory_holds_at_most_MaxTrackedClients_entries()
    {
        var penalties = new FailurePenalties(new AuthOptions { MaxTrackedClients = 100 }, new FakeTimeProvider(DateTimeOffset.UtcNow));
        for (var i = 0; i < 1000; i++)
        {
            penalties.RecordFailure(new IPNetwork(new IPAddress(0x0A000000 + i), 32), $"user{i}");
        }

        Assert.That(penalties.Count, Is.LessThanOrEqualTo(100 + 2));
        Assert.That(penalties.DelayFor(new IPNetwork(new IPAddress(0x0A000000 + 999), 32), "user999"), Is.EqualTo(TimeSpan.FromSeconds(2)),
            "the newest failures are kept");
    }

    [Test]
    public async Task The_delay_is_waited_out_inside_AuthenticateAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var login = AuthFixtures.UniqueLogin("delayed");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true, remote: AuthFixtures.DocumentationAddress(32));
        var bound = TimeSpan.FromSeconds(30);

        var first = await auth.AuthenticateAsync(new AuthRequest(login, "wrong", "USER"), security, CancellationToken.None).WaitAsync(bound);
        Assert.That(first.Outcome, Is.EqualTo(AuthOutcome.InvalidCredentials), "no failure yet, no delay");

        var second = auth.AuthenticateAsync(new AuthRequest(login, "wrong", "USER"), security, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.That(second.IsCompleted, Is.False, "one failure: 2 s before the next answer");
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((await second.WaitAsync(bound)).Outcome, Is.EqualTo(AuthOutcome.InvalidCredentials));

        var third = auth.AuthenticateAsync(new AuthRequest(login, "right", "USER"), security, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(3999));
        Assert.That(third.IsCompleted, Is.False, "two failures: 4 s, even for the right password");
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((await third.WaitAsync(bound)).Outcome, Is.EqualTo(AuthOutcome.Success));
    }

    /// <summary>
    /// The lookup reads a login in any case and an address also with surrounding white space, so a
    /// guesser that varied the spelling would otherwise start each try on a fresh, undelayed key.
    /// </summary>
    [TestCase("{0}@example.test", "{0}@EXAMPLE.test ")]
    [TestCase("{0}@example.test", "\t{0}@example.test")]
    [TestCase(" {0}@Example.Test", "{0}@example.test")]
    [TestCase("{0}", "{0}")]
    public async Task The_delay_on_a_login_holds_for_every_spelling_of_it(string failedAs, string triedAs)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var login = AuthFixtures.UniqueLogin("spelled");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        var policy = node.Services.GetRequiredService<NodePolicy>();
        var failed = new AuthRequest(string.Format(CultureInfo.InvariantCulture, failedAs, login), "wrong", "USER");
        var tried = new AuthRequest(string.Format(CultureInfo.InvariantCulture, triedAs, login).ToUpperInvariant(), "right", "USER");

        var first = await auth.AuthenticateAsync(failed,
            AuthFixtures.Security(policy, tls: true, remote: AuthFixtures.DocumentationAddress(34)), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(first.Outcome, Is.EqualTo(AuthOutcome.InvalidCredentials));

        // Another network: only the login's penalty can delay this one.
        var elsewhere = AuthFixtures.Security(policy, tls: true, remote: AuthFixtures.DocumentationAddress(35));
        Assert.That(auth.FailureDelay(tried, elsewhere), Is.EqualTo(TimeSpan.FromSeconds(2)), $"one failure as '{failed.Login}' delays '{tried.Login}'");

        var second = auth.AuthenticateAsync(tried, elsewhere, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That((await second.WaitAsync(TimeSpan.FromSeconds(30))).Outcome, Is.EqualTo(AuthOutcome.Success), "the variant names the same account");
    }

    [Test]
    public async Task A_failure_of_an_unknown_login_delays_its_other_spellings_alike()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var policy = node.Services.GetRequiredService<NodePolicy>();
        var nobody = AuthFixtures.UniqueLogin("nobody");
        await auth.AuthenticateAsync(new AuthRequest($"{nobody}@example.test", "wrong", "USER"),
            AuthFixtures.Security(policy, tls: true, remote: AuthFixtures.DocumentationAddress(36)), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        // As for a known account: the answer must not tell whether the login named one.
        var elsewhere = AuthFixtures.Security(policy, tls: true, remote: AuthFixtures.DocumentationAddress(37));
        Assert.That(auth.FailureDelay(new AuthRequest($" {nobody.ToUpperInvariant()}@Example.Test", "x", "USER"), elsewhere),
            Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    /// <summary>
    /// A failure as the login name does not delay the account's address, nor the other way round:
    /// for an unknown login nothing could tie the two, so sharing the delay between an account's names
    /// would tell a prober which names exist together. The price is that each name of an account keeps
    /// its own delay.
    /// </summary>
    [Test]
    public async Task The_delay_does_not_tie_an_accounts_names_together()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var policy = node.Services.GetRequiredService<NodePolicy>();
        var login = AuthFixtures.UniqueLogin("known");
        var nobody = AuthFixtures.UniqueLogin("nobody");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        await auth.AuthenticateAsync(new AuthRequest(login, "wrong", "USER"),
            AuthFixtures.Security(policy, tls: true, remote: AuthFixtures.DocumentationAddress(38)), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await auth.AuthenticateAsync(new AuthRequest(nobody, "wrong", "USER"),
            AuthFixtures.Security(policy, tls: true, remote: AuthFixtures.DocumentationAddress(39)), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var elsewhere = AuthFixtures.Security(policy, tls: true, remote: AuthFixtures.DocumentationAddress(40));
        Assert.That(auth.FailureDelay(new AuthRequest($"{login}@example.test", "x", "USER"), elsewhere),
            Is.EqualTo(auth.FailureDelay(new AuthRequest($"{nobody}@example.test", "x", "USER"), elsewhere)));
    }

    /// <summary>
    /// Nothing is checked when clear text is refused, but each refusal is an audit record and a warning:
    /// without a delay one connection pipelining USER/PASS pairs had the node write about 30000 of each
    /// per second. The refusal waits like a failure from that network (not on the login: that would let
    /// anyone delay the account's owner) and still comes before anything is looked at.
    /// </summary>
    [Test]
    public async Task A_clear_text_refusal_delays_the_next_answer_to_that_network()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var login = AuthFixtures.UniqueLogin("cleartext");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        var policy = node.Services.GetRequiredService<NodePolicy>();
        var clear = AuthFixtures.Security(policy, tls: false, remote: AuthFixtures.DocumentationAddress(41));
        var request = new AuthRequest(login, "right", "USER");
        var checks = auth.PasswordChecks;

        var first = await auth.AuthenticateAsync(request, clear, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(first.Outcome, Is.EqualTo(AuthOutcome.PlaintextRefused));

        var second = auth.AuthenticateAsync(request, clear, CancellationToken.None);
        Assert.That(second.IsCompleted, Is.False, "one refusal: 2 s before the next answer to this network");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That((await second.WaitAsync(TimeSpan.FromSeconds(30))).Outcome, Is.EqualTo(AuthOutcome.PlaintextRefused));
        Assert.That(auth.PasswordChecks, Is.EqualTo(checks), "nothing was checked");

        var overTls = AuthFixtures.Security(policy, tls: true, remote: AuthFixtures.DocumentationAddress(42));
        Assert.That(auth.FailureDelay(request, overTls), Is.EqualTo(TimeSpan.Zero), "the account's owner elsewhere is not delayed");
    }

    /// <summary>
    /// A credential that cannot be an account's (here an empty password) is refused unchecked, but after
    /// the same wait as any failure: answered at once, a client could have one refusal audited after
    /// another as fast as it sends them.
    /// </summary>
    [Test]
    public async Task A_credential_refused_as_implausible_waits_like_any_failure()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true, remote: AuthFixtures.DocumentationAddress(45));
        var login = AuthFixtures.UniqueLogin("implausible");
        await auth.AuthenticateAsync(new AuthRequest(login, "wrong", "USER"), security, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var empty = auth.AuthenticateAsync(new AuthRequest(login, "", "USER"), security, CancellationToken.None);
        Assert.That(empty.IsCompleted, Is.False, "one failure: 2 s before the next answer");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That((await empty.WaitAsync(TimeSpan.FromSeconds(30))).Outcome, Is.EqualTo(AuthOutcome.InvalidCredentials));
        Assert.That(auth.FailureDelay(new AuthRequest(login, "x", "USER"), security), Is.EqualTo(TimeSpan.FromSeconds(4)), "and it counts");
    }

    /// <summary>
    /// A blocked network is refused unchecked, after the wait its failures earned; each refusal keeps
    /// that wait up, so a blocked client cannot have refusals audited as fast as it sends them either.
    /// </summary>
    [Test]
    public async Task A_blocked_network_waits_before_each_refusal()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n
            .Set("Auth:BlockThreshold", "1").ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true, remote: AuthFixtures.DocumentationAddress(44));
        var login = AuthFixtures.UniqueLogin("blocked");
        await auth.AuthenticateAsync(new AuthRequest(login, "wrong", "USER"), security, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var second = auth.AuthenticateAsync(new AuthRequest(login, "wrong", "USER"), security, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        await second.WaitAsync(TimeSpan.FromSeconds(30));
        await auth.FlushAuditAsync(CancellationToken.None);
        Assert.That(auth.Blocks.IsBlocked(new IPNetwork(AuthFixtures.DocumentationAddress(44), 32)), Is.True, "two failures, over the threshold of one");

        for (var (refusal, wait) = (0, 4); refusal < 3; refusal++, wait = Math.Min(wait * 2, 15))
        {
            var throttled = auth.AuthenticateAsync(new AuthRequest(login, "right", "USER"), security, CancellationToken.None);
            Assert.That(throttled.IsCompleted, Is.False, $"refusal {refusal + 1} waits {wait} s");
            time.Advance(TimeSpan.FromSeconds(wait));
            Assert.That((await throttled.WaitAsync(TimeSpan.FromSeconds(30))).Outcome, Is.EqualTo(AuthOutcome.Throttled));
        }
    }

    [Test]
    public async Task On_a_legacy_node_a_clear_text_refusal_delays_the_next_answer_to_that_network()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n
            .Set("Node:AllowPlaintextAuth", "true").ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var login = AuthFixtures.UniqueLogin("notdevice");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        var clear = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: false, remote: AuthFixtures.DocumentationAddress(43));
        var request = new AuthRequest(login, "right", "USER");

        var first = await auth.AuthenticateAsync(request, clear, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(first.Outcome, Is.EqualTo(AuthOutcome.NotAllowedOnThisNode));
        Assert.That(auth.FailureDelay(new AuthRequest("someone-else", "x", "USER"), clear), Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task A_client_that_goes_away_during_the_delay_is_recorded_as_abandoned()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var auth = node.Services.GetRequiredService<AuthService>();
        var login = AuthFixtures.UniqueLogin("gone");
        var listener = $"gone-{Guid.NewGuid():N}"[..20];
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        var security = AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true, remote: AuthFixtures.DocumentationAddress(33),
            listener: listener);
        await auth.AuthenticateAsync(new AuthRequest(login, "wrong", "USER"), security, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        using var disconnect = new CancellationTokenSource();
        var waiting = auth.AuthenticateAsync(new AuthRequest(login, "right", "USER"), security, disconnect.Token);
        await disconnect.CancelAsync();
        Assert.That(async () => await waiting.WaitAsync(TimeSpan.FromSeconds(30)), Throws.InstanceOf<OperationCanceledException>());

        var rows = await AuthFixtures.AuditRowsAsync(node.Services, listener);
        Assert.That(rows.Select(r => r.Outcome), Is.EqualTo(new[] { "invalid-credentials", "abandoned" }));
    }
}
