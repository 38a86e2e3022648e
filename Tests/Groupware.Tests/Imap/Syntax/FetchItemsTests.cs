using Groupware.Imap.Syntax;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>FETCH's data items (RFC 9051 §6.4.5, §9 <c>fetch-att</c>; RFC 3501, RFC 3516, RFC 7162).</summary>
public sealed class FetchItemsTests
{
    private static FetchItems Parse(string text)
    {
        var reader = ImapWire.Line(text);
        Assert.That(FetchItems.TryParse(reader, out var items, out var error), Is.True, error);
        return items;
    }

    private static string Refused(string text)
    {
        var reader = ImapWire.Line(text);
        Assert.That(FetchItems.TryParse(reader, out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
        return error;
    }

    [Test]
    public void The_RFC_9051_example_FLAGS_and_HEADER_FIELDS()
    {
        // C: A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])
        var items = Parse("(FLAGS BODY[HEADER.FIELDS (DATE FROM)])");
        Assert.That(items.Attributes, Is.EqualTo(new FetchAttribute[]
        {
            new FetchItemAttribute(FetchItem.Flags),
            new BodySectionAttribute(new BodySection(SectionPart.Message, SectionText.HeaderFields, ["DATE", "FROM"]), false, null),
        }));
        Assert.That(items.Attributes[1].ResponseName, Is.EqualTo("BODY[HEADER.FIELDS (DATE FROM)]"));
        Assert.That(items.SetsSeen, Is.True);
    }

    [TestCase("ALL", "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")]
    [TestCase("fast", "(FLAGS INTERNALDATE RFC822.SIZE)")]
    [TestCase("Full", "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)")]
    [TestCase("BODYSTRUCTURE", "(BODYSTRUCTURE)")]
    [TestCase("(uid rfc822.size)", "(UID RFC822.SIZE)")]
    [TestCase("(ENVELOPE FLAGS INTERNALDATE MODSEQ)", "(ENVELOPE FLAGS INTERNALDATE MODSEQ)")]
    [TestCase("(RFC822 RFC822.HEADER RFC822.TEXT)", "(RFC822 RFC822.HEADER RFC822.TEXT)")]
    [TestCase("BODY", "(BODY)")]
    [TestCase("BODY[]", "(BODY[])")]
    [TestCase("body.peek[]<0.2048>", "(BODY.PEEK[]<0.2048>)")]
    [TestCase("BODY[TEXT]", "(BODY[TEXT])")]
    [TestCase("BODY.PEEK[HEADER]", "(BODY.PEEK[HEADER])")]
    [TestCase("BODY[1]", "(BODY[1])")]
    [TestCase("BODY[4.2.2.1]", "(BODY[4.2.2.1])")]
    [TestCase("BODY[3.HEADER]", "(BODY[3.HEADER])")]
    [TestCase("BODY[4.2.TEXT]", "(BODY[4.2.TEXT])")]
    [TestCase("BODY[4.1.MIME]", "(BODY[4.1.MIME])")]
    [TestCase("BODY.PEEK[1.HEADER.FIELDS.NOT (Received \"X-Odd\")]", "(BODY.PEEK[1.HEADER.FIELDS.NOT (Received X-Odd)])")]
    [TestCase("BINARY[]", "(BINARY[])")]
    [TestCase("BINARY.PEEK[1.2]<100.200>", "(BINARY.PEEK[1.2]<100.200>)")]
    [TestCase("BINARY.SIZE[3]", "(BINARY.SIZE[3])")]
    [TestCase("(FLAGS) (CHANGEDSINCE 12345)", "(FLAGS) (CHANGEDSINCE 12345)")]
    [TestCase("(FLAGS) (changedsince 7 vanished)", "(FLAGS) (CHANGEDSINCE 7 VANISHED)")]
    public void Data_items_and_macros_read_as_a_client_writes_them(string text, string expected) =>
        Assert.That(Parse(text).ToString(), Is.EqualTo(expected));

    [Test]
    public void A_partial_fetch_carries_offset_and_length_and_answers_with_its_origin()
    {
        var item = (BodySectionAttribute)Parse("BODY[]<0.2048>").Attributes.Single();
        Assert.That(item.Partial, Is.EqualTo(new FetchPartial(0, 2048)));
        Assert.That(item.ResponseName, Is.EqualTo("BODY[]<0>"));
        var binary = (BinarySectionAttribute)Parse("BINARY.PEEK[1]<9223372036854775807.1>").Attributes.Single();
        Assert.That(binary.Partial, Is.EqualTo(new FetchPartial(long.MaxValue, 1)));
        Assert.That(binary.ResponseName, Is.EqualTo("BINARY[1]<9223372036854775807>"));
    }

    [Test]
    public void PEEK_items_and_RFC822_HEADER_do_not_set_Seen_and_the_others_do()
    {
        Assert.That(Parse("(BODY.PEEK[] BINARY.PEEK[1] RFC822.HEADER BODY ENVELOPE)").SetsSeen, Is.False);
        Assert.That(Parse("RFC822").SetsSeen, Is.True);
        Assert.That(Parse("RFC822.TEXT").SetsSeen, Is.True);
        Assert.That(Parse("BINARY[1]").SetsSeen, Is.True);
    }

    [Test]
    public void The_modifier_is_parsed_only()
    {
        var items = Parse("(FLAGS) (CHANGEDSINCE 320162338)");
        Assert.That((items.ChangedSince, items.Vanished), Is.EqualTo(((long?)320162338, false)));
    }

    [TestCase("", "FETCH data item")]
    [TestCase("()", "at least one")]
    [TestCase("(FLAGS ALL)", "by itself")]
    [TestCase("(ALL)", "by itself")]
    [TestCase("FLAGS[]", "takes no section")]
    [TestCase("BODY.PEEK", "needs a section")]
    [TestCase("BINARY", "needs a section")]
    [TestCase("BODY[MIME]", "MIME needs a part number")]
    [TestCase("BODY[1.]", "expected HEADER")]
    [TestCase("BODY[0]", "non-zero")]
    [TestCase("BODY[HEADER.FIELDS]", "expected a space")]
    [TestCase("BODY[HEADER.FIELDS ()]", "at least one field name")]
    [TestCase("BODY[HEADER.FIELDS (\"\")]", "cannot be empty")]
    [TestCase("BODY[HEADERS]", "unknown section text")]
    [TestCase("BODY[1", "expected ']'")]
    [TestCase("BODY[]<0.0>", "partial range")]
    [TestCase("BODY[]<5>", "partial range")]
    [TestCase("BINARY[1.MIME]", "part numbers only")]
    [TestCase("BINARY.SIZE[1]<0.1>", "no partial")]
    [TestCase("(FLAGS", "expected a space or ')'")]
    [TestCase("(FLAGS  UID)", "expected a FETCH data item")]
    [TestCase("XYZZY", "unknown FETCH data item XYZZY")]
    [TestCase("FLAGS UID", "expected '('")]
    [TestCase("(FLAGS) (CHANGEDSINCE 0)", "above 0")]
    [TestCase("(FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)", "twice")]
    [TestCase("(FLAGS) (FOO)", "unknown FETCH modifier")]
    [TestCase("(FLAGS) (CHANGEDSINCE 1) x", "unexpected text")]
    public void Bad_data_items_are_refused_with_a_reason(string text, string reason) =>
        Assert.That(Refused(text), Does.Contain(reason));

    [Test]
    public void Header_field_names_may_come_as_literals()
    {
        var reader = ImapWire.Reader("a FETCH 1 BODY[HEADER.FIELDS ({4}\r\nDATE)]\r\n", out var command);
        using (command)
        {
            reader.TryReadTag(out _);
            reader.TrySpace();
            reader.TryReadAtom(out _);
            reader.TrySpace();
            reader.TryReadSequenceSet(out _);
            reader.TrySpace();
            Assert.That(FetchItems.TryParse(reader, out var items, out var error), Is.True, error);
            Assert.That(((BodySectionAttribute)items.Attributes[0]).Section.Fields, Is.EqualTo(new[] { "DATE" }));
        }
    }
}
