using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// STORE (RFC 9051 §6.4.6) of system flags and keywords, with CONDSTORE's UNCHANGEDSINCE
/// (RFC 7162 §3.1.3): one new MODSEQ per STORE for the messages it changes and none for the others,
/// keywords defined per mailbox and compared case-insensitively.
/// </summary>
public sealed class FlagAndKeywordTests : ImapStoreTest
{
    [Test]
    public async Task Add_remove_and_replace_change_only_what_they_name_and_give_changed_messages_one_new_MODSEQ()
    {
        var (account, box, uids) = await MailboxWithMessagesAsync("store", 3);
        var start = (await MailboxAsync(account, "INBOX")).HighestModSeq;

        var added = await Store.StoreFlagsAsync(account, box, uids, FlagChange.Add, SystemFlags.Seen | SystemFlags.Flagged, ["$Work"], null,
            CancellationToken.None);
        Assert.That(added.Updated.Select(u => u.Uid), Is.EqualTo(uids));
        Assert.That(added.Updated, Has.All.Matches<MessageState>(u => u.ModSeq == start + 1 && u.Flags == (SystemFlags.Seen | SystemFlags.Flagged)
            && u.Keywords.SequenceEqual(new[] { "$Work" })));
        Assert.That((await MailboxAsync(account, "INBOX")).HighestModSeq, Is.EqualTo(start + 1), "one MODSEQ for the whole STORE");

        var again = await Store.StoreFlagsAsync(account, box, uids, FlagChange.Add, SystemFlags.Seen, ["$work"], null, CancellationToken.None);
        Assert.That(again.Updated, Is.Empty, "nothing changed: no message gets a new MODSEQ");
        Assert.That((await MailboxAsync(account, "INBOX")).HighestModSeq, Is.EqualTo(start + 1));

        var removed = await Store.StoreFlagsAsync(account, box, [uids[1]], FlagChange.Remove, SystemFlags.Flagged | SystemFlags.Draft, ["$WORK"], null,
            CancellationToken.None);
        Assert.That(removed.Updated.Single(), Is.EqualTo(new MessageState(uids[1], start + 2, SystemFlags.Seen, [])).Using<MessageState>(SameState));

        var replaced = await Store.StoreFlagsAsync(account, box, [uids[2]], FlagChange.Replace, SystemFlags.Answered, ["Later", "$label1"], null,
            CancellationToken.None);
        Assert.That(replaced.Updated.Single().Flags, Is.EqualTo(SystemFlags.Answered));
        Assert.That(replaced.Updated.Single().Keywords, Is.EquivalentTo(new[] { "Later", "$label1" }));

        var snapshot = (await Store.SnapshotAsync(account, box, CancellationToken.None))!;
        Assert.That(snapshot.Messages.Select(m => (m.Uid, m.Flags)), Is.EqualTo(new[]
        {
            (uids[0], SystemFlags.Seen | SystemFlags.Flagged), (uids[1], SystemFlags.Seen), (uids[2], SystemFlags.Answered),
        }));
        Assert.That(snapshot.Messages.Select(m => m.ModSeq), Is.EqualTo(new[] { start + 1, start + 2, start + 3 }));
        Assert.That(snapshot.Keywords, Is.EqualTo(new[] { "$Work", "Later", "$label1" }), "every keyword the mailbox defined, in first-use order");
        Assert.That(snapshot.HighestModSeq, Is.EqualTo(start + 3));
    }

    [Test]
    public async Task Keywords_are_per_mailbox_case_insensitive_and_keep_their_first_spelling()
    {
        var account = await NewAccountAsync("keywords");
        await Store.CreateMailboxAsync(account, "Other", null, CancellationToken.None);
        var inbox = await MailboxAsync(account, "INBOX");
        var other = await MailboxAsync(account, "Other");
        var a = await AppendAsync(account, "INBOX", "Subject: a\r\n\r\na\r\n", keywords: ["$Junk"]);
        var b = await AppendAsync(account, "Other", "Subject: b\r\n\r\nb\r\n", keywords: ["NonJunk"]);

        await Store.StoreFlagsAsync(account, inbox.Id, [a], FlagChange.Add, SystemFlags.None, ["$JUNK", "$junk", "Todo"], null, CancellationToken.None);
        var inboxSnapshot = (await Store.SnapshotAsync(account, inbox.Id, CancellationToken.None))!;
        var otherSnapshot = (await Store.SnapshotAsync(account, other.Id, CancellationToken.None))!;
        Assert.That(inboxSnapshot.Keywords, Is.EqualTo(new[] { "$Junk", "Todo" }));
        Assert.That(inboxSnapshot.Messages.Single().Keywords, Is.EqualTo(new[] { "$Junk", "Todo" }));
        Assert.That(otherSnapshot.Keywords, Is.EqualTo(new[] { "NonJunk" }), "each mailbox has its own keywords");
        Assert.That(otherSnapshot.Messages.Single(m => m.Uid == b).Keywords, Is.EqualTo(new[] { "NonJunk" }));
    }

