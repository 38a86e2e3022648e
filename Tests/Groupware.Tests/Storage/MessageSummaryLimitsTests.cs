using System.Globalization;
using System.Text;
using System.Text.Json;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Storage;

/// <summary>
/// Parsing a message at delivery costs memory and time in proportion to its size, whatever its
/// structure (Dovecot's limits after CVE-2020-12100: 100 nested MIME parts, 10000 in all): deeper
/// or further parts are summarised as one opaque part, and header lines are cut for the parser
/// (never in the stored message) so that MimeKit's cost for a long line stays linear.
/// </summary>
public sealed class MessageSummaryLimitsTests
{
    [Test]
    public void Nesting_deeper_than_the_limit_is_summarised_with_the_deeper_parts_as_one_leaf()
    {
        // 600 levels: 1200 levels of JSON, past Utf8JsonWriter's 1000, and 40 KB on the wire.
        var summary = Parse(Nested(600));

        using var structure = JsonDocument.Parse(summary.BodyStructureJson, new JsonDocumentOptions { MaxDepth = 4096 });
        var depth = 0;
        var part = structure.RootElement;
        while (part.TryGetProperty("parts", out var parts) && depth < 1000)
        {
            part = parts[0];
            depth++;
        }

        Assert.That(depth, Is.EqualTo(MessageSummary.MaxMimeDepth));
        Assert.That(summary.Subject, Is.EqualTo("deep"));
    }

    [Test]
    public void More_parts_than_the_limit_give_the_structure_of_the_top_level_alone_and_bounded_memory()
    {
        // 200000 empty parts in 2 MB: MimeKit's tree of them took 77 times the message in memory.
        var message = ManyParts(200_000);
        var (summary, allocated) = ParseMeasured(message);

        using var structure = JsonDocument.Parse(summary.BodyStructureJson);
        Assert.Multiple(() =>
        {
            Assert.That(structure.RootElement.TryGetProperty("parts", out _), Is.False);
            Assert.That(structure.RootElement.GetProperty("size").GetInt64(), Is.EqualTo(message.Length - HeaderLength(message)));
            Assert.That(summary.Subject, Is.EqualTo("many"));
            Assert.That(allocated, Is.LessThan(64L * 1024 * 1024), "bytes allocated while parsing");
        });
    }

    [Test]
    public void The_limit_of_parts_itself_is_summarised_in_full()
    {
        using var stream = new MemoryStream(ManyParts(MessageSummary.MaxMimeParts - 1));
        using var structure = JsonDocument.Parse(MessageSummary.Parse(stream).BodyStructureJson);
        Assert.That(structure.RootElement.GetProperty("parts").GetArrayLength(), Is.EqualTo(MessageSummary.MaxMimeParts - 1));
    }

    [Test]
    public void A_header_line_of_megabytes_costs_memory_in_proportion_to_it_and_is_cut_for_the_summary()
    {
        // MimeKit copies a header line it has not finished once per 4 KiB it reads: a 4 MiB line
        // took 2 GiB of allocations and most of a second; 64 MiB would take minutes.
        var message = Encoding.ASCII.GetBytes("Subject: " + new string('s', 4 * 1024 * 1024) + "\r\nFrom: after@example.org\r\n\r\nbody\r\n");
        var (summary, allocated) = ParseMeasured(message);

        using var envelope = JsonDocument.Parse(summary.EnvelopeJson);
        Assert.Multiple(() =>
        {
            Assert.That(allocated, Is.LessThan(64L * 1024 * 1024), "bytes allocated while parsing");
            Assert.That(summary.Subject!.Length, Is.InRange(1, MessageSummary.MaxParsedLineLength));
            Assert.That(summary.Subject.Trim('s'), Is.Empty);
            Assert.That(envelope.RootElement.GetProperty("from")[0].GetProperty("mailbox").GetString(), Is.EqualTo("after"),
                "the fields after the long one are still read");
        });
    }

    [Test]
    public void Part_sizes_and_line_counts_stay_exact_when_long_lines_are_cut_for_the_parser()
    {
        var longBody = new string('b', 3 * MessageSummary.MaxParsedLineLength) + "\r\nshort\r\n";
        var message = "X-Long: " + new string('h', 2 * MessageSummary.MaxParsedLineLength) + "\r\n" +
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
            "--b\r\nContent-Type: text/plain\r\nX-Part-Long: " + new string('p', 5 * MessageSummary.MaxParsedLineLength) + "\r\n\r\n" +
            longBody +
            "\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond\r\n" +
            "\r\n--b--\r\n";

        using var structure = JsonDocument.Parse(Parse(message).BodyStructureJson);
        var parts = structure.RootElement.GetProperty("parts");
        Assert.Multiple(() =>
        {
            Assert.That(parts.GetArrayLength(), Is.EqualTo(2));
            Assert.That(parts[0].GetProperty("size").GetInt64(), Is.EqualTo(longBody.Length));
            Assert.That(parts[0].GetProperty("lines").GetInt32(), Is.EqualTo(2));
            Assert.That(parts[1].GetProperty("size").GetInt64(), Is.EqualTo("second\r\n".Length));
        });
    }

    /// <summary><paramref name="depth"/> multiparts, each the only part of the one above.</summary>
    internal static string Nested(int depth)
    {
        var text = new StringBuilder("Subject: deep\r\n");
        for (var i = 0; i < depth; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        }

        text.Append("Content-Type: text/plain\r\n\r\nthe bottom\r\n");
        for (var i = depth - 1; i >= 0; i--)
        {
            text.Append(CultureInfo.InvariantCulture, $"--b{i}--\r\n");
        }

        return text.ToString();
    }

    private static byte[] ManyParts(int count)
    {
        var text = new StringBuilder("Subject: many\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
        for (var i = 0; i < count; i++)
        {
            text.Append("--b\r\n\r\nx\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("--b--\r\n").ToString());
    }

    private static int HeaderLength(byte[] message) => message.AsSpan().IndexOf("\r\n\r\n"u8) + 4;

    private static MessageSummary Parse(string message)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(message));
        return MessageSummary.Parse(stream);
    }

    /// <summary>Parses, and counts the bytes allocated meanwhile (parsing is synchronous, on this thread).</summary>
    private static (MessageSummary Summary, long Allocated) ParseMeasured(byte[] message)
    {
        using var stream = new MemoryStream(message);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var summary = MessageSummary.Parse(stream);
        return (summary, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
