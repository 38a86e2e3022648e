using Dapper;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>
/// The maildrop lease (RFC 1939 §4: one POP3 session per maildrop, across every node sharing the
/// database): held once, released at once on dispose, kept through a lost connection pool, taken
/// over only once expired, renewed on schedule by one statement per node, and given up when the
/// node cannot confirm it. The renewal loop runs on a fake clock: nothing here waits for real time
/// to pass, and every round is awaited before its effect is checked.
/// </summary>
public sealed class MaildropLeaseTests
{
    private static readonly MaildropLeaseOptions Defaults = new();
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(30);

    private NpgsqlDataSource _data = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _data = await MailAccounts.OpenAsync();

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _data.DisposeAsync();

    [Test]
    public async Task A_maildrop_is_leased_once_across_nodes_and_free_again_as_soon_as_its_lease_is_released()
    {
        var account = await MailAccounts.CreateAsync(_data, "lease");
        var other = await MailAccounts.CreateAsync(_data, "lease");
        await using var secondData = Database.CreateDataSource(TestDatabase.ConnectionString, "node2");
        await using var first = Node(_data, "node1", new FakeTimeProvider());
        await using var second = Node(secondData, "node2", new FakeTimeProvider());

        var held = await first.TryAcquireAsync(account.Id, CancellationToken.None);
        Assert.That(held, Is.Not.Null);
        Assert.That(await first.TryAcquireAsync(account.Id, CancellationToken.None), Is.Null, "same node");
        Assert.That(await second.TryAcquireAsync(account.Id, CancellationToken.None), Is.Null, "another node");
        var unrelated = await second.TryAcquireAsync(other.Id, CancellationToken.None);
        Assert.That(unrelated, Is.Not.Null, "other accounts are not affected");
        await unrelated!.DisposeAsync();
        Assert.That(await RowAsync(account.Id), Is.EqualTo((held!.Holder, "node1")));

        await held.DisposeAsync();
        Assert.That(await RowAsync(account.Id), Is.Null, "released when dispose completes, not when it expires");
        Assert.That(held.Loss, Is.Null, "a lease released is not a lease lost");
        await using var again = await second.TryAcquireAsync(account.Id, CancellationToken.None);
        Assert.That(again, Is.Not.Null);
        Assert.That(await RowAsync(account.Id), Is.EqualTo((again!.Holder, "node2")));
    }

    [Test]
    public async Task A_lease_survives_the_loss_of_every_connection_and_still_blocks_another_node()
    {
        var database = await TestDatabase.CreateDatabaseAsync("lease");
        try
        {
            await using var data = await MailAccounts.OpenAsync(database);
            var account = await MailAccounts.CreateAsync(data, "restart");
            var time = new FakeTimeProvider();
            await using var node = Node(data, "node1", time);
            await using var lease = await node.TryAcquireAsync(account.Id, CancellationToken.None);
            var acquired = await ExpiresAtAsync(data, account.Id);

            // What a PostgreSQL restart does to the node: every server session ends, and the
            // connections Npgsql kept are dropped (it discards each broken one it finds).
            var terminated = await TerminateBackendsAsync(database);
            Assert.That(terminated, Is.GreaterThan(0), "the node's pooled connection was terminated");
            NpgsqlConnection.ClearAllPools();
            data.Clear();

            await using var otherData = Database.CreateDataSource(database, "node2");
            await using var other = Node(otherData, "node2", new FakeTimeProvider());
            Assert.That(await other.TryAcquireAsync(account.Id, CancellationToken.None), Is.Null, "the lease outlived every server session");

            await AdvanceRoundAsync(node, time, Defaults.RenewInterval);
            Assert.That(lease!.Loss, Is.Null);
            Assert.That(await ExpiresAtAsync(data, account.Id), Is.GreaterThan(acquired), "renewed over new connections");
            Assert.That(await other.TryAcquireAsync(account.Id, CancellationToken.None), Is.Null);
        }
        finally
        {
            await TestDatabase.DropDatabaseAsync(database);
        }
    }

