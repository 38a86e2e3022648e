using Groupware.Imap;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap;

/// <summary>
/// A view's HIGHESTMODSEQ is what it asks the store for changes after: its own STORE may move it on
/// only when nothing else changed in between, or another session's change would never be read.
/// </summary>
[TestFixture]
public sealed class SelectedMailboxModSeqTests
{
    private static readonly Mailbox Inbox = new(3, 1, "INBOX", 1_700_000_000, 3, 20, null, true);

    private static SelectedMailbox View() => new(Inbox,
        new MailboxSnapshot(Inbox.UidValidity, 3, 20, [], [new MessageState(1, 10, SystemFlags.None, []), new MessageState(2, 20, SystemFlags.None, [])]),
        [], readOnly: false);

    [Test]
    public void A_store_right_after_what_the_view_read_moves_it_on()
    {
        var view = View();
        view.Stored(new StoreResult([new MessageState(1, 21, SystemFlags.Seen, [])], [], [], HighestModSeqBefore: 20));
        Assert.Multiple(() =>
        {
            Assert.That(view.HighestModSeq, Is.EqualTo(21));
            Assert.That(view.At(1).Flags, Is.EqualTo(SystemFlags.Seen));
        });
    }

    [Test]
    public void A_store_after_a_change_the_view_has_not_read_leaves_it_where_it_was()
    {
        var view = View();
        view.Stored(new StoreResult([new MessageState(1, 23, SystemFlags.Seen, [])], [], [], HighestModSeqBefore: 22));
        Assert.Multiple(() =>
        {
            Assert.That(view.HighestModSeq, Is.EqualTo(20), "changes 21 and 22 of another session are still to be read");
            Assert.That(view.At(1).ModSeq, Is.EqualTo(23));
        });
    }

    [Test]
    public void A_store_that_changed_nothing_moves_nothing()
    {
        var view = View();
        view.Stored(StoreResult.Nothing);
        Assert.That(view.HighestModSeq, Is.EqualTo(20));
    }
}
