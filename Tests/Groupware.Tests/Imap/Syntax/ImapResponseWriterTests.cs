using System.Buffers;
using System.Text;
using Groupware.Imap.Responses;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>The response writer's output, byte for byte (RFC 9051 §4.3 strings, §7.5.2 ENVELOPE and BODYSTRUCTURE).</summary>
public sealed class ImapResponseWriterTests
{
    private static string Write(Action<ImapResponseWriter> write, bool utf8 = false)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new ImapResponseWriter(buffer) { Utf8 = utf8 });
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [TestCase("abc", "\"abc\"")]
    [TestCase("", "\"\"")]
    [TestCase("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"")]
    [TestCase("line1\r\nline2", "{12}\r\nline1\r\nline2")]
    [TestCase("bare\nLF", "{7}\r\nbare\nLF")]
    [TestCase("Grüße", "{7}\r\nGrüße")]
    [TestCase("a\0b", "\"ab\"")]
    [TestCase("a\0\r\n", "{3}\r\na\r\n")]
    public void A_string_is_quoted_when_it_can_be_and_a_literal_otherwise(string value, string expected) =>
        Assert.That(Write(w => w.WriteString(value)), Is.EqualTo(expected));

    [Test]
    public void UTF_8_goes_quoted_once_the_session_allows_it()
    {
        Assert.That(Write(w => w.WriteString("Grüße"), utf8: true), Is.EqualTo("\"Grüße\""));
        Assert.That(Write(w => w.WriteString(new byte[] { 0xff, 0xfe }), utf8: true), Is.EqualTo("{2}\r\n\uFFFD\uFFFD"));
    }

    [Test]
    public void Literals_and_literal8_carry_their_octet_count()
    {
        Assert.That(Write(w => w.WriteLiteral("ab\r\n"u8)), Is.EqualTo("{4}\r\nab\r\n"));
        Assert.That(Write(w => w.WriteLiteral8("\0\r\n"u8)), Is.EqualTo("~{3}\r\n\0\r\n"));
        Assert.That(Write(w => w.WriteLiteralHeader(310)), Is.EqualTo("{310}\r\n"));
        Assert.That(Write(w => w.WriteLiteralHeader(0, binary: true)), Is.EqualTo("~{0}\r\n"));
    }

    [Test]
    public void BINARY_data_goes_as_literal8_only_when_it_holds_NUL()
    {
        // RFC 9051 §7.5.2: 8-bit data without NUL SHOULD go as a string, so the client knows there is none.
        Assert.That(Write(w => w.WriteBinary(new byte[] { 0, 0xff })), Is.EqualTo("~{2}\r\n\0\uFFFD"));
        Assert.That(Write(w => w.WriteBinary("8ébit"u8)), Is.EqualTo("{6}\r\n8ébit"));
        Assert.That(Write(w => w.WriteBinary("plain"u8)), Is.EqualTo("\"plain\""));
    }

    [Test]
    public void Atoms_numbers_NIL_and_nstrings()
    {
        Assert.That(Write(w =>
        {
            w.WriteText("* 12 FETCH ");
            w.WriteOpen();
            w.WriteAtom("UID");
            w.WriteSpace();
            w.WriteNumber(4294967295);
            w.WriteSpace();
            w.WriteNString(null);
            w.WriteSpace();
            w.WriteNString("x");
            w.WriteSpace();
            w.WriteNil();
            w.WriteClose();
            w.WriteCrlf();
        }), Is.EqualTo("* 12 FETCH (UID 4294967295 NIL \"x\" NIL)\r\n"));
    }

    [TestCase("INBOX", "INBOX")]
    [TestCase("NIL", "\"NIL\"")]
    [TestCase("a b", "\"a b\"")]
    [TestCase("", "\"\"")]
    [TestCase("x]y", "x]y")]
    public void An_astring_is_an_atom_where_it_can_be(string value, string expected) =>
        Assert.That(Write(w => w.WriteAString(value)), Is.EqualTo(expected));

    [Test]
    public void Mailbox_names_go_in_modified_UTF_7_to_IMAP4rev1_and_in_UTF_8_to_IMAP4rev2()
    {
        Assert.That(Write(w => w.WriteMailbox("~peter/mail/台北/日本語")), Is.EqualTo("\"~peter/mail/&U,BTFw-/&ZeVnLIqe-\""));
        Assert.That(Write(w => w.WriteMailbox("~peter/mail/台北/日本語"), utf8: true), Is.EqualTo("\"~peter/mail/台北/日本語\""));
        Assert.That(Write(w => w.WriteMailbox("R&D")), Is.EqualTo("\"R&-D\""));
    }

    [Test]
    public void Flag_lists_and_date_times()
    {
        Assert.That(Write(w => w.WriteFlagList(["\\Seen", "\\Deleted", "$Forwarded"])), Is.EqualTo("(\\Seen \\Deleted $Forwarded)"));
        Assert.That(Write(w => w.WriteFlagList([])), Is.EqualTo("()"));
        Assert.That(Write(w => w.WriteDateTime(new DateTimeOffset(1996, 7, 17, 2, 44, 25, TimeSpan.FromHours(-7)))),
            Is.EqualTo("\"17-Jul-1996 02:44:25 -0700\""));
        Assert.That(Write(w => w.WriteDateTime(new DateTimeOffset(2024, 2, 1, 23, 5, 9, TimeSpan.FromMinutes(330)))),
            Is.EqualTo("\"01-Feb-2024 23:05:09 +0530\""));
    }

    [Test]
    public void The_RFC_3501_example_message_gives_the_RFC_s_ENVELOPE()
    {
        // RFC 3501 §8, a003 fetch 12 full and a004 fetch 12 body[header].
        var summary = Summarise(string.Concat(
            "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n",
            "From: Terry Gray <gray@cac.washington.edu>\r\n",
            "Subject: IMAP4rev1 WG mtg summary and minutes\r\n",
            "To: imap@cac.washington.edu\r\n",
            "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n",
            "Message-Id: <B27397-0100000@cac.washington.edu>\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n",
            "\r\n",
            string.Concat(Enumerable.Repeat(new string('x', 31) + "\r\n", 91)),
            new string('y', 23) + "\r\n"));
        Assert.That(Write(w => w.WriteEnvelope(summary.EnvelopeJson)), Is.EqualTo(
            "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) " +
            "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL " +
            "\"<B27397-0100000@cac.washington.edu>\")"));
        Assert.That(Write(w => w.WriteBodyStructure(summary.BodyStructureJson, extensible: false)),
            Is.EqualTo("(\"text\" \"plain\" (\"charset\" \"US-ASCII\") NIL NIL \"7bit\" 3028 92)"));
    }

    [Test]
    public void Display_names_that_are_not_ASCII_go_as_encoded_words_unless_UTF_8_is_on()
    {
        const string json = """{"date":null,"subject":"Grüße","from":[{"name":"Jörg Müller","adl":null,"mailbox":"joerg","host":"example.de"}],"sender":null,"replyTo":null,"to":[{"group":"Bücher","members":[{"name":null,"adl":null,"mailbox":"a","host":"b.example"}]},{"group":"empty","members":[]}],"cc":[],"bcc":null,"inReplyTo":"","messageId":null,"extra":{"ignored":[1,2]}}""";
        Assert.That(Write(w => w.WriteEnvelope(json)), Is.EqualTo(
            "(NIL {7}\r\nGrüße ((\"=?utf-8?b?SsO2cmcgTcO8bGxlcg==?=\" NIL \"joerg\" \"example.de\")) NIL NIL " +
            "((NIL NIL \"=?utf-8?b?QsO8Y2hlcg==?=\" NIL)(NIL NIL \"a\" \"b.example\")(NIL NIL NIL NIL)(NIL NIL \"empty\" NIL)(NIL NIL NIL NIL)) NIL NIL \"\" NIL)"));
        Assert.That(Write(w => w.WriteEnvelope(json), utf8: true), Does.StartWith(
            "(NIL \"Grüße\" ((\"Jörg Müller\" NIL \"joerg\" \"example.de\")) NIL NIL ((NIL NIL \"Bücher\" NIL)"));
    }

    [Test]
    public void The_RFC_9051_two_part_example_as_BODY()
    {
        const string json = """
            {"type":"MULTIPART","subtype":"MIXED","params":{"boundary":"x"},"parts":[
              {"type":"TEXT","subtype":"PLAIN","params":{"CHARSET":"US-ASCII"},"id":null,"description":null,"encoding":"7BIT","size":1152,"lines":23,"md5":null},
              {"type":"TEXT","subtype":"PLAIN","params":{"CHARSET":"US-ASCII","NAME":"cc.diff"},"id":"<960723163407.20117h@cac.washington.edu>","description":"Compiler diff","encoding":"BASE64","size":4554,"lines":73,"md5":null,"headerOffset":10,"bodyOffset":20,"endOffset":30}]}
            """;
        Assert.That(Write(w => w.WriteBodyStructure(json, extensible: false)), Is.EqualTo(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)" +
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")"));
    }

    [Test]
    public void BODYSTRUCTURE_of_a_nested_multipart_with_a_message_part_carries_the_extension_data()
    {
        const string json = """
            {"type":"multipart","subtype":"mixed","params":{"boundary":"outer"},"language":["en"],"location":null,"parts":[
              {"type":"text","subtype":"plain","params":{},"id":null,"description":null,"encoding":"7bit","size":12,"lines":1,"md5":"Q2hlY2sgSW50ZWdyaXR5IQ==","language":["en","de"],"location":"http://example.test/a"},
              {"type":"message","subtype":"rfc822","params":{},"id":null,"description":"fwd","encoding":"7bit","size":300,"lines":9,"md5":null,
               "envelope":{"date":"Mon, 1 Jan 2024 00:00:00 +0000","subject":"inner","from":[{"name":null,"adl":null,"mailbox":"a","host":"b.example"}],"sender":null,"replyTo":null,"to":null,"cc":null,"bcc":null,"inReplyTo":null,"messageId":"<i@b>"},
               "body":{"type":"multipart","subtype":"alternative","params":{"boundary":"inner"},"parts":[
                 {"type":"text","subtype":"html","params":{"charset":"utf-8"},"id":null,"description":null,"encoding":"quoted-printable","size":40,"lines":2,"md5":null},
                 {"type":"image","subtype":"png","params":{"name":"naïve.png"},"id":"<img1>","description":null,"encoding":"base64","size":100,"md5":null,
                  "disposition":{"type":"inline","params":{"filename":"naïve.png"}}}]}},
              {"type":"multipart","subtype":"related","params":{},"parts":[]},
              {"type":"message","subtype":"rfc822","params":{},"encoding":"7bit","size":5,"lines":1}]}
            """;
        var text = "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" NIL (\"en\" \"de\") \"http://example.test/a\")";
        var inner = "(NIL NIL \"a\" \"b.example\")";
        var envelope = $"(\"Mon, 1 Jan 2024 00:00:00 +0000\" \"inner\" ({inner}) NIL NIL NIL NIL NIL NIL \"<i@b>\")";
        var html = "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 40 2 NIL NIL NIL NIL)";
        var png = "(\"image\" \"png\" (\"name*\" \"utf-8''na%C3%AFve.png\") \"<img1>\" NIL \"base64\" 100 NIL (\"inline\" (\"filename*\" \"utf-8''na%C3%AFve.png\")) NIL NIL)";
        var message = $"(\"message\" \"rfc822\" NIL NIL \"fwd\" \"7bit\" 300 {envelope} ({html}{png} \"alternative\" (\"boundary\" \"inner\") NIL NIL NIL) 9 NIL NIL NIL NIL)";
        var empty = "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) \"related\" NIL NIL NIL NIL)";
        var truncated = "(\"application\" \"octet-stream\" NIL NIL NIL \"7bit\" 5 NIL NIL NIL NIL)";
        Assert.That(Write(w => w.WriteBodyStructure(json, extensible: true)),
            Is.EqualTo($"({text}{message}{empty}{truncated} \"mixed\" (\"boundary\" \"outer\") NIL (\"en\") NIL)"));

        var body = Write(w => w.WriteBodyStructure(json, extensible: false));
        Assert.That(body, Is.EqualTo(
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1)" +
            $"(\"message\" \"rfc822\" NIL NIL \"fwd\" \"7bit\" 300 {envelope} ((\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 40 2)" +
            "(\"image\" \"png\" (\"name*\" \"utf-8''na%C3%AFve.png\") \"<img1>\" NIL \"base64\" 100) \"alternative\") 9)" +
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"related\")" +
            "(\"application\" \"octet-stream\" NIL NIL NIL \"7bit\" 5) \"mixed\")"));
        Assert.That(Write(w => w.WriteBodyStructure(json, extensible: false), utf8: true), Does.Contain("(\"name\" \"naïve.png\")"));
    }

    [Test]
    public void An_empty_summary_is_an_empty_text_part()
    {
        Assert.That(Write(w => w.WriteBodyStructure("{}", extensible: false)), Is.EqualTo("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)"));
        Assert.That(Write(w => w.WriteEnvelope("{}")), Is.EqualTo("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"));
    }

    internal static MessageSummary Summarise(string message)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(message));
        return MessageSummary.Parse(stream);
    }
}
