using Dapper;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>
/// The change feed's NOTIFY comes from the trigger on mailboxes (Migrations/0006_imap.sql), so that
/// every writer sends it: each store operation causes exactly the notifications it should, each
/// one a payload <see cref="MailboxChange"/> parses, heard on a connection of its own; reads and
/// \Recent claims cause none.
/// </summary>
public sealed class ChangeFeedTriggerTests : ImapStoreTest
{
    [Test]
    public async Task Every_writing_operation_notifies_exactly_the_mailboxes_it_changed()
    {
        var account = await NewAccountAsync("trigger");
        var inbox = await MailboxAsync(account, "INBOX");
        await using var listener = await Listener.StartAsync(Data);

        Assert.That(await NamedAsync(account, await listener.DuringAsync(account, () => Store.CreateMailboxAsync(account, "T/U", null,
            CancellationToken.None))), Is.EqualTo(new[] { "T created", "T/U created" }));
        var t = await MailboxAsync(account, "T");
        var tu = await MailboxAsync(account, "T/U");

        var appended = await listener.DuringAsync(account, () => AppendAsync(account, "T", "Subject: a\r\n\r\na\r\n"));
        Assert.That(appended, Is.EqualTo(new[] { $"{account} {t.Id} 2 2" }), "messages: the four numbers nodes before 0006 parse");

        Assert.That(await listener.DuringAsync(account, () => Store.StoreFlagsAsync(account, t.Id, [1], FlagChange.Add, SystemFlags.Seen, ["K"], null,
            CancellationToken.None)), Is.EqualTo(new[] { $"{account} {t.Id} 3 2" }));
        Assert.That(await listener.DuringAsync(account, () => Store.StoreFlagsAsync(account, t.Id, [1], FlagChange.Add, SystemFlags.Seen, ["K"], null,
            CancellationToken.None)), Is.Empty, "a STORE that changes nothing sends nothing");

        Assert.That(await listener.DuringAsync(account, () => Store.CopyAsync(account, t.Id, [1], "INBOX", CancellationToken.None)),
            Is.EqualTo(new[] { $"{account} {inbox.Id} 2 2" }));
        var archive = await MailboxAsync(account, "Archive");
        Assert.That(await listener.DuringAsync(account, () => Store.MoveAsync(account, t.Id, [1], "Archive", CancellationToken.None)),
            Is.EquivalentTo(new[] { $"{account} {t.Id} 4 2", $"{account} {archive.Id} 2 2" }), "MOVE: the source and the target");

        await Store.StoreFlagsAsync(account, inbox.Id, [1], FlagChange.Add, SystemFlags.Deleted, [], null, CancellationToken.None);
        Assert.That(await listener.DuringAsync(account, () => Store.ExpungeDeletedAsync(account, inbox.Id, null, CancellationToken.None)),
            Is.EqualTo(new[] { $"{account} {inbox.Id} 4 2" }));

        Assert.That(await listener.DuringAsync(account, async () =>
        {
            await DeliverAsync("Subject: d\r\n\r\nd\r\n", account);
            await Store.ClaimRecentAsync(account, inbox.Id, CancellationToken.None);
            await Store.SetSubscribedAsync(account, "T", true, CancellationToken.None);
            await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None);
            await Store.StatusAsync(account, "INBOX", CancellationToken.None);
            await Store.SearchAsync(account, inbox.Id, MessageQuery.All, CancellationToken.None);
        }), Is.EqualTo(new[] { $"{account} {inbox.Id} 5 3" }), "the delivery only: \\Recent, subscriptions and reads change no mailbox");

        Assert.That(await listener.DuringAsync(account, () => Store.ExpungeAsync(account, inbox.Id, [2], CancellationToken.None)),
            Is.EqualTo(new[] { $"{account} {inbox.Id} 6 3" }), "POP3's expunge");

        Assert.That(await NamedAsync(account, await listener.DuringAsync(account, () => Store.RenameMailboxAsync(account, "T", "V",
            CancellationToken.None))), Is.EquivalentTo(new[] { "V renamed", "V/U renamed" }));
        Assert.That(await NamedAsync(account, await listener.DuringAsync(account, () => Store.DeleteMailboxAsync(account, "V", CancellationToken.None))),
            Is.EqualTo(new[] { "V deleted" }), "a mailbox turned placeholder is deleted for its sessions");
        Assert.That(await NamedAsync(account, await listener.DuringAsync(account, () => Store.CreateMailboxAsync(account, "V", null,
            CancellationToken.None))), Is.EqualTo(new[] { "V created" }), "a placeholder made a mailbox again is created");
        var gone = await listener.DuringAsync(account, async () =>
        {
            await Store.DeleteMailboxAsync(account, "V", CancellationToken.None);
            await Store.DeleteMailboxAsync(account, "V/U", CancellationToken.None);
        });
        Assert.That(gone.Select(p => string.Join(' ', p.Split(' ').Where((_, i) => i is 1 or 4))),
            Is.EqualTo(new[] { $"{t.Id} deleted", $"{tu.Id} deleted", $"{t.Id} deleted" }), "V became a placeholder, then went with V/U");

