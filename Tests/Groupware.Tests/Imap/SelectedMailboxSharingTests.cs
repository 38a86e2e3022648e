using Groupware.Imap;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap;

/// <summary>
/// Views of one mailbox share their columns (SharedColumns) and copy them before a change, so that
/// many sessions on one INBOX cost one copy of it, and no session ever sees another's changes early.
/// </summary>
[TestFixture]
public sealed class SelectedMailboxSharingTests
{
    private static readonly Mailbox Inbox = new(7, 1, "INBOX", 1_700_000_000, 1_004, 40, null, true);

    private static MailboxSnapshot Snapshot(params MessageState[] messages) =>
        new(Inbox.UidValidity, Inbox.UidNext, Inbox.HighestModSeq, ["$Junk"], messages);

    private static MessageState[] ThousandMessages(int modSeqOffset = 0) =>
        [.. Enumerable.Range(1, 1_000).Select(uid => new MessageState(uid, 10 + uid + modSeqOffset, uid % 3 == 0 ? SystemFlags.Seen : SystemFlags.None,
            uid == 500 ? ["$Junk"] : []))];

    private static SelectedMailbox View(MailboxSnapshot snapshot) => new(Inbox, snapshot, [], readOnly: false);

    [Test]
    public void Views_of_equal_content_hold_the_same_arrays()
    {
        var first = View(Snapshot(ThousandMessages()));
        var second = View(Snapshot(ThousandMessages()));
        var other = View(Snapshot(ThousandMessages(modSeqOffset: 1)));

        Assert.Multiple(() =>
        {
            Assert.That(first.SharesColumnsWith(second), Is.True);
            Assert.That(first.SharesColumnsWith(other), Is.False, "MODSEQs differ");
            Assert.That(second.At(500).Keywords, Is.EqualTo(new[] { "$Junk" }));
            Assert.That(second.At(3).Flags, Is.EqualTo(SystemFlags.Seen));
        });
    }

    [Test]
    public void A_change_copies_the_columns_first_and_equal_changes_share_again()
    {
        var first = View(Snapshot(ThousandMessages()));
        var second = View(Snapshot(ThousandMessages()));
        var changes = new MailboxChanges(1_006, 1_100, ["$Junk"],
            [new MessageState(2, 1_099, SystemFlags.Flagged, ["$Junk"]), new MessageState(1_004, 1_100, SystemFlags.None, [])], []);

        Assert.That(first.Apply(changes), Is.EqualTo(new long[] { 1_004 }));
        Assert.Multiple(() =>
        {
            Assert.That(first.SharesColumnsWith(second), Is.False);
            Assert.That(second.At(2), Is.EqualTo(new SelectedMailbox.Entry(2, 12, SystemFlags.None, [])).Using<SelectedMailbox.Entry>(SameEntry),
                "the other view is untouched");
            Assert.That(second.Exists, Is.EqualTo(1_000));
            Assert.That(first.Exists, Is.EqualTo(1_001));
            Assert.That(first.At(2).Keywords, Is.EqualTo(new[] { "$Junk" }));
            Assert.That(first.SequenceOf(1_004), Is.EqualTo(1_001));
        });

        second.Apply(changes);
        first.Share();
        second.Share();
        Assert.That(first.SharesColumnsWith(second), Is.True);
    }

    [Test]
    public void Adding_many_messages_one_command_at_a_time_keeps_them_all_in_order()
    {
        var view = View(Snapshot());
        for (var uid = 1; uid <= 300; uid++)
        {
            view.Apply(new MailboxChanges(uid + 1, uid, [], [new MessageState(uid, uid, SystemFlags.None, uid % 7 == 0 ? ["$Junk"] : [])], []));
            if (uid % 50 == 0)
            {
                view.Share();
            }
        }

        view.Share();
        Assert.Multiple(() =>
        {
            Assert.That(view.Exists, Is.EqualTo(300));
            Assert.That(view.All.Select(m => m.Message.Uid), Is.EqualTo(Enumerable.Range(1, 300).Select(u => (long)u)));
            Assert.That(view.All.Count(m => m.Message.Keywords.Count == 1), Is.EqualTo(42));
        });
    }

    [Test]
    public void The_table_returns_the_first_array_of_equal_content_and_forgets_collected_ones()
    {
        var table = new SharedArrays<long>(a => a.Length, (a, b) => a.AsSpan().SequenceEqual(b));
        long[] first = [1, 2, 3];
        Assert.Multiple(() =>
        {
            Assert.That(table.Share(first), Is.SameAs(first));
            Assert.That(table.Share([1, 2, 3]), Is.SameAs(first));
            Assert.That(table.Share([1, 2, 4]), Is.Not.SameAs(first), "same hash, other content");
        });

        FillWithGarbage(table, 5_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        FillWithGarbage(table, 5_000);
        Assert.That(table.Count, Is.LessThan(10_000), "collected arrays were swept");
        GC.KeepAlive(first);
    }

    private static void FillWithGarbage(SharedArrays<long> table, int count)
    {
        for (var i = 0; i < count; i++)
        {
            table.Share([i, -i, 10_000 + i]);
        }
    }

    private static bool SameEntry(SelectedMailbox.Entry a, SelectedMailbox.Entry b) =>
        a.Uid == b.Uid && a.ModSeq == b.ModSeq && a.Flags == b.Flags && a.Keywords.SequenceEqual(b.Keywords);
}
