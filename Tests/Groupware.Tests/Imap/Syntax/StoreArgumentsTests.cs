using Groupware.Imap.Syntax;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>STORE's arguments (RFC 9051 §6.4.6, §9 <c>store-att-flags</c>; RFC 7162 UNCHANGEDSINCE).</summary>
public sealed class StoreArgumentsTests
{
    private static StoreArguments Parse(string text)
    {
        var reader = ImapWire.Line(text);
        Assert.That(StoreArguments.TryParse(reader, out var arguments, out var error), Is.True, error);
        return arguments;
    }

    [Test]
    public void The_RFC_9051_example_adds_Deleted()
    {
        // C: A003 STORE 2:4 +FLAGS (\Deleted)
        Assert.That(Parse("+FLAGS (\\Deleted)"), Is.EqualTo(new StoreArguments(StoreOperation.Add, false, ["\\Deleted"], null)));
    }

    [TestCase("FLAGS (\\Seen)", "Replace", false)]
    [TestCase("flags.silent (\\Seen)", "Replace", true)]
    [TestCase("+FLAGS.SILENT (\\Seen)", "Add", true)]
    [TestCase("-FLAGS (\\Seen)", "Remove", false)]
    [TestCase("-Flags.Silent \\Seen", "Remove", true)]
    public void Each_data_item_names_its_operation(string text, string operation, bool silent)
    {
        var arguments = Parse(text);
        Assert.That((arguments.Operation, arguments.Silent, arguments.Flags.Single()), Is.EqualTo((Enum.Parse<StoreOperation>(operation), silent, "\\Seen")));
    }

    [Test]
    public void Flags_may_go_without_parentheses_and_an_empty_list_clears()
    {
        Assert.That(Parse("FLAGS \\Seen $Forwarded \\SEEN").Flags, Is.EqualTo(new[] { "\\Seen", "$Forwarded" }));
        Assert.That(Parse("FLAGS ()").Flags, Is.Empty);
    }

    [Test]
    public void UNCHANGEDSINCE_comes_before_the_data_item()
    {
        // RFC 7162 §3.1.3: C: d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\Deleted)
        Assert.That(Parse("(UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)"),
            Is.EqualTo(new StoreArguments(StoreOperation.Add, true, ["\\Deleted"], 320162338)));
        Assert.That(Parse("(UNCHANGEDSINCE 0) FLAGS ()").UnchangedSince, Is.Zero);
    }

    [TestCase("", "expected FLAGS")]
    [TestCase("LABELS (x)", "unknown STORE data item")]
    [TestCase("FLAGS.LOUD (\\Seen)", "unknown STORE data item")]
    [TestCase("FLAGS", "needs flags")]
    [TestCase("FLAGS (\\Recent)", "not a flag")]
    [TestCase("FLAGS \\Seen (x)", "expected a flag")]
    [TestCase("FLAGS (\\Seen) x", "unexpected text")]
    [TestCase("(FOO 1) FLAGS ()", "unknown STORE modifier")]
    [TestCase("(UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) FLAGS ()", "twice")]
    [TestCase("(UNCHANGEDSINCE x) FLAGS ()", "needs a mod-sequence")]
    [TestCase("(UNCHANGEDSINCE 1)FLAGS ()", "expected a space")]
    public void Bad_arguments_are_refused_with_a_reason(string text, string reason)
    {
        var reader = ImapWire.Line(text);
        Assert.That(StoreArguments.TryParse(reader, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(reason));
    }
}
