using Groupware.Imap;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap;

/// <summary>
/// The state a node keeps of a mailbox, brought up to date with the changes read since its MODSEQ:
/// the result must be the snapshot a fresh read would give, whatever mix of expunges, flag changes,
/// new messages and pruned expunge records (the present UIDs instead) the changes hold; and a view's
/// stale read of its own STORE must not take it back.
/// </summary>
[TestFixture]
public sealed class MailboxColumnsTests
{
    private static readonly Mailbox Inbox = new(3, 1, "INBOX", 1_700_000_000, 5, 20, null, true);

    private static MailboxColumns Kept() => MailboxColumns.From(new MailboxSnapshot(Inbox.UidValidity, 5, 20, ["$Work"],
    [
        new MessageState(1, 10, SystemFlags.None, []),
        new MessageState(2, 12, SystemFlags.Seen, ["$Work"]),
        new MessageState(3, 14, SystemFlags.None, []),
        new MessageState(4, 20, SystemFlags.Flagged, []),
    ]));

    private static IEnumerable<MessageState> States(MailboxColumns columns) => Enumerable.Range(0, columns.Count)
        .Select(i => new MessageState(columns.Uids[i], columns.ModSeqs[i], columns.Flags[i], columns.MessageKeywords?[i] ?? []));

    [Test]
    public void Expunges_flag_changes_and_new_messages_give_what_a_fresh_read_would()
    {
        var changes = new MailboxChanges(8, 25, ["$Work", "$Later"],
            [new MessageState(3, 23, SystemFlags.Answered, ["$Later"]), new MessageState(5, 24, SystemFlags.None, []), new MessageState(7, 25, SystemFlags.Seen, [])],
            [2, 6]);
        var now = Kept().Apply(changes);
        Assert.Multiple(() =>
        {
            Assert.That(now.Uids, Is.EqualTo(new long[] { 1, 3, 4, 5, 7 }));
            Assert.That(now.ModSeqs, Is.EqualTo(new long[] { 10, 23, 20, 24, 25 }));
            Assert.That(now.Flags, Is.EqualTo(new[] { SystemFlags.None, SystemFlags.Answered, SystemFlags.Flagged, SystemFlags.None, SystemFlags.Seen }));
            Assert.That(now.MessageKeywords![1], Is.EqualTo(new[] { "$Later" }));
            Assert.That(now.MessageKeywords[0], Is.Null);
            Assert.That((now.UidNext, now.HighestModSeq, now.UidValidity), Is.EqualTo((8L, 25L, Inbox.UidValidity)));
            Assert.That(now.Keywords, Is.EqualTo(new[] { "$Work", "$Later" }));
        });
    }

    [Test]
    public void Pruned_expunge_records_are_made_up_for_by_the_present_UIDs()
    {
        var changes = new MailboxChanges(5, 30, [], [], []) { ExpungedPrunedModSeq = 28, Present = [1, 4] };
        var now = Kept().Apply(changes);
        Assert.That(now.Uids, Is.EqualTo(new long[] { 1, 4 }));
        Assert.That(now.MessageKeywords?.All(k => k is null) ?? true, Is.True, "the only message with a keyword went");
    }

    [Test]
    public void The_kept_columns_are_not_changed()
    {
        var kept = Kept();
        _ = kept.Apply(new MailboxChanges(5, 21, [], [new MessageState(1, 21, SystemFlags.Deleted, [])], [4]));
        Assert.That(States(kept).Select(s => (s.Uid, s.ModSeq, s.Flags)),
            Is.EqualTo(new[] { (1L, 10L, SystemFlags.None), (2L, 12L, SystemFlags.Seen), (3L, 14L, SystemFlags.None), (4L, 20L, SystemFlags.Flagged) }));
    }

    [Test]
    public void A_view_ignores_a_read_older_than_its_own_store()
    {
        var view = new SelectedMailbox(Inbox, Kept(), [], readOnly: false);
        view.Stored(new StoreResult([new MessageState(1, 21, SystemFlags.Seen, [])], [], [], HighestModSeqBefore: 20));

        // A read that began before that STORE committed still has message 1 as it was.
        view.Apply(new MailboxChanges(5, 20, [], [new MessageState(1, 10, SystemFlags.None, [])], []));
        Assert.That((view.At(1).ModSeq, view.At(1).Flags), Is.EqualTo((21L, SystemFlags.Seen)));
    }
}
