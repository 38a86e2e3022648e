using System.Text;
using System.Text.Json;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Storage;

/// <summary>
/// The parse results stored with each body (RFC 9051 §7.5.2 ENVELOPE and BODYSTRUCTURE, SEARCH
/// fields), computed once with MimeKit: part sizes count the octets of each part's body.
/// </summary>
public sealed class MessageSummaryTests
{
    private const string TextPart = "Hello Bob,\r\nsee the attachment.\r\n";
    private const string Attachment = "SGVsbG8gd29ybGQh\r\n";

    private static readonly string Multipart =
        "From: \"Alice Example\" <alice@example.org>\r\n" +
        "To: bob@example.test, Team: carol@example.test, dave@example.test;\r\n" +
        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n" +
        "Date: Mon, 2 Nov 2026 10:00:00 +0100\r\n" +
        "Message-ID: <m1@example.org>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
        "\r\n" +
        "preamble\r\n" +
        "--b1\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        TextPart +
        "\r\n--b1\r\n" +
        "Content-Type: application/octet-stream; name=hello.bin\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=hello.bin\r\n" +
        "\r\n" +
        Attachment +
        "\r\n--b1--\r\n";

    [Test]
    public void The_envelope_keeps_raw_fields_and_parses_addresses_and_groups()
    {
        using var envelope = JsonDocument.Parse(Parse(Multipart).EnvelopeJson);
        var root = envelope.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("subject").GetString(), Is.EqualTo("=?UTF-8?Q?Gr=C3=BC=C3=9Fe?="), "ENVELOPE carries the field as sent");
            Assert.That(root.GetProperty("date").GetString(), Is.EqualTo("Mon, 2 Nov 2026 10:00:00 +0100"));
            Assert.That(root.GetProperty("messageId").GetString(), Is.EqualTo("<m1@example.org>"));
            Assert.That(root.GetProperty("from")[0].GetProperty("name").GetString(), Is.EqualTo("Alice Example"));
            Assert.That(root.GetProperty("from")[0].GetProperty("mailbox").GetString(), Is.EqualTo("alice"));
            Assert.That(root.GetProperty("sender")[0].GetProperty("host").GetString(), Is.EqualTo("example.org"), "sender defaults to from");
            Assert.That(root.GetProperty("replyTo")[0].GetProperty("host").GetString(), Is.EqualTo("example.org"), "reply-to defaults to from");
            Assert.That(root.GetProperty("to")[1].GetProperty("group").GetString(), Is.EqualTo("Team"));
            Assert.That(root.GetProperty("to")[1].GetProperty("members").GetArrayLength(), Is.EqualTo(2));
            Assert.That(root.GetProperty("cc").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public void The_body_structure_gives_each_part_its_body_size_lines_and_disposition()
    {
        using var structure = JsonDocument.Parse(Parse(Multipart).BodyStructureJson);
        var root = structure.RootElement;
        var parts = root.GetProperty("parts");
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("multipart"));
            Assert.That(root.GetProperty("subtype").GetString(), Is.EqualTo("mixed"));
            Assert.That(Parameter(root, "boundary"), Is.EqualTo("b1"));
            Assert.That(parts.GetArrayLength(), Is.EqualTo(2));
            Assert.That(Parameter(parts[0], "charset"), Is.EqualTo("utf-8"));
            Assert.That(parts[0].GetProperty("size").GetInt64(), Is.EqualTo(Encoding.ASCII.GetByteCount(TextPart)));
            Assert.That(parts[0].GetProperty("lines").GetInt32(), Is.EqualTo(2));
            Assert.That(parts[1].GetProperty("encoding").GetString(), Is.EqualTo("base64"));
            Assert.That(parts[1].GetProperty("size").GetInt64(), Is.EqualTo(Encoding.ASCII.GetByteCount(Attachment)));
            Assert.That(parts[1].GetProperty("disposition").GetProperty("type").GetString(), Is.EqualTo("attachment"));
            Assert.That(Parameter(parts[1].GetProperty("disposition"), "filename"), Is.EqualTo("hello.bin"));
        });
    }

    [Test]
    public void Search_fields_are_decoded()
    {
        var summary = Parse(Multipart);
        Assert.Multiple(() =>
        {
            Assert.That(summary.Subject, Is.EqualTo("Grüße"));
            Assert.That(summary.MessageId, Is.EqualTo("m1@example.org"));
            Assert.That(summary.SentDate, Is.EqualTo(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.FromHours(1))));
            Assert.That(summary.HeaderText, Does.Contain("Subject: Grüße\n").And.Contain("Message-ID: <m1@example.org>\n"));
        });
    }

    [Test]
    public void A_single_part_message_without_headers_of_note_still_has_a_structure()
    {
        const string body = "just a line\r\nand another\r\n";
        var summary = Parse("X-Nothing: here\r\n\r\n" + body);
        using var structure = JsonDocument.Parse(summary.BodyStructureJson);
        Assert.Multiple(() =>
        {
            Assert.That(structure.RootElement.GetProperty("type").GetString(), Is.EqualTo("text"));
            Assert.That(structure.RootElement.GetProperty("size").GetInt64(), Is.EqualTo(body.Length));
            Assert.That(structure.RootElement.GetProperty("lines").GetInt32(), Is.EqualTo(2));
            Assert.That(summary.Subject, Is.Null);
            Assert.That(summary.SentDate, Is.Null);
        });
    }

    [TestCase("")]
    [TestCase("\0\0\0")]
    [TestCase("no header at all, just text")]
    public void Content_MimeKit_cannot_make_sense_of_still_gets_a_summary_PostgreSQL_accepts(string content)
    {
        var summary = Parse(content);
        Assert.That(() => JsonDocument.Parse(summary.BodyStructureJson).Dispose(), Throws.Nothing);
        Assert.That((summary.EnvelopeJson + summary.BodyStructureJson + summary.HeaderText + summary.Subject).Contains('\0', StringComparison.Ordinal),
            Is.False, "PostgreSQL text and jsonb cannot hold NUL");
    }

    private static MessageSummary Parse(string message)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(message));
        return MessageSummary.Parse(stream);
    }

    /// <summary>A parameter's value from the <c>[name, value]</c> pairs of a part's (or disposition's) <c>params</c>.</summary>
    private static string? Parameter(JsonElement element, string name) =>
        element.GetProperty("params").EnumerateArray().Where(p => p[0].GetString() == name).Select(p => p[1].GetString()).FirstOrDefault();
}