    [Test]
    public async Task Keywords_that_are_not_atoms_are_refused_and_the_rest_stored()
    {
        var (account, box, uids) = await MailboxWithMessagesAsync("badkw", 1);
        var result = await Store.StoreFlagsAsync(account, box, uids, FlagChange.Add, SystemFlags.None,
            ["Good", @"\Seen", "with space", "a(b", new string('k', MailStore.MaxKeywordLength + 1)], null, CancellationToken.None);
        Assert.That(result.Updated.Single().Keywords, Is.EqualTo(new[] { "Good" }));
        Assert.That(result.RefusedKeywords, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task UNCHANGEDSINCE_leaves_messages_changed_since_alone_and_reports_them_as_modified()
    {
        var (account, box, uids) = await MailboxWithMessagesAsync("unchanged", 3);
        var first = await Store.StoreFlagsAsync(account, box, [uids[1]], FlagChange.Add, SystemFlags.Seen, [], null, CancellationToken.None);
        var seenAt = first.Updated.Single().ModSeq;

        // The client last saw the mailbox before uids[1] changed.
        var conditional = await Store.StoreFlagsAsync(account, box, uids, FlagChange.Add, SystemFlags.Deleted, [], seenAt - 1, CancellationToken.None);
        Assert.That(conditional.Modified, Is.EqualTo(new[] { uids[1] }), "RFC 7162 §3.1.3: MODIFIED");
        Assert.That(conditional.Updated.Select(u => u.Uid), Is.EqualTo(new[] { uids[0], uids[2] }));
        var states = (await Store.SnapshotAsync(account, box, CancellationToken.None))!.Messages.ToDictionary(m => m.Uid);
        Assert.That(states[uids[1]].Flags, Is.EqualTo(SystemFlags.Seen), "the failed message was not changed");
        Assert.That(states[uids[1]].ModSeq, Is.EqualTo(seenAt));

        var zero = await Store.StoreFlagsAsync(account, box, [uids[0]], FlagChange.Add, SystemFlags.Draft, [], 0, CancellationToken.None);
        Assert.That(zero.Modified, Is.EqualTo(new[] { uids[0] }), "UNCHANGEDSINCE 0 always fails (Example 8)");
        Assert.That(zero.Updated, Is.Empty);
    }

    [Test]
    public async Task A_mailbox_takes_at_most_its_limit_of_keywords()
    {
        var (account, box, uids) = await MailboxWithMessagesAsync("kwlimit", 1);
        var many = Enumerable.Range(0, MailStore.MaxKeywordsPerMailbox).Select(i => $"k{i}").ToList();
        var full = await Store.StoreFlagsAsync(account, box, uids, FlagChange.Add, SystemFlags.None, many, null, CancellationToken.None);
        Assert.That(full.RefusedKeywords, Is.Empty);
        Assert.That(full.Updated.Single().Keywords, Has.Count.EqualTo(MailStore.MaxKeywordsPerMailbox));

        var beyond = await Store.StoreFlagsAsync(account, box, uids, FlagChange.Add, SystemFlags.Seen, ["one-more", "k7"], null, CancellationToken.None);
        Assert.That(beyond.RefusedKeywords, Is.EqualTo(new[] { "one-more" }), "a new keyword no longer fits; a known one still does");
        Assert.That(beyond.Updated.Single().Flags, Is.EqualTo(SystemFlags.Seen), "the rest of the STORE is done");
    }

    private async Task<(long Account, long Mailbox, long[] Uids)> MailboxWithMessagesAsync(string prefix, int count)
    {
        var account = await NewAccountAsync(prefix);
        var uids = new long[count];
        for (var i = 0; i < count; i++)
        {
            uids[i] = await AppendAsync(account, "INBOX", $"Subject: m{i}\r\n\r\nmessage {i}\r\n");
        }

        return (account, (await MailboxAsync(account, "INBOX")).Id, uids);
    }

    private static bool SameState(MessageState a, MessageState b) =>
        a.Uid == b.Uid && a.ModSeq == b.ModSeq && a.Flags == b.Flags && a.Keywords.SequenceEqual(b.Keywords);
}
