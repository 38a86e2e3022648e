using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// Subscriptions (RFC 9051 §6.3.7, §6.3.8) are names, not mailboxes: a name may be subscribed
/// without a mailbox, and DELETE and RENAME leave subscriptions as they were (§6.3.6 note).
/// </summary>
public sealed class SubscriptionTests : ImapStoreTest
{
    [Test]
    public async Task Names_are_subscribed_whether_or_not_a_mailbox_has_them_and_idempotently()
    {
        var account = await NewAccountAsync("subscribe");
        var defaults = await Store.ListSubscriptionsAsync(account, CancellationToken.None);
        Assert.That(defaults, Is.EquivalentTo(new[] { "INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive" }));

        Assert.That(await Store.SetSubscribedAsync(account, "#news.comp.mail.mime", true, CancellationToken.None), Is.True);
        Assert.That(await Store.SetSubscribedAsync(account, "#news.comp.mail.mime", true, CancellationToken.None), Is.True);
        Assert.That(await Store.SetSubscribedAsync(account, "Junk", false, CancellationToken.None), Is.True);
        Assert.That(await Store.SetSubscribedAsync(account, "Never There", false, CancellationToken.None), Is.True);
        Assert.That(await Store.SetSubscribedAsync(account, "bad//name", true, CancellationToken.None), Is.False);

        Assert.That(await Store.ListSubscriptionsAsync(account, CancellationToken.None),
            Is.EquivalentTo(new[] { "INBOX", "Drafts", "Sent", "Trash", "Archive", "#news.comp.mail.mime" }));
    }

    [Test]
    public async Task Any_case_of_INBOX_subscribes_INBOX()
    {
        var account = await NewAccountAsync("subinbox");
        await Store.SetSubscribedAsync(account, "INBOX", false, CancellationToken.None);
        await Store.SetSubscribedAsync(account, "inbox", true, CancellationToken.None);
        await Store.SetSubscribedAsync(account, "Inbox/Lists", true, CancellationToken.None);
        Assert.That((await Store.ListSubscriptionsAsync(account, CancellationToken.None)).Where(n => n.StartsWith("I", StringComparison.OrdinalIgnoreCase)),
            Is.EquivalentTo(new[] { "INBOX", "INBOX/Lists" }));
    }

    [Test]
    public async Task Delete_and_rename_leave_subscriptions_alone()
    {
        var account = await NewAccountAsync("subkeep");
        await Store.CreateMailboxAsync(account, "Lists", null, CancellationToken.None);
        await Store.CreateMailboxAsync(account, "Gone", null, CancellationToken.None);
        await Store.SetSubscribedAsync(account, "Lists", true, CancellationToken.None);
        await Store.SetSubscribedAsync(account, "Gone", true, CancellationToken.None);

        await Store.RenameMailboxAsync(account, "Lists", "Lists 2026", CancellationToken.None);
        await Store.DeleteMailboxAsync(account, "Gone", CancellationToken.None);

        var subscribed = await Store.ListSubscriptionsAsync(account, CancellationToken.None);
        Assert.That(subscribed, Does.Contain("Lists").And.Contain("Gone"), "RFC 9051 §6.3.7: not removed unilaterally");
        Assert.That(subscribed, Does.Not.Contain("Lists 2026"), "RFC 9051 §6.3.6: RENAME does not move subscriptions");
    }
}
