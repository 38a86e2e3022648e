using Groupware.Imap.Syntax;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>RFC 9051 §9 <c>sequence-set</c>, with the examples of its comments and of §6.4.9.</summary>
public sealed class SequenceSetTests
{
    private static SequenceSet Parse(string text)
    {
        Assert.That(SequenceSet.TryParse(text, out var set, out var error), Is.True, error);
        return set;
    }

    [Test]
    public void The_RFC_example_2_4_7_9_12_star_in_a_mailbox_of_15()
    {
        var set = Parse("2,4:7,9,12:*");
        Assert.That(set.Resolve(15).ToArray(), Is.EqualTo(new uint[] { 2, 4, 5, 6, 7, 9, 12, 13, 14, 15 }));
        Assert.That(set.ToString(), Is.EqualTo("2,4:7,9,12:*"));
        Assert.That(set.HasStar, Is.True);
    }

    [Test]
    public void The_RFC_example_star_4_5_7_in_a_mailbox_of_10_coalesces()
    {
        var resolved = Parse("*:4,5:7").Resolve(10);
        Assert.That(resolved.ToArray(), Is.EqualTo(new uint[] { 4, 5, 6, 7, 8, 9, 10 }));
        Assert.That(resolved.ToString(), Is.EqualTo("4:10"));
    }

    [Test]
    public void A_range_is_the_same_either_way_round()
    {
        Assert.That(Parse("2:4").Resolve(10).ToArray(), Is.EqualTo(Parse("4:2").Resolve(10).ToArray()));
        Assert.That(Parse("4:2").Contains(3, 10), Is.True);
    }

    [Test]
    public void A_UID_range_from_beyond_the_highest_UID_to_star_still_names_the_highest()
    {
        // RFC 9051 §6.4.9: "a UID range of 559:* always includes the UID of the last message".
        var set = Parse("559:*");
        Assert.That(set.Resolve(500).ToArray(), Is.EqualTo(new uint[] { 500 }));
        Assert.That(set.Contains(500, 500), Is.True);
        Assert.That(set.Contains(499, 500), Is.False);
    }

    [Test]
    public void Numbers_beyond_the_largest_are_dropped_but_reported()
    {
        var set = Parse("1:4294967295");
        Assert.That(set.Resolve(3).ToArray(), Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(set.HighestNumber, Is.EqualTo(4294967295u));
        Assert.That(Parse("1,*").HighestNumber, Is.EqualTo(1u));
    }

    [Test]
    public void Star_in_an_empty_mailbox_names_nothing()
    {
        Assert.That(Parse("*").Resolve(0).IsEmpty, Is.True);
        Assert.That(Parse("1:*").Resolve(0).IsEmpty, Is.True);
    }

    [Test]
    public void Dollar_is_the_saved_result()
    {
        var set = Parse("$");
        Assert.That(set.IsSavedResult, Is.True);
        Assert.That(set, Is.EqualTo(SequenceSet.SavedResult));
        Assert.That(set.ToString(), Is.EqualTo("$"));
        Assert.Throws<InvalidOperationException>(() => set.Resolve(10));
    }

    [TestCase("", "expected a number")]
    [TestCase("0", "start at 1")]
    [TestCase("1:0", "start at 1")]
    [TestCase("01", "start at 1")]
    [TestCase("1,", "expected a number")]
    [TestCase(",1", "expected a number")]
    [TestCase("1::2", "expected a number")]
    [TestCase("1:2:3", "expected ','")]
    [TestCase("$,1", "$ stands alone")]
    [TestCase("1,$", "$ stands alone")]
    [TestCase("**", "expected ','")]
    [TestCase("4294967296", "larger than 4294967295")]
    [TestCase("1 2", "expected ','")]
    [TestCase("1é", "expected digits")]
    public void Bad_sets_are_refused_with_a_reason(string text, string reason)
    {
        Assert.That(SequenceSet.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(reason));
    }

    [Test]
    public void A_set_of_more_than_the_bound_is_refused()
    {
        var many = string.Join(",", Enumerable.Range(1, SequenceSet.MaxRanges + 1));
        Assert.That(SequenceSet.TryParse(many, out _, out var error), Is.False);
        Assert.That(error, Does.Contain($"more than {SequenceSet.MaxRanges}"));
        Assert.That(SequenceSet.TryParse(string.Join(",", Enumerable.Range(1, SequenceSet.MaxRanges)), out _, out _), Is.True);
    }

    [Test]
    public void Resolved_sets_format_compactly_and_answer_contains_by_search()
    {
        var resolved = ResolvedSequenceSet.FromNumbers([5, 1, 2, 3, 3, 9, 10, 4294967295]);
        Assert.That(resolved.ToString(), Is.EqualTo("1:3,5,9:10,4294967295"));
        Assert.That(resolved.Count, Is.EqualTo(7));
        Assert.That((resolved.Min, resolved.Max), Is.EqualTo(((uint?)1, (uint?)4294967295)));
        Assert.That(new uint[] { 0, 1, 4, 5, 6, 10, 11, 4294967295 }.Select(resolved.Contains),
            Is.EqualTo(new[] { false, true, false, true, false, true, false, true }));
        Assert.That(ResolvedSequenceSet.Empty.ToString(), Is.Empty);
    }

    [Test]
    public void Numbers_in_a_given_order_format_as_COPYUID_writes_them()
    {
        // RFC 9051 §6.4.7: COPYUID 38505 304,319:320 3956:3958.
        Assert.That(SequenceSet.FormatCompact([304, 319, 320]), Is.EqualTo("304,319:320"));
        Assert.That(SequenceSet.FormatCompact([3956, 3957, 3958]), Is.EqualTo("3956:3958"));
        Assert.That(SequenceSet.FormatCompact([3, 2, 1]), Is.EqualTo("3,2,1"));
        Assert.That(SequenceSet.FormatCompact([]), Is.Empty);
    }

    [Test]
    public void The_reader_reads_a_set_up_to_the_next_space()
    {
        var reader = ImapWire.Line("1:3,5 FLAGS");
        Assert.That(reader.TryReadSequenceSet(out var set), Is.True);
        Assert.That(set, Is.EqualTo(SequenceSet.Of(new SequenceRange(1, 3), new SequenceRange(5, 5))));
        Assert.That(reader.Peek(), Is.EqualTo(' '));
        Assert.That(ImapWire.Line("FLAGS").TryReadSequenceSet(out _), Is.False);
    }
}