    [Test]
    public async Task An_expired_lease_is_taken_over_and_its_old_holder_learns_it_at_its_next_renewal()
    {
        var account = await MailAccounts.CreateAsync(_data, "takeover");
        var firstTime = new FakeTimeProvider();
        await using var first = Node(_data, "node1", firstTime);
        await using var second = Node(_data, "node2", new FakeTimeProvider());
        await using var third = Node(_data, "node3", new FakeTimeProvider());
        var stale = await first.TryAcquireAsync(account.Id, CancellationToken.None);
        var lostFired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = stale!.Lost.Register(() => lostFired.TrySetResult());

        Assert.That(await second.TryAcquireAsync(account.Id, CancellationToken.None), Is.Null, "not while it lives");
        await ExpireAsync(account.Id);
        await using var successor = await second.TryAcquireAsync(account.Id, CancellationToken.None);
        Assert.That(successor, Is.Not.Null, "taken over once expired");
        Assert.That(await RowAsync(account.Id), Is.EqualTo((successor!.Holder, "node2")));
        Assert.That(stale.Loss, Is.Null, "the old holder cannot know before its next renewal");

        await AdvanceRoundAsync(first, firstTime, Defaults.RenewInterval);
        await lostFired.Task.WaitAsync(RoundTimeout);
        Assert.That(stale.Lost.IsCancellationRequested, Is.True);
        Assert.That(stale.Loss, Is.EqualTo(LeaseLoss.TakenOver));
        Assert.That(successor.Loss, Is.Null);

        await stale.DisposeAsync();
        Assert.That(await RowAsync(account.Id), Is.EqualTo((successor.Holder, "node2")), "the old holder does not release its successor's row");
        Assert.That(await third.TryAcquireAsync(account.Id, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Every_lease_of_a_node_is_renewed_once_per_interval_to_a_full_lifetime()
    {
        var account = await MailAccounts.CreateAsync(_data, "renew");
        var time = new FakeTimeProvider();
        await using var node = Node(_data, "node1", time);
        await using var lease = await node.TryAcquireAsync(account.Id, CancellationToken.None);
        var expiries = new List<DateTime> { await ExpiresAtAsync(_data, account.Id) };

        for (var round = 0; round < 3; round++)
        {
            await AdvanceRoundAsync(node, time, Defaults.RenewInterval);
            expiries.Add(await ExpiresAtAsync(_data, account.Id));
        }

        Assert.That(expiries, Is.Ordered.Ascending.And.Unique, "each round moved expires_at");
        await using var connection = await _data.OpenConnectionAsync();
        var left = await connection.ExecuteScalarAsync<TimeSpan>("SELECT expires_at - now() FROM maildrop_leases WHERE account_id = @id",
            new { id = account.Id });
        Assert.That(left, Is.InRange(Defaults.Lifetime - TimeSpan.FromSeconds(5), Defaults.Lifetime), "now() + Lifetime on the database's clock");
        Assert.That(lease!.Loss, Is.Null);
    }

    [Test]
    public async Task A_lease_whose_renewals_fail_until_its_confirmed_expiry_is_given_up_as_unconfirmed()
    {
        var database = await TestDatabase.CreateDatabaseAsync("lease");
        var dropped = false;
        try
        {
            await using var data = await MailAccounts.OpenAsync(database);
            var account = await MailAccounts.CreateAsync(data, "outage");
            var time = new FakeTimeProvider();
            await using var node = Node(data, "node1", time);
            var lease = await node.TryAcquireAsync(account.Id, CancellationToken.None);

            // The database goes away for good: every renewal from now on fails.
            await TestDatabase.DropDatabaseAsync(database);
            dropped = true;

            // Confirmed until acquisition + Lifetime - ExpiryMargin (80 s): the renewals at 30 s and
            // 60 s fail, the lease holds; at 80 s the node can no longer vouch for it.
            await AdvanceRoundAsync(node, time, Defaults.RenewInterval);
            Assert.That(lease!.Loss, Is.Null, "one failed renewal is tolerated");
            await AdvanceRoundAsync(node, time, Defaults.RenewInterval);
            Assert.That(lease.Loss, Is.Null, "two failed renewals are tolerated");
            Assert.That(lease.Lost.IsCancellationRequested, Is.False);

            var confirmed = Defaults.Lifetime - Defaults.ExpiryMargin - 2 * Defaults.RenewInterval;
            await AdvanceRoundAsync(node, time, confirmed);
            Assert.That(lease.Loss, Is.EqualTo(LeaseLoss.Unconfirmed));
            Assert.That(lease.Lost.IsCancellationRequested, Is.True);
            Assert.That(node.Count, Is.Zero, "no longer renewed");

            Assert.DoesNotThrowAsync(async () => await lease.DisposeAsync(), "a release the database cannot take is logged, not thrown");
        }
        finally
        {
            if (!dropped)
            {
                await TestDatabase.DropDatabaseAsync(database);
            }
        }
    }

    [Test]
    public async Task Two_thousand_leases_through_a_pool_of_twenty_are_all_acquired_and_renewed_in_one_round()
    {
        const int leases = 2_000;
        var pooled = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { MaxPoolSize = 20 }.ConnectionString;
        await using var data = Database.CreateDataSource(pooled, "many");
        var accounts = await MailAccounts.CreateManyAsync(data, "many", leases);
        var time = new FakeTimeProvider();
        await using var node = Node(data, "many", time);

        var held = await Task.WhenAll(accounts.Select(id => node.TryAcquireAsync(id, CancellationToken.None))).WaitAsync(RoundTimeout);
        Assert.That(held, Has.All.Not.Null);
        Assert.That(node.Count, Is.EqualTo(leases));

        await using var connection = await _data.OpenConnectionAsync();
        var latestAcquired = await connection.ExecuteScalarAsync<DateTime>(
            "SELECT max(expires_at) FROM maildrop_leases WHERE account_id = ANY(@accounts)", new { accounts });
        await AdvanceRoundAsync(node, time, Defaults.RenewInterval);
        var renewed = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM maildrop_leases WHERE account_id = ANY(@accounts) AND node = 'many' AND expires_at > @latestAcquired",
            new { accounts, latestAcquired });
        Assert.That(renewed, Is.EqualTo(leases), "one round renewed every lease");
        Assert.That(held, Has.All.Matches<MaildropLease>(l => l.Loss is null));

        await Task.WhenAll(held.Select(l => l!.DisposeAsync().AsTask())).WaitAsync(RoundTimeout);
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM maildrop_leases WHERE account_id = ANY(@accounts)",
            new { accounts }), Is.Zero);
    }

