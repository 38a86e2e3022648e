using Groupware.Imap.Syntax;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>LIST's reference and pattern (RFC 9051 §6.3.9): "*" crosses the delimiter, "%" does not, INBOX in any case.</summary>
public sealed class ListPatternTests
{
    private static readonly string[] Mailboxes =
        ["INBOX", "INBOX/Sub", "Fruit", "Fruit/Apple", "Fruit/Banana", "Tofu", "Vegetable", "Vegetable/Broccoli", "Vegetable/Corn", "~/Mail/foo", "~/Mail/meetings", "~/Mail/foo/bar"];

    private static string[] List(string reference, string pattern) =>
        [.. Mailboxes.Where(ListPattern.Create(reference, pattern, '/').IsMatch)];

    [Test]
    public void Star_matches_every_level()
    {
        Assert.That(List("", "*"), Is.EqualTo(Mailboxes));
        Assert.That(List("", "Fruit*"), Is.EqualTo(new[] { "Fruit", "Fruit/Apple", "Fruit/Banana" }));
    }

    [Test]
    public void Percent_stops_at_the_delimiter()
    {
        Assert.That(List("", "%"), Is.EqualTo(new[] { "INBOX", "Fruit", "Tofu", "Vegetable" }));
        Assert.That(List("", "Vegetable/%"), Is.EqualTo(new[] { "Vegetable/Broccoli", "Vegetable/Corn" }));
        Assert.That(List("", "%/%"), Is.EqualTo(new[] { "INBOX/Sub", "Fruit/Apple", "Fruit/Banana", "Vegetable/Broccoli", "Vegetable/Corn" }));
    }

    [Test]
    public void The_reference_is_put_before_the_pattern()
    {
        // RFC 9051 §6.3.9.8: C: A202 LIST ~/Mail/ %  S: * LIST () "/" ~/Mail/meetings ...
        Assert.That(List("~/Mail/", "%"), Is.EqualTo(new[] { "~/Mail/foo", "~/Mail/meetings" }));
        Assert.That(List("Fruit/", "*"), Is.EqualTo(new[] { "Fruit/Apple", "Fruit/Banana" }));
        Assert.That(ListPattern.Create("~/Mail/", "%", '/').Canonical, Is.EqualTo(new[] { "~/Mail/%" }));
    }

    [TestCase("inbox")]
    [TestCase("InBoX")]
    [TestCase("INBOX")]
    [TestCase("inb*")]
    [TestCase("i%x")]
    public void INBOX_matches_in_any_case(string pattern) =>
        Assert.That(List("", pattern), Does.Contain("INBOX"));

    [Test]
    public void The_case_of_INBOX_does_not_reach_below_it()
    {
        Assert.That(List("", "inbox/sub"), Is.Empty);
        Assert.That(List("", "inbox/Sub"), Is.EqualTo(new[] { "INBOX/Sub" }));
        Assert.That(List("", "inbox/%"), Is.EqualTo(new[] { "INBOX/Sub" }));
        Assert.That(List("", "fruit"), Is.Empty);
    }

    [Test]
    public void Other_names_match_exactly()
    {
        Assert.That(List("", "Tofu"), Is.EqualTo(new[] { "Tofu" }));
        Assert.That(List("", "Tof"), Is.Empty);
        Assert.That(List("", "*o*"), Is.EqualTo(new[] { "INBOX", "INBOX/Sub", "Tofu", "Vegetable/Broccoli", "Vegetable/Corn", "~/Mail/foo", "~/Mail/foo/bar" }));
    }

    [Test]
    public void Several_patterns_match_when_one_does_and_empty_ones_are_ignored()
    {
        var pattern = ListPattern.Create("", ["Tofu", "", "Fruit/%"], '/');
        Assert.That(Mailboxes.Where(pattern.IsMatch), Is.EqualTo(new[] { "Fruit/Apple", "Fruit/Banana", "Tofu" }));
        Assert.That(pattern.Canonical, Has.Count.EqualTo(2));
    }

    [Test]
    public void A_pathological_pattern_does_not_backtrack()
    {
        // A backtracking glob would not finish on this in the test run's lifetime (exponential in the
        // stars); the automaton reads each character once per state. Speed itself is not asserted here.
        var pattern = ListPattern.Create("", string.Concat(Enumerable.Repeat("*a", 200)) + "*b", '/');
        var name = new string('a', 5000);
        Assert.That(pattern.IsMatch(name), Is.False);
        Assert.That(pattern.IsMatch(name + "b"), Is.True);
    }
}
