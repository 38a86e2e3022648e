using System.Text;
using Dapper;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>
/// The mail store's API as POP3 and IMAP use it: default mailboxes, the maildrop with exact sizes
/// and stable UIDLs, streamed content, atomic expunge (QRESYNC record, quota, shared bodies), and
/// UIDs that stay unique and increasing under concurrent writers (the maildrop lock is in
/// <see cref="MaildropLeaseTests"/>).
/// </summary>
public sealed class MailStoreTests
{
    private NpgsqlDataSource _data = null!;
    private MailStore _store = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _data = await MailAccounts.OpenAsync();
        _store = new MailStore(_data);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _data.DisposeAsync();

    [Test]
    public async Task Default_mailboxes_are_created_once_with_their_special_use_even_by_racing_callers()
    {
        var account = await MailAccounts.CreateAsync(_data, "mbx");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _store.EnsureDefaultMailboxesAsync(account.Id, CancellationToken.None)));
        await _store.EnsureDefaultMailboxesAsync(account.Id, CancellationToken.None);

        var mailboxes = await _store.ListMailboxesAsync(account.Id, CancellationToken.None);
        Assert.That(mailboxes.Select(m => (m.Name, m.SpecialUse)), Is.EquivalentTo(new (string, string?)[]
        {
            ("INBOX", null), ("Drafts", @"\Drafts"), ("Sent", @"\Sent"), ("Trash", @"\Trash"), ("Junk", @"\Junk"), ("Archive", @"\Archive"),
        }));
        Assert.That(mailboxes.Select(m => m.UidValidity).Distinct().Count(), Is.EqualTo(6), "UIDVALIDITY is unique across mailboxes");
        Assert.That(mailboxes, Has.All.Matches<Mailbox>(m => m.UidNext == 1 && m.Selectable && m.UidValidity is > 0 and <= uint.MaxValue));
        Assert.That(await _store.ListSubscriptionsAsync(account.Id, CancellationToken.None), Is.EquivalentTo(mailboxes.Select(m => m.Name)),
            "the default mailboxes are subscribed");
    }

    [Test]
    public async Task The_maildrop_is_created_lazily_and_lists_the_inbox_by_UID_with_exact_stored_sizes()
    {
        var account = await MailAccounts.CreateAsync(_data, "drop");
        Assert.That(await _store.ListMaildropAsync(account.Id, CancellationToken.None), Is.Empty);
        Assert.That(await _store.ListMailboxesAsync(account.Id, CancellationToken.None), Has.Count.EqualTo(6));

        // LF line ends as an MTA's pipe may hand them over: stored, and counted, as CRLF.
        await DeliverAsync(account.Id, "Subject: one\n\nfirst\n");
        await DeliverAsync(account.Id, "Subject: two\r\n\r\nsecond\r\n");
        var maildrop = await _store.ListMaildropAsync(account.Id, CancellationToken.None);
        Assert.That(maildrop.Select(m => m.Uid), Is.EqualTo(new long[] { 1, 2 }));
        foreach (var message in maildrop)
        {
            var content = await ReadAsync(account.Id, message);
            Assert.That(content.LongLength, Is.EqualTo(message.Size));
            Assert.That(Encoding.ASCII.GetString(content), Does.Not.Match("[^\r]\n"), "only CRLF line ends");
        }

        Assert.That(Encoding.ASCII.GetString(await ReadAsync(account.Id, maildrop[0])), Does.EndWith("Subject: one\r\n\r\nfirst\r\n"));
    }

    [Test]
    public async Task UIDLs_are_valid_POP3_unique_ids_stable_across_expunges_and_never_reused()
    {
        var account = await MailAccounts.CreateAsync(_data, "uidl");
        for (var i = 0; i < 3; i++)
        {
            await DeliverAsync(account.Id, $"Subject: {i}\r\n\r\nx\r\n");
        }

        var before = await _store.ListMaildropAsync(account.Id, CancellationToken.None);
        Assert.That(before.Select(m => m.UniqueId), Is.Unique);
        Assert.That(before, Has.All.Matches<MaildropMessage>(m => m.UniqueId.Length is >= 1 and <= 70 && m.UniqueId.All(c => c is >= '!' and <= '~')),
            "RFC 1939 §7: 1 to 70 characters in 0x21-0x7E");

        await _store.ExpungeAsync(account.Id, before[1].MailboxId, [before[1].Uid], CancellationToken.None);
        await DeliverAsync(account.Id, "Subject: 3\r\n\r\nx\r\n");
        var after = await _store.ListMaildropAsync(account.Id, CancellationToken.None);
        Assert.That(after.Take(2).Select(m => m.UniqueId), Is.EqualTo(new[] { before[0].UniqueId, before[2].UniqueId }));
        Assert.That(after.Select(m => m.UniqueId), Does.Not.Contain(before[1].UniqueId), "an expunged message's UIDL is never given again");
    }

    [Test]
    public async Task Expunge_removes_all_given_messages_in_one_transaction_and_records_them_for_QRESYNC()
    {
        var account = await MailAccounts.CreateAsync(_data, "expunge");
        for (var i = 0; i < 4; i++)
        {
            await DeliverAsync(account.Id, $"Subject: e{i} {Guid.NewGuid()}\r\n\r\nbody {i}\r\n");
        }

        var maildrop = await _store.ListMaildropAsync(account.Id, CancellationToken.None);
        var inbox = maildrop[0].MailboxId;
        var doomed = new[] { maildrop[0].Uid, maildrop[2].Uid, maildrop[3].Uid, 999L };
        var usedBefore = await MailAccounts.UsedBytesAsync(_data, account.Id);

        // Hold one of the rows in another transaction: the expunge must wait, and meanwhile nothing is gone.
        await using var blocker = await _data.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync("SELECT 1 FROM messages WHERE mailbox_id = @inbox AND uid = @uid FOR UPDATE",
            new { inbox, uid = maildrop[3].Uid }, blocking);
        var expunge = _store.ExpungeAsync(account.Id, inbox, doomed, CancellationToken.None);
        await WaitUntilBlockedAsync();
        Assert.That(await _store.ListMaildropAsync(account.Id, CancellationToken.None), Has.Count.EqualTo(4), "no message is gone before the commit");
        await blocking.RollbackAsync();

        Assert.That(await expunge, Is.EqualTo(3));
        var left = await _store.ListMaildropAsync(account.Id, CancellationToken.None);
        Assert.That(left.Select(m => m.Uid), Is.EqualTo(new[] { maildrop[1].Uid }));
        Assert.That(await MailAccounts.UsedBytesAsync(_data, account.Id), Is.EqualTo(usedBefore - maildrop[0].Size - maildrop[2].Size - maildrop[3].Size));

        await using var connection = await _data.OpenConnectionAsync();
        var expunged = (await connection.QueryAsync<(long Uid, long ModSeq)>(
            "SELECT uid, modseq FROM expunged_messages WHERE mailbox_id = @inbox ORDER BY uid", new { inbox })).ToList();
        var highest = await connection.ExecuteScalarAsync<long>("SELECT highest_modseq FROM mailboxes WHERE id = @inbox", new { inbox });
        Assert.That(expunged.Select(e => e.Uid), Is.EqualTo(new[] { maildrop[0].Uid, maildrop[2].Uid, maildrop[3].Uid }));
        Assert.That(expunged.Select(e => e.ModSeq).Distinct(), Is.EqualTo(new[] { highest }), "one MODSEQ for the one expunge, the mailbox's highest");
        Assert.That(await _store.ExpungeAsync(account.Id, inbox, doomed, CancellationToken.None), Is.Zero, "expunging again changes nothing");
    }

    [Test]
    public async Task A_body_is_deleted_with_its_last_message_and_kept_while_another_shares_it()
    {
        var first = await MailAccounts.CreateAsync(_data, "share");
        var second = await MailAccounts.CreateAsync(_data, "share");
        var subject = MailAccounts.UniqueSubject("shared");
        await DeliverAsync([first.Id, second.Id], $"Subject: {subject}\r\n\r\nshared body\r\n");
        var a = (await _store.ListMaildropAsync(first.Id, CancellationToken.None)).Single();
        var b = (await _store.ListMaildropAsync(second.Id, CancellationToken.None)).Single();
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(_data, subject), Is.EqualTo(1));

        await _store.ExpungeAsync(first.Id, a.MailboxId, [a.Uid], CancellationToken.None);
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(_data, subject), Is.EqualTo(1), "still used by the second copy");
        Assert.That(Encoding.ASCII.GetString(await ReadAsync(second.Id, b)), Does.EndWith("shared body\r\n"));

        await _store.ExpungeAsync(second.Id, b.MailboxId, [b.Uid], CancellationToken.None);
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(_data, subject), Is.Zero, "the last copy took the body with it");
    }

    [Test]
    public async Task Deleting_an_account_deletes_the_bodies_only_it_held_and_keeps_shared_ones()
    {
        var doomed = await MailAccounts.CreateAsync(_data, "doomed");
        var survivor = await MailAccounts.CreateAsync(_data, "survivor");
        var own = MailAccounts.UniqueSubject("own");
        var shared = MailAccounts.UniqueSubject("shared");
        await DeliverAsync(doomed.Id, $"Subject: {own}\r\n\r\n{new string('o', 3 * MailStore.ChunkSize)}\r\n");
        await DeliverAsync([doomed.Id, survivor.Id], $"Subject: {shared}\r\n\r\nshared body\r\n");

        Assert.That(await new Groupware.Storage.Accounts.AccountStore(_data).DeleteAsync(doomed.Id, CancellationToken.None), Is.True);

        // "Deleted for good" (groupware user delete --yes): no octet of the account's own mail stays behind.
        Assert.That(await MailAccounts.BlobsWithSubjectAsync(_data, own), Is.Zero, "the body only the deleted account held");
        await using (var connection = await _data.OpenConnectionAsync())
        {
            Assert.That(await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.id = c.blob_id)"), Is.Zero);
        }

        Assert.That(await MailAccounts.BlobsWithSubjectAsync(_data, shared), Is.EqualTo(1), "still used by the survivor's copy");
        var copy = (await _store.ListMaildropAsync(survivor.Id, CancellationToken.None)).Single();
        Assert.That(Encoding.ASCII.GetString(await ReadAsync(survivor.Id, copy)), Does.EndWith("shared body\r\n"));
    }

    [Test]
    public async Task A_message_that_is_gone_or_of_another_account_cannot_be_opened_or_expunged()
    {
        var owner = await MailAccounts.CreateAsync(_data, "owner");
        var other = await MailAccounts.CreateAsync(_data, "other");
        await DeliverAsync(owner.Id, "Subject: mine\r\n\r\nx\r\n");
        var message = (await _store.ListMaildropAsync(owner.Id, CancellationToken.None)).Single();

        Assert.ThrowsAsync<MessageNotFoundException>(() => _store.OpenMessageAsync(other.Id, message.MailboxId, message.Uid, CancellationToken.None));
        Assert.That(await _store.ExpungeAsync(other.Id, message.MailboxId, [message.Uid], CancellationToken.None), Is.Zero);
        Assert.That(await _store.ListMaildropAsync(owner.Id, CancellationToken.None), Has.Count.EqualTo(1));

        await _store.ExpungeAsync(owner.Id, message.MailboxId, [message.Uid], CancellationToken.None);
        Assert.ThrowsAsync<MessageNotFoundException>(() => _store.OpenMessageAsync(owner.Id, message.MailboxId, message.Uid, CancellationToken.None));
    }

    [Test]
    public async Task Concurrent_deliveries_from_several_nodes_get_unique_increasing_UIDs_and_MODSEQs()
    {
        var account = await MailAccounts.CreateAsync(_data, "race");
        var nodes = Enumerable.Range(0, 4).Select(i => Database.CreateDataSource(TestDatabase.ConnectionString, $"race{i}")).ToList();
        try
        {
            const int perWriter = 15;
            var writers = nodes.SelectMany(node => Enumerable.Range(0, 2).Select(async writer =>
            {
                var store = new MailStore(node);
                var uids = new List<long>();
                for (var i = 0; i < perWriter; i++)
                {
                    await using var message = await IncomingAsync($"Subject: {Guid.NewGuid()}\r\n\r\nrace\r\n");
                    var result = await store.DeliverAsync(message, [new MessageDelivery(account.Id, default)], DateTimeOffset.UtcNow, CancellationToken.None);
                    uids.Add(result[0].Uid);
                }

                return uids;
            })).ToList();
            var perWriterUids = await Task.WhenAll(writers);

            Assert.That(perWriterUids, Has.All.Matches<List<long>>(u => u.SequenceEqual(u.Order()) && u.Distinct().Count() == u.Count),
                "each writer's later delivery got a higher UID");
            var all = perWriterUids.SelectMany(u => u).Order().ToList();
            Assert.That(all, Is.EqualTo(Enumerable.Range(1, all.Count).Select(i => (long)i)), "UIDs 1..n, none twice, none skipped");
            var stored = await MailAccounts.MessagesAsync(_data, account.Id);
            Assert.That(stored.Select(m => m.ModSeq), Is.Ordered.Ascending.And.Unique, "MODSEQ grows with UID");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Racing_first_deliveries_to_accounts_without_mailboxes_all_succeed()
    {
        // The first delivery creates the default mailboxes. Created under the account's row lock, a
        // new INBOX was locked after the account, against the lock order: a delivery holding the
        // INBOX and waiting for the account deadlocked with it, often past the three attempts.
        for (var round = 0; round < 10; round++)
        {
            var account = await MailAccounts.CreateAsync(_data, "first");
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                await using var message = await IncomingAsync($"Subject: {Guid.NewGuid()}\r\n\r\nfirst\r\n");
                return (await _store.DeliverAsync(message, [new MessageDelivery(account.Id, default)], DateTimeOffset.UtcNow,
                    CancellationToken.None))[0];
            }));

            Assert.That(results.Select(r => r.Status), Has.All.EqualTo(DeliveryStatus.Delivered));
            Assert.That(results.Select(r => r.Uid).Order(), Is.EqualTo(Enumerable.Range(1, 8).Select(i => (long)i)));
            Assert.That(await _store.ListMailboxesAsync(account.Id, CancellationToken.None), Has.Count.EqualTo(6));
        }
    }

    [Test]
    public async Task Delivery_respects_quota_and_disabled_accounts_per_copy()
    {
        var roomy = await MailAccounts.CreateAsync(_data, "roomy");
        var tight = await MailAccounts.CreateAsync(_data, "tight", quotaBytes: 10);
        var disabled = await MailAccounts.CreateAsync(_data, "off");
        await MailAccounts.SetDisabledAsync(_data, disabled.Id, true);
        await using var message = await IncomingAsync("Subject: quota\r\n\r\nsome text\r\n");

        var results = await _store.DeliverAsync(message,
            [new MessageDelivery(roomy.Id, default), new MessageDelivery(tight.Id, default), new MessageDelivery(disabled.Id, default)],
            DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.That(results.Select(r => r.Status), Is.EqualTo(new[] { DeliveryStatus.Delivered, DeliveryStatus.MailboxFull, DeliveryStatus.Disabled }));
        Assert.That(await MailAccounts.UsedBytesAsync(_data, roomy.Id), Is.EqualTo(message.Size));
        Assert.That(await MailAccounts.UsedBytesAsync(_data, tight.Id), Is.Zero);
    }

    private async Task WaitUntilBlockedAsync()
    {
        await using var connection = await _data.OpenConnectionAsync();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var waiting = await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
            if (waiting > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the expunge never waited for the held row");
    }

    private Task DeliverAsync(long accountId, string text) => DeliverAsync([accountId], text);

    private async Task DeliverAsync(long[] accountIds, string text)
    {
        await using var message = await IncomingAsync(text);
        var results = await _store.DeliverAsync(message, accountIds.Select(a => new MessageDelivery(a, default)).ToList(), DateTimeOffset.UtcNow,
            CancellationToken.None);
        Assert.That(results, Has.All.Matches<DeliveryResult>(r => r.Status == DeliveryStatus.Delivered));
    }

    private static async Task<IncomingMessage> IncomingAsync(string text)
    {
        var message = IncomingMessage.Create(Path.GetTempPath(), 1024 * 1024);
        await message.WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
        await message.CompleteAsync(CancellationToken.None);
        return message;
    }

    private async Task<byte[]> ReadAsync(long accountId, MaildropMessage message)
    {
        await using var stream = await _store.OpenMessageAsync(accountId, message.MailboxId, message.Uid, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