    [Test]
    public async Task A_node_that_stops_releases_the_leases_its_sessions_left_and_marks_them_stopped()
    {
        var account = await MailAccounts.CreateAsync(_data, "stop");
        var node = Node(_data, "node1", new FakeTimeProvider());
        var left = await node.TryAcquireAsync(account.Id, CancellationToken.None);

        await node.DisposeAsync();
        Assert.That(left!.Loss, Is.EqualTo(LeaseLoss.Stopped));
        Assert.That(await RowAsync(account.Id), Is.Null);
        Assert.ThrowsAsync<ObjectDisposedException>(() => node.TryAcquireAsync(account.Id, CancellationToken.None));
        await left.DisposeAsync();
    }

    private static MaildropLeases Node(NpgsqlDataSource data, string name, TimeProvider time) =>
        new(data, name, Defaults, time, NullLogger<MaildropLeases>.Instance);

    /// <summary>Moves the node's clock on and waits (bounded) until its renewal loop has acted on it.</summary>
    private static async Task AdvanceRoundAsync(MaildropLeases node, FakeTimeProvider time, TimeSpan by)
    {
        var round = node.NextRoundAsync();
        time.Advance(by);
        await round.WaitAsync(RoundTimeout);
    }

    private async Task<(Guid Holder, string Node)?> RowAsync(long accountId)
    {
        await using var connection = await _data.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(Guid, string)>("SELECT holder, node FROM maildrop_leases WHERE account_id = @accountId",
            new { accountId });
        return rows.Select(r => ((Guid, string)?)r).SingleOrDefault();
    }

    private static async Task<DateTime> ExpiresAtAsync(NpgsqlDataSource data, long accountId)
    {
        await using var connection = await data.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<DateTime>("SELECT expires_at FROM maildrop_leases WHERE account_id = @accountId",
            new { accountId });
    }

    private async Task ExpireAsync(long accountId)
    {
        await using var connection = await _data.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            UPDATE maildrop_leases SET acquired_at = now() - interval '2 minutes', expires_at = now() - interval '1 second'
            WHERE account_id = @accountId
            """, new { accountId });
    }

    private static async Task<long> TerminateBackendsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = @database AND pid <> pg_backend_pid()
            """, new { database = new NpgsqlConnectionStringBuilder(connectionString).Database });
    }
}
