using Groupware.Imap.Syntax;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>SEARCH's arguments (RFC 9051 §6.4.4 and §9 <c>search</c>, RFC 4731, RFC 7162 MODSEQ, RFC 3501's NEW/OLD/RECENT).</summary>
public sealed class SearchProgramTests
{
    private static SearchProgram Parse(string text)
    {
        var reader = ImapWire.Line(text);
        Assert.That(SearchProgram.TryParse(reader, out var program, out var error), Is.True, error);
        return program;
    }

    private static string Refused(string text)
    {
        var reader = ImapWire.Line(text);
        Assert.That(SearchProgram.TryParse(reader, out _, out var error), Is.False);
        return error;
    }

    [Test]
    public void The_RFC_9051_example_with_RETURN_MIN_COUNT()
    {
        // C: A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
        var program = Parse("RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
        Assert.That(program.Return, Is.EqualTo(SearchReturnOptions.Min | SearchReturnOptions.Count));
        Assert.That(program.Criteria, Is.EqualTo(new AndKey(
        [
            new FlagKey("\\Flagged", true),
            new DateKey(SearchDateField.Internal, DateComparison.Since, new DateOnly(1994, 2, 1)),
            new NotKey(new TextKey(SearchTextField.From, "Smith")),
        ])));
    }

    [Test]
    public void An_empty_RETURN_list_or_none_means_ALL_and_SAVE_alone_stays_alone()
    {
        var empty = Parse("RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
        Assert.That((empty.Return, empty.EffectiveReturn), Is.EqualTo(((SearchReturnOptions?)SearchReturnOptions.None, SearchReturnOptions.All)));
        var none = Parse("TEXT \"string not in mailbox\"");
        Assert.That((none.Return, none.EffectiveReturn), Is.EqualTo(((SearchReturnOptions?)null, SearchReturnOptions.All)));
        Assert.That(Parse("RETURN (SAVE) UNSEEN").EffectiveReturn, Is.EqualTo(SearchReturnOptions.Save));
        Assert.That(Parse("RETURN (min max all count save) ALL").Return,
            Is.EqualTo(SearchReturnOptions.Min | SearchReturnOptions.Max | SearchReturnOptions.All | SearchReturnOptions.Count | SearchReturnOptions.Save));
    }

    [Test]
    public void A_CHARSET_with_a_literal_string_as_in_the_RFC()
    {
        // C: A285 SEARCH CHARSET UTF-8 TEXT {12}  C: отпуск
        var reader = ImapWire.Reader("A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск\r\n", out var command);
        using (command)
        {
            reader.TryReadTag(out _);
            reader.TrySpace();
            reader.TryReadAtom(out _);
            reader.TrySpace();
            Assert.That(SearchProgram.TryParse(reader, out var program, out var error), Is.True, error);
            Assert.That(program.Charset, Is.EqualTo("UTF-8"));
            Assert.That(program.Criteria, Is.EqualTo(new TextKey(SearchTextField.Text, "отпуск")));
        }
    }

    [Test]
    public void An_ISO_8859_1_search_string_is_decoded_in_its_charset()
    {
        var reader = new ImapReader("CHARSET ISO-8859-1 SUBJECT \""u8.ToArray().Concat(new byte[] { 0xe9, (byte)'"' }).ToArray());
        Assert.That(SearchProgram.TryParse(reader, out var program, out var error), Is.True, error);
        Assert.That(program.Criteria, Is.EqualTo(new TextKey(SearchTextField.Subject, "é")));
    }

    [Test]
    public void An_unknown_charset_is_told_apart_from_bad_syntax()
    {
        var reader = ImapWire.Line("CHARSET KOI8-X TEXT x");
        Assert.That(SearchProgram.TryParse(reader, out _, out var error, out var badCharset), Is.False);
        Assert.That((badCharset, error), Is.EqualTo((true, "CHARSET KOI8-X is not supported")));
        Assert.That(SearchProgram.TryParse(ImapWire.Line("TEXT"), out _, out _, out badCharset), Is.False);
        Assert.That(badCharset, Is.False);
    }

    [TestCase("ALL", typeof(AllKey))]
    [TestCase("1:5,7", typeof(SequenceSetKey))]
    [TestCase("*", typeof(SequenceSetKey))]
    [TestCase("$", typeof(SequenceSetKey))]
    [TestCase("UID 443:557", typeof(UidKey))]
    [TestCase("UID $", typeof(UidKey))]
    [TestCase("LARGER 10000", typeof(SizeKey))]
    [TestCase("SMALLER 1", typeof(SizeKey))]
    [TestCase("HEADER Message-ID \"<a@b>\"", typeof(HeaderKey))]
    [TestCase("HEADER X-Empty \"\"", typeof(HeaderKey))]
    [TestCase("OR SEEN FLAGGED", typeof(OrKey))]
    [TestCase("(DELETED)", typeof(FlagKey))]
    [TestCase("(DELETED UNSEEN)", typeof(AndKey))]
    [TestCase("MODSEQ 620162338", typeof(ModSeqKey))]
    public void Each_key_reads_as_its_record(string text, Type type) =>
        Assert.That(Parse(text).Criteria, Is.TypeOf(type));

    [TestCase("ANSWERED", "\\Answered", true)]
    [TestCase("deleted", "\\Deleted", true)]
    [TestCase("DRAFT", "\\Draft", true)]
    [TestCase("FLAGGED", "\\Flagged", true)]
    [TestCase("SEEN", "\\Seen", true)]
    [TestCase("UNANSWERED", "\\Answered", false)]
    [TestCase("UNDELETED", "\\Deleted", false)]
    [TestCase("UNDRAFT", "\\Draft", false)]
    [TestCase("UNFLAGGED", "\\Flagged", false)]
    [TestCase("unseen", "\\Seen", false)]
    [TestCase("KEYWORD $Forwarded", "$Forwarded", true)]
    [TestCase("UNKEYWORD Junk", "Junk", false)]
    [TestCase("RECENT", "\\Recent", true)]
    [TestCase("OLD", "\\Recent", false)]
    public void Flag_keys_name_their_flag(string text, string flag, bool set) =>
        Assert.That(Parse(text).Criteria, Is.EqualTo(new FlagKey(flag, set)));

    [Test]
    public void NEW_is_RECENT_and_UNSEEN() =>
        Assert.That(Parse("NEW").Criteria, Is.EqualTo(new AndKey([new FlagKey("\\Recent", true), new FlagKey("\\Seen", false)])));

    [TestCase("BCC x", "Bcc")]
    [TestCase("BODY x", "Body")]
    [TestCase("CC x", "Cc")]
    [TestCase("FROM x", "From")]
    [TestCase("SUBJECT x", "Subject")]
    [TestCase("TEXT x", "Text")]
    [TestCase("TO x", "To")]
    public void String_keys_name_their_text(string text, string field) =>
        Assert.That(Parse(text).Criteria, Is.EqualTo(new TextKey(Enum.Parse<SearchTextField>(field), "x")));

    [TestCase("BEFORE 1-Feb-1994", "Internal", "Before")]
    [TestCase("ON \"1-Feb-1994\"", "Internal", "On")]
    [TestCase("SINCE 01-Feb-1994", "Internal", "Since")]
    [TestCase("SENTBEFORE 1-feb-1994", "Sent", "Before")]
    [TestCase("SENTON 1-Feb-1994", "Sent", "On")]
    [TestCase("SENTSINCE 1-Feb-1994", "Sent", "Since")]
    public void Date_keys_name_their_date(string text, string field, string comparison) =>
        Assert.That(Parse(text).Criteria,
            Is.EqualTo(new DateKey(Enum.Parse<SearchDateField>(field), Enum.Parse<DateComparison>(comparison), new DateOnly(1994, 2, 1))));

    [Test]
    public void UID_SEARCH_1_100_UID_443_557_intersects_two_sets()
    {
        // RFC 9051 §6.4.9: UID SEARCH 1:100 UID 443:557.
        var criteria = (AndKey)Parse("1:100 UID 443:557").Criteria;
        Assert.That(criteria.Keys[0], Is.EqualTo(new SequenceSetKey(SequenceSet.Of(new SequenceRange(1, 100)))));
        Assert.That(criteria.Keys[1], Is.EqualTo(new UidKey(SequenceSet.Of(new SequenceRange(443, 557)))));
    }

    [Test]
    public void MODSEQ_takes_its_entry_name_and_type()
    {
        // RFC 7162 §3.1.5: SEARCH MODSEQ "/flags/\\draft" all 620162338
        Assert.That(Parse("MODSEQ \"/flags/\\\\draft\" all 620162338").Criteria, Is.EqualTo(new ModSeqKey(620162338, "/flags/\\draft", "all")));
        Assert.That(Parse("MODSEQ 0").Criteria, Is.EqualTo(new ModSeqKey(0, null, null)));
    }

    [Test]
    public void OR_and_NOT_nest_and_parentheses_group()
    {
        var criteria = Parse("OR (FROM a SUBJECT b) NOT (TO c)").Criteria;
        Assert.That(criteria, Is.EqualTo(new OrKey(
            new AndKey([new TextKey(SearchTextField.From, "a"), new TextKey(SearchTextField.Subject, "b")]),
            new NotKey(new TextKey(SearchTextField.To, "c")))));
    }

    [Test]
    public void Nesting_is_bounded()
    {
        var deep = string.Concat(Enumerable.Repeat("NOT ", SearchProgram.MaxDepth)) + "SEEN";
        Assert.That(Parse(deep).Criteria, Is.TypeOf<NotKey>());
        Assert.That(Refused("NOT " + deep), Does.Contain($"deeper than {SearchProgram.MaxDepth}"));
        var parens = new string('(', SearchProgram.MaxDepth + 1) + "SEEN" + new string(')', SearchProgram.MaxDepth + 1);
        Assert.That(Refused(parens), Does.Contain("deeper"));
        var ors = string.Concat(Enumerable.Repeat("OR SEEN ", 5000)) + "SEEN";
        Assert.That(Refused(ors), Does.Contain("deeper"));
    }

    [TestCase("", "search key")]
    [TestCase("FROB", "unknown search key FROB")]
    [TestCase("FROM", "FROM needs an argument")]
    [TestCase("SINCE yesterday", "bad date")]
    [TestCase("LARGER x", "LARGER needs a size")]
    [TestCase("UID x", "sequence set")]
    [TestCase("OR SEEN", "expected a space")]
    [TestCase("()", "cannot be empty")]
    [TestCase("(SEEN", "expected a space or ')'")]
    [TestCase("SEEN  DELETED", "search key")]
    [TestCase("KEYWORD \\Seen", "needs a keyword")]
    [TestCase("HEADER Subject", "HEADER needs a field name and a string")]
    [TestCase("RETURN (FOO) ALL", "unknown SEARCH result option FOO")]
    [TestCase("RETURN MIN ALL", "expected '('")]
    [TestCase("CHARSET", "expected a space")]
    [TestCase("MODSEQ \"/foo/x\" all 1", "entry name")]
    [TestCase("MODSEQ \"/flags/\\\\seen\" most 1", "entry type")]
    [TestCase("SUBJECT \"unterminated", "closing")]
    [TestCase("0", "start at 1")]
    public void Bad_programs_are_refused_with_a_reason(string text, string reason) =>
        Assert.That(Refused(text), Does.Contain(reason));
}
