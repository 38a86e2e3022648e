using System.Net;
using Groupware.Auth;
using Groupware.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Groupware.Tests.Auth;

/// <summary>
/// The block list shared by all nodes through PostgreSQL (Stalwart's auto-ban): more than
/// Auth:BlockThreshold failures from one client network, counted over every node, block it on every
/// node; each node learns of a block by NOTIFY and keeps the list in memory. Nodes here share a
/// database of their own, so that their blocks touch no other test.
/// </summary>
public sealed class BlockListTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private string _database = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await TestDatabase.CreateDatabaseAsync("blocks");

    [OneTimeTearDown]
    public async Task DropDatabaseAsync() => await TestDatabase.DropDatabaseAsync(_database);

    private Task<TestNode> StartNodeAsync(string name, Action<TestNodeOptions>? more = null) =>
        AuthFixtures.StartNodeAsync(n =>
        {
            n.ConnectionString = _database;
            n.Set("Node:Name", name).Set("Auth:BlockThreshold", "3").Set("Auth:FailureDelayMilliseconds", "0");
            more?.Invoke(n);
        });

    private static async Task<AuthOutcome> LoginAsync(TestNode node, string login, string password, IPAddress client, bool tls = true) =>
        (await node.Services.GetRequiredService<AuthService>().AuthenticateAsync(new AuthRequest(login, password, "PLAIN"),
            AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls, client), CancellationToken.None)).Outcome;

    private static async Task FailAsync(TestNode node, string login, IPAddress client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.That(await LoginAsync(node, login, "wrong", client), Is.EqualTo(AuthOutcome.InvalidCredentials));
        }

        await node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);
    }

    /// <summary>Waits, at most <see cref="Bound"/> in 50 ms steps, for a node to learn of a block.</summary>
    private static async Task<bool> LearnsBlockAsync(TestNode node, IPAddress client)
    {
        var blocks = node.Services.GetRequiredService<AuthService>().Blocks;
        var network = new IPNetwork(client, 32);
        for (var step = 0; step < Bound.TotalMilliseconds / 50 && !blocks.IsBlocked(network); step++)
        {
            await Task.Delay(50);
        }

        return blocks.IsBlocked(network);
    }

    [Test]
    public async Task Failures_on_one_node_block_the_client_on_every_node_even_with_the_right_password()
    {
        await using var a = await StartNodeAsync("block-a");
        await using var b = await StartNodeAsync("block-b");
        var login = AuthFixtures.UniqueLogin("blocked");
        await AuthFixtures.CreateAccountAsync(a.Services, login, "right");
        var client = AuthFixtures.DocumentationAddress(50);

        await FailAsync(a, login, client, 4);
        var authA = a.Services.GetRequiredService<AuthService>();
        var checks = authA.PasswordChecks;
        Assert.That(await LoginAsync(a, login, "right", client), Is.EqualTo(AuthOutcome.Throttled));
        Assert.That(authA.PasswordChecks, Is.EqualTo(checks), "a blocked client's password is not looked at");

        Assert.That(await LearnsBlockAsync(b, client), Is.True, "node b learns the block through the database");
        Assert.That(await LoginAsync(b, login, "right", client), Is.EqualTo(AuthOutcome.Throttled));
        Assert.That(await LoginAsync(b, login, "right", AuthFixtures.DocumentationAddress(51)), Is.EqualTo(AuthOutcome.Success),
            "another client is not blocked");
    }

    [Test]
    public async Task Failures_are_counted_over_all_nodes_together()
    {
        await using var a = await StartNodeAsync("count-a");
        await using var b = await StartNodeAsync("count-b");
        var login = AuthFixtures.UniqueLogin("counted");
        await AuthFixtures.CreateAccountAsync(a.Services, login, "right");
        var client = AuthFixtures.DocumentationAddress(52);

        await FailAsync(a, login, client, 2);
        await FailAsync(b, login, client, 1);
        Assert.That(await LoginAsync(a, login, "right", client), Is.EqualTo(AuthOutcome.Success), "three failures are not more than three");
        await FailAsync(b, login, client, 1);
        Assert.That(await LearnsBlockAsync(a, client), Is.True, "the fourth failure, on another node, blocks the client on this one");
    }

    [Test]
    public async Task A_node_that_starts_later_knows_the_blocks_at_once()
    {
        var login = AuthFixtures.UniqueLogin("later");
        var client = AuthFixtures.DocumentationAddress(53);
        await using (var a = await StartNodeAsync("early"))
        {
            await AuthFixtures.CreateAccountAsync(a.Services, login, "right");
            await FailAsync(a, login, client, 4);
        }

        await using var later = await StartNodeAsync("later");
        Assert.That(later.Services.GetRequiredService<AuthService>().Blocks.IsBlocked(new IPNetwork(client, 32)), Is.True);
        Assert.That(await LoginAsync(later, login, "right", client), Is.EqualTo(AuthOutcome.Throttled));
    }

    [Test]
    public async Task Loopback_and_trusted_networks_are_never_blocked()
    {
        await using var node = await StartNodeAsync("exempt", n => n.Set("Node:TrustedNetworks:0", "198.51.100.0/24"));
        var login = AuthFixtures.UniqueLogin("exempt");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        var trusted = IPAddress.Parse("198.51.100.7");

        await FailAsync(node, login, IPAddress.Loopback, 5);
        await FailAsync(node, login, trusted, 5);
        var blocks = node.Services.GetRequiredService<AuthService>().Blocks;
        Assert.That(blocks.Blocked, Has.None.Matches<IPNetwork>(n => n.Contains(IPAddress.Loopback) || n.Contains(trusted)));
        Assert.That(await LoginAsync(node, login, "right", IPAddress.Loopback), Is.EqualTo(AuthOutcome.Success));
        Assert.That(await LoginAsync(node, login, "right", trusted, tls: false), Is.EqualTo(AuthOutcome.Success),
            "a trusted network counts as protected even in clear text");
    }

    [Test]
    public async Task An_IPv6_client_is_blocked_by_its_64_bit_prefix()
    {
        await using var node = await StartNodeAsync("ipv6");
        var login = AuthFixtures.UniqueLogin("ipv6");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");

        // RFC 3849's documentation prefix, as a value only: a client rotating addresses within its /64.
        for (var host = 1; host <= 4; host++)
        {
            await FailAsync(node, login, IPAddress.Parse($"2001:db8:1:2::{host}"), 1);
        }

        Assert.That(await LoginAsync(node, login, "right", IPAddress.Parse("2001:db8:1:2::99")), Is.EqualTo(AuthOutcome.Throttled));
        Assert.That(await LoginAsync(node, login, "right", IPAddress.Parse("2001:db8:1:3::1")), Is.EqualTo(AuthOutcome.Success));
    }

    [Test]
    public async Task A_block_ends_after_its_duration()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await StartNodeAsync("expiry", n => n
            .Set("Auth:BlockDurationMinutes", "30")
            .ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        var login = AuthFixtures.UniqueLogin("expiry");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "right");
        var client = AuthFixtures.DocumentationAddress(54);

        await FailAsync(node, login, client, 4);
        Assert.That(await LoginAsync(node, login, "right", client), Is.EqualTo(AuthOutcome.Throttled));
        time.Advance(TimeSpan.FromMinutes(29));
        Assert.That(await LoginAsync(node, login, "right", client), Is.EqualTo(AuthOutcome.Throttled));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await LoginAsync(node, login, "right", client), Is.EqualTo(AuthOutcome.Success));
    }
}
