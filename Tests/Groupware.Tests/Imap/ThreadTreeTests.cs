using Groupware.Imap.Commands;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap;

/// <summary>
/// The REFERENCES algorithm (RFC 5256 §3) on shapes a mailbox does not show every day: reference
/// loops, duplicate Message-IDs, a reply chain as long as a big mailbox, and truncated References.
/// </summary>
public sealed class ThreadTreeTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ThreadMessage Message(long uid, string? id, string subject, params string[] references) =>
        new(uid, id, references, BaseSubject.Of(subject), Start.AddMinutes(uid));

    private static string Shape(IEnumerable<ThreadNode> nodes) =>
        string.Concat(nodes.Select(n => "(" + (n.Message?.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*") +
            (n.Children.Count > 0 ? " " + Shape(n.Children) : "") + ")"));

    [Test]
    public void References_that_loop_do_not_make_a_loop()
    {
        var threads = ThreadTree.References([
            Message(1, "a", "x", "b"),
            Message(2, "b", "y", "a"),
        ]);
        Assert.That(Shape(threads), Is.EqualTo("(2 (1))"), "1's reference made the dummy <b> its parent; 2 takes <b> over, and its link under 1 would be a loop");
    }

    [Test]
    public void A_duplicate_Message_ID_belongs_to_its_first_message_only()
    {
        var threads = ThreadTree.References([
            Message(1, "a", "x"),
            Message(2, "a", "y"),
            Message(3, "c", "z", "a"),
        ]);
        Assert.That(Shape(threads), Is.EqualTo("(1 (3))(2)"));
    }

    [Test]
    public void A_truncated_References_field_does_not_move_a_known_parent_but_the_last_reference_wins()
    {
        var threads = ThreadTree.References([
            Message(1, "a", "s"),
            Message(2, "b", "s", "a"),
            Message(3, "c", "s", "b"),
            Message(4, "d", "s", "a", "c"),
        ]);
        Assert.That(Shape(threads), Is.EqualTo("(1 (2 (3 (4))))"));
    }

    [Test]
    public void A_reply_chain_of_100000_messages_is_threaded_without_recursion()
    {
        const int count = 100_000;
        var messages = Enumerable.Range(1, count)
            .Select(i => Message(i, $"m{i}", "Re: long", i == 1 ? [] : [$"m{i - 1}"])).ToList();
        var threads = ThreadTree.References(messages);
        Assert.That(threads, Has.Count.EqualTo(1));
        var depth = 0;
        for (var node = threads[0]; node.Children.Count > 0; node = node.Children[0])
        {
            depth++;
        }

        Assert.That(depth, Is.EqualTo(count - 1));
    }
}