        await DeliverAsync("Subject: e\r\n\r\ne\r\n", account);
        var renamedInbox = await listener.DuringAsync(account, () => Store.RenameMailboxAsync(account, "INBOX", "Saved", CancellationToken.None));
        var saved = await MailboxAsync(account, "Saved");
        Assert.That(renamedInbox, Is.EquivalentTo(new[] { $"{account} {saved.Id} 1 2 created", $"{account} {inbox.Id} 8 4" }));
    }

    [Test]
    public async Task Raising_HIGHESTMODSEQ_is_all_any_writer_has_to_do_to_be_heard()
    {
        var account = await NewAccountAsync("plainsql");
        var inbox = await MailboxAsync(account, "INBOX");
        await using var listener = await Listener.StartAsync(Data);
        var heard = await listener.DuringAsync(account, async () =>
        {
            await using var connection = await Data.OpenConnectionAsync();
            await connection.ExecuteAsync("UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE account_id = @account AND id = @id",
                new { account, id = inbox.Id });
            await connection.ExecuteAsync("UPDATE mailboxes SET first_recent_uid = uid_next WHERE account_id = @account", new { account });
        });
        Assert.That(heard, Is.EqualTo(new[] { $"{account} {inbox.Id} 2 1" }));
    }

    [Test]
    public async Task The_feed_passes_on_what_kind_of_change_it_was_and_still_reads_the_old_form()
    {
        Assert.That(MailboxChange.Parse("1 2 3 4"), Is.EqualTo(new MailboxChange(1, 2, 3, 4, MailboxChangeKind.Messages)));
        Assert.That(MailboxChange.Parse("1 2 3 4 renamed"), Is.EqualTo(new MailboxChange(1, 2, 3, 4, MailboxChangeKind.Renamed)));
        Assert.That(MailboxChange.Parse("1 2 3 4 acl"), Is.EqualTo(new MailboxChange(1, 2, 3, 4, MailboxChangeKind.Messages)), "unknown: re-read");
        Assert.That(MailboxChange.Parse("1 2 3"), Is.Null);

        var account = await NewAccountAsync("feedkind");
        await using var other = Database.CreateDataSource(TestDatabase.ConnectionString, "feedkind-b");
        await using var feed = new MailChangeFeed(other, TimeProvider.System, NullLogger<MailChangeFeed>.Instance);
        using var subscription = feed.Subscribe(account);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await feed.WaitUntilListeningAsync(timeout.Token);

        await Store.CreateMailboxAsync(account, "Fresh", null, CancellationToken.None);
        await Store.RenameMailboxAsync(account, "Fresh", "Renamed", CancellationToken.None);
        await Store.DeleteMailboxAsync(account, "Renamed", CancellationToken.None);
        var kinds = new List<MailboxChangeKind>();
        for (var i = 0; i < 3; i++)
        {
            kinds.Add((await subscription.Changes.ReadAsync(timeout.Token)).Kind);
        }

        Assert.That(kinds, Is.EqualTo(new[] { MailboxChangeKind.Created, MailboxChangeKind.Renamed, MailboxChangeKind.Deleted }));
    }

    /// <summary>Payloads of lifecycle changes as "name kind", the mailbox found by its id among the account's (placeholders too).</summary>
    private async Task<List<string>> NamedAsync(long account, List<string> payloads)
    {
        var names = (await Store.ListMailboxesAsync(account, CancellationToken.None)).ToDictionary(m => m.Id, m => m.Name);
        return payloads.Select(p => p.Split(' ')).Select(p => p.Length == 5
            ? $"{names.GetValueOrDefault(long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), "?")} {p[4]}"
            : string.Join(' ', p)).ToList();
    }

    /// <summary>
    /// A LISTEN on its own connection. What an operation caused is what arrives before a marker
    /// notified after it: PostgreSQL delivers notifications in commit order.
    /// </summary>
    private sealed class Listener : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlDataSource _data;
        private readonly List<string> _payloads = [];

        private Listener(NpgsqlDataSource data, NpgsqlConnection connection)
        {
            _data = data;
            _connection = connection;
            _connection.Notification += (_, e) => _payloads.Add(e.Payload);
        }

        public static async Task<Listener> StartAsync(NpgsqlDataSource data)
        {
            var connection = await data.OpenConnectionAsync();
            await using (var listen = new NpgsqlCommand($"LISTEN {MailStore.ChangeChannel}", connection))
            {
                await listen.ExecuteNonQueryAsync();
            }

            return new Listener(data, connection);
        }

        /// <summary>The payloads about <paramref name="account"/> that <paramref name="operation"/> caused, in commit order.</summary>
        public async Task<List<string>> DuringAsync(long account, Func<Task> operation)
        {
            // Whatever earlier operations caused is received (and dropped) first.
            await ReceiveUpToMarkerAsync();
            _payloads.Clear();
            await operation();
            return (await ReceiveUpToMarkerAsync()).Where(p => p.StartsWith($"{account} ", StringComparison.Ordinal)).ToList();
        }

        /// <summary>Notifies a marker and receives everything committed before it (at most 10 s).</summary>
        private async Task<List<string>> ReceiveUpToMarkerAsync()
        {
            var marker = $"marker {Guid.NewGuid():N}";
            await using (var connection = await _data.OpenConnectionAsync())
            {
                await connection.ExecuteAsync("SELECT pg_notify(@channel, @marker)", new { channel = MailStore.ChangeChannel, marker });
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (!_payloads.Contains(marker))
            {
                await _connection.WaitAsync(timeout.Token);
            }

            return _payloads.TakeWhile(p => p != marker).ToList();
        }

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }
}
