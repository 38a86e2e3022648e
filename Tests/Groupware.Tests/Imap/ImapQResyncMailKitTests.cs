using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace Groupware.Tests.Imap;

/// <summary>
/// MailKit's ImapClient, a real client, resynchronising as a phone does (RFC 7162): ENABLE QRESYNC,
/// then opening INBOX with the UIDVALIDITY, HIGHESTMODSEQ and UIDs it cached, and hearing what another
/// client expunged (MessagesVanished, EARLIER) and flagged (MessageFlagsChanged with the MODSEQ)
/// meanwhile; and a conditional STORE (UNCHANGEDSINCE) that hands back the message it left alone.
/// </summary>
public sealed class ImapQResyncMailKitTests
{
    private static TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private static Task<ImapClient> ConnectAsync(string login) => ImapFixture.MailKitAsync(_node, login);

    [Test]
    public async Task A_quick_resync_hears_what_vanished_and_what_changed_and_a_conditional_store_returns_what_it_left()
    {
        var login = await ImapFixture.CreateAccountAsync();
        for (var n = 1; n <= 6; n++)
        {
            await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message($"message {n}"));
        }

        using var phone = await ConnectAsync(login);
        Assert.That(phone.Capabilities.HasFlag(ImapCapabilities.QuickResync) && phone.Capabilities.HasFlag(ImapCapabilities.CondStore), Is.True);
        await phone.EnableQuickResyncAsync();
        var inbox = phone.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadOnly);
        var (uidValidity, cachedModSeq) = (inbox.UidValidity, inbox.HighestModSeq);
        var cached = await inbox.SearchAsync(SearchQuery.All);
        Assert.That(cached, Has.Count.EqualTo(6));
        Assert.That(cachedModSeq, Is.GreaterThan(0UL));
        await inbox.CloseAsync();

        using (var desktop = await ConnectAsync(login))
        {
            await desktop.Inbox.OpenAsync(FolderAccess.ReadWrite);
            await desktop.Inbox.AddFlagsAsync(cached[1], MessageFlags.Flagged, silent: true);
            await desktop.Inbox.AddFlagsAsync([cached[2], cached[4]], MessageFlags.Deleted, silent: true);
            await desktop.Inbox.ExpungeAsync([cached[2], cached[4]]);
            await desktop.DisconnectAsync(true);
        }

        var vanished = new List<UniqueId>();
        var earlier = false;
        var changed = new List<MessageFlagsChangedEventArgs>();
        inbox.MessagesVanished += (_, e) =>
        {
            vanished.AddRange(e.UniqueIds);
            earlier = e.Earlier;
        };
        inbox.MessageFlagsChanged += (_, e) => changed.Add(e);
        await inbox.OpenAsync(FolderAccess.ReadOnly, uidValidity, cachedModSeq, cached);

        Assert.That(vanished, Is.EqualTo(new[] { cached[2], cached[4] }));
        Assert.That(earlier, Is.True, "VANISHED (EARLIER), not expunges of the open mailbox");
        Assert.That(changed, Has.Count.EqualTo(1));
        Assert.That(changed[0].UniqueId, Is.EqualTo(cached[1]));
        Assert.That(changed[0].Flags.HasFlag(MessageFlags.Flagged), Is.True);
        Assert.That(changed[0].ModSeq, Is.GreaterThan(cachedModSeq));
        Assert.That(inbox.Count, Is.EqualTo(4));
        Assert.That(inbox.HighestModSeq, Is.GreaterThan(changed[0].ModSeq!.Value), "the expunges came after the flag");

        // UNCHANGEDSINCE the first message's MODSEQ: the flagged one changed later and is left alone.
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var first = (await inbox.FetchAsync([cached[0]], MessageSummaryItems.ModSeq | MessageSummaryItems.UniqueId)).Single();
        var left = await inbox.StoreAsync([cached[0], cached[1]],
            new StoreFlagsRequest(StoreAction.Add, MessageFlags.Seen) { Silent = true, UnchangedSince = first.ModSeq!.Value });
        Assert.That(left, Is.EqualTo(new[] { cached[1] }));
        var now = await inbox.FetchAsync([cached[0], cached[1]], MessageSummaryItems.Flags | MessageSummaryItems.ModSeq | MessageSummaryItems.UniqueId);
        Assert.That(now.Single(s => s.UniqueId == cached[0]).Flags!.Value.HasFlag(MessageFlags.Seen), Is.True);
        Assert.That(now.Single(s => s.UniqueId == cached[1]).Flags!.Value.HasFlag(MessageFlags.Seen), Is.False);
        Assert.That(now.Single(s => s.UniqueId == cached[0]).ModSeq, Is.EqualTo(inbox.HighestModSeq));
        await phone.DisconnectAsync(true);
    }
}
