using System.Text;
using Groupware.Connections.Framing;
using Groupware.Imap.Syntax;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>The reader's productions of RFC 9051 §9, on lines and literals as the framer delivers them.</summary>
public sealed class ImapReaderTests
{
    [Test]
    public void A_LOGIN_with_two_literals_reads_tag_command_and_both_strings()
    {
        // RFC 9051 §6.2.3's LOGIN, with the user name and password sent as literals (RFC 9051 §4.3).
        var reader = ImapWire.Reader("a001 LOGIN {5}\r\nSMITH {6+}\r\nSESAME\r\n", out var command);
        using (command)
        {
            Assert.That(reader.TryReadTag(out var tag), Is.True);
            Assert.That(reader.TrySpace(), Is.True);
            Assert.That(reader.TryReadAtom(out var name), Is.True);
            Assert.That(reader.TrySpace(), Is.True);
            Assert.That(reader.TryReadAString(out var user), Is.True);
            Assert.That(reader.TrySpace(), Is.True);
            Assert.That(reader.TryReadAString(out var password), Is.True);
            Assert.That((tag, name, user, password), Is.EqualTo(("a001", "LOGIN", "SMITH", "SESAME")));
            Assert.That(reader.AtEnd, Is.True);
        }
    }

    [Test]
    public void A_literal_holds_any_octets_but_NUL_and_the_line_goes_on_after_it()
    {
        var reader = ImapWire.Reader("A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск ALL\r\n", out var command);
        using (command)
        {
            reader.TryReadTag(out _);
            Assert.That(reader.TrySpace() && reader.TryReadAtom(out _) && reader.TrySpace() && reader.TryReadAtom(out _) && reader.TrySpace()
                && reader.TryReadAtom(out _) && reader.TrySpace() && reader.TryReadAtom(out _) && reader.TrySpace(), Is.True);
            Assert.That(reader.TryReadAString(out var text), Is.True, reader.Error);
            Assert.That(text, Is.EqualTo("отпуск"));
            Assert.That(reader.TrySpace() && reader.TryReadAtom(out var all) && all == "ALL" && reader.AtEnd, Is.True);
        }
    }

    [Test]
    public void A_literal_with_NUL_is_refused_as_a_string_and_literal8_is_only_for_APPEND()
    {
        var reader = ImapWire.Reader("a LOGIN {3}\r\na\0b\r\n", out var command);
        using (command)
        {
            reader.TryReadTag(out _);
            reader.TrySpace();
            reader.TryReadAtom(out _);
            reader.TrySpace();
            Assert.That(reader.TryReadAString(out _), Is.False);
            Assert.That(reader.Error, Does.Contain("NUL"));
        }

        reader = ImapWire.Reader("a LOGIN ~{3}\r\nabc\r\n", out command);
        using (command)
        {
            reader.TryReadTag(out _);
            reader.TrySpace();
            reader.TryReadAtom(out _);
            reader.TrySpace();
            var before = reader.Position;
            Assert.That(reader.TryReadString(out _), Is.False);
            Assert.That(reader.Error, Does.Contain("literal8"));
            Assert.That(reader.Position, Is.EqualTo(before));
        }
    }

    [Test]
    public void A_spooled_literal_is_refused_as_a_string_but_given_to_APPEND()
    {
        using var spooled = CommandLiteral.Spooled(3, false, Path.GetTempPath());
        spooled.WriteAsync(new System.Buffers.ReadOnlySequence<byte>("abc"u8.ToArray()), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var reader = new ImapReader(["{3}"u8.ToArray(), ReadOnlyMemory<byte>.Empty], [spooled]);
        Assert.That(reader.TryReadString(out _), Is.False);
        Assert.That(reader.Error, Does.Contain("cannot be taken as a string"));
        Assert.That(reader.TryReadLiteralBody(out var body) && body.IsSpooled && reader.AtEnd, Is.True);
    }

    [Test]
    public void APPEND_takes_its_message_as_the_literal_itself_in_either_form()
    {
        // RFC 9051 §6.3.12's example, and RFC 3516 §4.4's literal8.
        var reader = ImapWire.Reader("A003 APPEND saved-messages (\\Seen) {22}\r\nFrom: a\r\n\r\nHello there\r\n", out var command);
        using (command)
        {
            reader.TryReadTag(out _);
            reader.TrySpace();
            reader.TryReadAtom(out _);
            reader.TrySpace();
            Assert.That(reader.TryReadMailbox(false, out var mailbox), Is.True);
            reader.TrySpace();
            Assert.That(reader.TryReadFlagList(out var flags), Is.True);
            reader.TrySpace();
            Assert.That(reader.TryReadLiteralBody(out var message), Is.True, reader.Error);
            Assert.That((mailbox, flags.Single(), message.IsBinary, Encoding.ASCII.GetString(message.Memory.Span)),
                Is.EqualTo(("saved-messages", "\\Seen", false, "From: a\r\n\r\nHello there")));
            Assert.That(reader.AtEnd, Is.True);
        }

        reader = ImapWire.Reader("A4 APPEND INBOX ~{3}\r\n\0\r\n\r\n", out command);
        using (command)
        {
            reader.TryReadTag(out _);
            reader.TrySpace();
            reader.TryReadAtom(out _);
            reader.TrySpace();
            reader.TryReadMailbox(false, out _);
            reader.TrySpace();
            Assert.That(reader.TryReadLiteralBody(out var message), Is.True);
            Assert.That(message.IsBinary && message.Memory.Span.SequenceEqual("\0\r\n"u8), Is.True);
        }
    }

    [TestCase("\"\"", "")]
    [TestCase("\"a b\"", "a b")]
    [TestCase("\"say \\\"hi\\\"\"", "say \"hi\"")]
    [TestCase("\"back\\\\slash\"", "back\\slash")]
    [TestCase("\"Grüße\"", "Grüße")]
    [TestCase("atom]with]brackets", "atom]with]brackets")]
    public void An_astring_is_an_atom_or_a_quoted_string(string text, string expected)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadAString(out var value), Is.True, reader.Error);
        Assert.That(value, Is.EqualTo(expected));
        Assert.That(reader.AtEnd, Is.True);
    }

    [TestCase("\"unterminated", "closing")]
    [TestCase("\"bad \\n escape\"", "backslash")]
    [TestCase("(list)", "string")]
    [TestCase("", "end of the command")]
    [TestCase("{5}", "missing")]
    [TestCase("{5} trailing", "must end the line")]
    public void Bad_strings_are_refused_with_a_reason_and_the_reader_stays_put(string text, string reason)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadAString(out _), Is.False);
        Assert.That(reader.Error, Does.Contain(reason));
        Assert.That(reader.Position, Is.EqualTo(new ReaderPosition(0, 0)));
    }

    [Test]
    public void A_string_that_is_not_UTF_8_is_refused_as_text_and_given_as_octets()
    {
        var reader = new ImapReader(new byte[] { (byte)'"', 0xe9, (byte)'"' });
        Assert.That(reader.TryReadString(out _), Is.False);
        Assert.That(reader.Error, Does.Contain("UTF-8"));
        Assert.That(reader.TryReadStringOctets(out var octets), Is.True);
        Assert.That(octets, Is.EqualTo(new byte[] { 0xe9 }));
    }

    [TestCase("NIL", null)]
    [TestCase("nil", null)]
    [TestCase("\"NIL\"", "NIL")]
    [TestCase("\"x\"", "x")]
    public void An_nstring_is_a_string_or_NIL(string text, string? expected)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadNString(out var value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase("A001", true)]
    [TestCase("a.b-c_d]e", true)]
    [TestCase("+tag", false)]
    [TestCase("*", false)]
    [TestCase("(x", false)]
    public void A_tag_is_astring_chars_but_plus(string text, bool ok)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadTag(out var tag), Is.EqualTo(ok));
        if (ok)
        {
            Assert.That(tag, Is.EqualTo(text));
        }
    }

    [Test]
    public void Spaces_are_exactly_one_SP()
    {
        var reader = ImapWire.Line("a\tb");
        reader.TryReadAtom(out _);
        Assert.That(reader.TrySpace(), Is.False);
        Assert.That(reader.Error, Does.Contain("expected a space"));
    }

    [TestCase("0", 0u)]
    [TestCase("4294967295", 4294967295u)]
    [TestCase("007", 7u)]
    public void A_number_is_32_bits(string text, uint expected)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadNumber(out var n), Is.True);
        Assert.That(n, Is.EqualTo(expected));
    }

    [TestCase("4294967296", "too large")]
    [TestCase("x", "expected a number")]
    public void A_number_out_of_range_or_missing_is_refused(string text, string reason)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadNumber(out _), Is.False);
        Assert.That(reader.Error, Does.Contain(reason));
    }

    [Test]
    public void An_nz_number_refuses_zero_and_number64_takes_63_bits()
    {
        Assert.That(ImapWire.Line("0").TryReadNzNumber(out _), Is.False);
        Assert.That(ImapWire.Line("012").TryReadNzNumber(out _), Is.False);
        Assert.That(ImapWire.Line("9223372036854775807").TryReadNumber64(out var big) && big == long.MaxValue, Is.True);
        Assert.That(ImapWire.Line("9223372036854775808").TryReadNumber64(out _), Is.False);
    }

    [TestCase("\"17-Jul-1996 02:44:25 -0700\"", 1996, 7, 17, 2, 44, 25, -7 * 60)]
    [TestCase("\" 7-Feb-1994 21:52:25 -0800\"", 1994, 2, 7, 21, 52, 25, -8 * 60)]
    [TestCase("\"7-feb-1994 21:52:25 +0530\"", 1994, 2, 7, 21, 52, 25, 5 * 60 + 30)]
    [TestCase("\"01-Jan-2000 00:00:00 +0000\"", 2000, 1, 1, 0, 0, 0, 0)]
    public void A_date_time_is_read_with_its_zone(string text, int year, int month, int day, int hour, int minute, int second, int offsetMinutes)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadDateTime(out var value), Is.True, reader.Error);
        Assert.That(value, Is.EqualTo(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromMinutes(offsetMinutes))));
        Assert.That(value.Offset, Is.EqualTo(TimeSpan.FromMinutes(offsetMinutes)));
        Assert.That(reader.AtEnd, Is.True);
    }

    [TestCase("17-Jul-1996 02:44:25 -0700")]
    [TestCase("\"17-Jul-1996 02:44:25\"")]
    [TestCase("\"32-Jul-1996 02:44:25 -0700\"")]
    [TestCase("\"29-Feb-2023 02:44:25 -0700\"")]
    [TestCase("\"17-Jux-1996 02:44:25 -0700\"")]
    [TestCase("\"17-Jul-1996 24:00:00 -0700\"")]
    [TestCase("\"17-Jul-1996 02:44:25 +1500\"")]
    [TestCase("\"17-Jul-1996 02:44:25 -07\"")]
    [TestCase("\"01-Jan-0001 00:00:00 +0100\"")]
    [TestCase("\"31-Dec-9999 23:59:59 -0100\"")]
    public void A_bad_date_time_is_refused(string text)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadDateTime(out _), Is.False);
        Assert.That(reader.Error, Does.Contain("date-time"));
    }

    [TestCase("1-Feb-1994", 1994, 2, 1)]
    [TestCase("\"1-Feb-1994\"", 1994, 2, 1)]
    [TestCase("29-feb-2024", 2024, 2, 29)]
    public void A_search_date_is_quoted_or_not(string text, int year, int month, int day)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadDate(out var date), Is.True, reader.Error);
        Assert.That(date, Is.EqualTo(new DateOnly(year, month, day)));
    }

    [TestCase("\\Seen", "\\Seen")]
    [TestCase("\\SEEN", "\\Seen")]
    [TestCase("\\answered", "\\Answered")]
    [TestCase("$Forwarded", "$Forwarded")]
    [TestCase("NonJunk", "NonJunk")]
    public void A_flag_is_a_system_flag_in_RFC_spelling_or_a_keyword_as_sent(string text, string expected)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadFlag(out var flag), Is.True);
        Assert.That(flag, Is.EqualTo(expected));
    }

    [TestCase("\\Recent")]
    [TestCase("\\Custom")]
    [TestCase("\\")]
    [TestCase("\\*")]
    public void Other_backslash_flags_are_refused_unless_the_wildcard_is_allowed(string text)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadFlag(out _), Is.False);
        Assert.That(reader.Error, Does.Contain("not a flag"));
        Assert.That(reader.Position.Offset, Is.Zero);
    }

    [Test]
    public void The_wildcard_flag_is_read_where_allowed()
    {
        Assert.That(ImapWire.Line("\\*").TryReadFlag(out var flag, allowWildcard: true) && flag == "\\*", Is.True);
    }

    [Test]
    public void A_flag_list_drops_duplicates_and_may_be_empty()
    {
        var reader = ImapWire.Line("(\\Seen $Label1 \\seen \\Deleted)");
        Assert.That(reader.TryReadFlagList(out var flags), Is.True);
        Assert.That(flags, Is.EqualTo(new[] { "\\Seen", "$Label1", "\\Deleted" }));
        Assert.That(ImapWire.Line("()").TryReadFlagList(out var none) && none.Count == 0, Is.True);
        Assert.That(ImapWire.Line("(\\Seen").TryReadFlagList(out _), Is.False);
        Assert.That(ImapWire.Line("(\\Seen  \\Draft)").TryReadFlagList(out _), Is.False);
    }

    [TestCase("INBOX", false, "INBOX")]
    [TestCase("inbox", false, "INBOX")]
    [TestCase("\"iNbOx\"", false, "INBOX")]
    [TestCase("INBOX.sub", false, "INBOX.sub")]
    [TestCase("\"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"", false, "~peter/mail/台北/日本語")]
    [TestCase("\"a&-b\"", false, "a&b")]
    [TestCase("\"~peter/mail/台北\"", true, "~peter/mail/台北")]
    [TestCase("&U,BTFw-", true, "&U,BTFw-")]
    public void A_mailbox_name_is_decoded_and_INBOX_is_canonical(string text, bool utf8, string expected)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadMailbox(utf8, out var name), Is.True, reader.Error);
        Assert.That(name, Is.EqualTo(expected));
    }

    [Test]
    public void A_UTF_8_mailbox_name_is_put_in_NFC()
    {
        var reader = ImapWire.Line("\"Cafe\u0301\"");
        Assert.That(reader.TryReadMailbox(true, out var name), Is.True);
        Assert.That(name, Is.EqualTo("Caf\u00e9"));
    }

    [TestCase("\"&AA0-\"", false, "NUL, CR or LF")]
    public void A_bad_mailbox_name_is_refused(string text, bool utf8, string reason)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadMailbox(utf8, out _), Is.False);
        Assert.That(reader.Error, Does.Contain(reason));
        Assert.That(reader.Position.Offset, Is.Zero);
    }

    /// <summary>
    /// A name that is not valid modified UTF-7 is read as sent, as Dovecot does, so that SELECT of it is
    /// "no such mailbox" (NO) rather than BAD; CREATE and RENAME refuse it through <see cref="ImapReader.LastMailboxError"/>.
    /// </summary>
    [TestCase("\"&Jjo!\"", "&Jjo!")]
    [TestCase("\"台北\"", "台北")]
    [TestCase("\"&AAA-\"", "&AAA-")]
    public void A_name_that_is_not_modified_UTF_7_is_read_as_sent_and_marked(string text, string name)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadMailbox(false, out var read), Is.True);
        Assert.That(read, Is.EqualTo(name));
        Assert.That(reader.LastMailboxError, Does.Contain("modified UTF-7"));
    }

    [Test]
    public void A_mailbox_name_with_CR_in_a_literal_is_refused()
    {
        var reader = ImapWire.Reader("a CREATE {3}\r\na\rb\r\n", out var command);
        using (command)
        {
            reader.TryReadTag(out _);
            reader.TrySpace();
            reader.TryReadAtom(out _);
            reader.TrySpace();
            Assert.That(reader.TryReadMailbox(true, out _), Is.False);
            Assert.That(reader.Error, Does.Contain("CR"));
        }
    }

    [TestCase("*", "*")]
    [TestCase("%", "%")]
    [TestCase("~/Mail/%", "~/Mail/%")]
    [TestCase("\"foo*bar\"", "foo*bar")]
    [TestCase("&ZeVnLIqe-/*", "日本語/*")]
    public void A_list_pattern_takes_the_wildcards(string text, string expected)
    {
        var reader = ImapWire.Line(text);
        Assert.That(reader.TryReadListMailbox(false, out var pattern), Is.True, reader.Error);
        Assert.That(pattern, Is.EqualTo(expected));
    }

    [Test]
    public void A_parenthesised_list_reads_its_items_and_says_what_is_wrong()
    {
        var items = new List<string>();
        var reader = ImapWire.Line("(a \"b c\" d)");
        Assert.That(reader.TryReadList(r => r.TryReadAString(out var s) && Add(items, s)), Is.True);
        Assert.That(items, Is.EqualTo(new[] { "a", "b c", "d" }));

        reader = ImapWire.Line("(a (b))");
        Assert.That(reader.TryReadList(r => r.TryReadAString(out _)), Is.False);
        Assert.That(reader.Error, Does.Contain("string"));
        Assert.That(reader.Position.Offset, Is.Zero);

        Assert.That(ImapWire.Line("()").TryReadList(_ => true, allowEmpty: false), Is.False);
    }

    [Test]
    public void Keywords_compare_ignoring_case_and_must_end_there()
    {
        Assert.That(ImapWire.Line("charset UTF-8").TryReadKeyword("CHARSET"), Is.True);
        Assert.That(ImapWire.Line("CHARSETS").TryReadKeyword("CHARSET"), Is.False);
    }

    [Test]
    public void The_end_is_the_end_of_the_last_line()
    {
        var reader = ImapWire.Reader("a X {1}\r\nb\r\n", out var command);
        using (command)
        {
            reader.TryReadTag(out _);
            reader.TrySpace();
            reader.TryReadAtom(out _);
            reader.TrySpace();
            Assert.That(reader.AtEnd, Is.False);
            Assert.That(reader.Peek(), Is.EqualTo('{'));
            reader.TryReadAString(out _);
            Assert.That(reader.AtEnd, Is.True);
            Assert.That(reader.Peek(), Is.EqualTo(-1));
            Assert.That(reader.TryEnd(), Is.True);
        }

        var extra = ImapWire.Line("x y");
        extra.TryReadAtom(out _);
        Assert.That(extra.TryEnd(), Is.False);
        Assert.That(extra.Error, Does.Contain("unexpected text"));
    }

    private static bool Add(List<string> items, string item)
    {
        items.Add(item);
        return true;
    }
}
