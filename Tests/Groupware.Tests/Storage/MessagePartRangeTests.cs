using System.Text;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// FETCH of parts without parsing (RFC 9051 §6.4.5): the body structure stored at APPEND and
/// delivery gives every part its offsets, and a range read returns exactly that part's octets,
/// across chunk boundaries and past the trace fields of a delivered copy.
/// </summary>
public sealed class MessagePartRangeTests : ImapStoreTest
{
    private const string Header =
        "From: Alice <alice@example.org>\r\nTo: bob@example.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n";

    private const string TextMime = "Content-Type: text/plain; charset=utf-8\r\n\r\n";
    private const string TextBody = "Hello Bob,\r\nthe parts follow.";
    private const string AlternativeMime = "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n";
    private const string PlainMime = "Content-Type: text/plain\r\n\r\n";
    private const string PlainBody = "plain version";
    private const string HtmlMime = "Content-Type: text/html\r\n\r\n";
    private const string HtmlBody = "<p>html version</p>";
    private const string MessageMime = "Content-Type: message/rfc822\r\n\r\n";
    private const string InnerHeader = "Subject: inner\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n\r\n";
    private const string InnerTextMime = "Content-Type: text/plain\r\n\r\n";
    private const string InnerTextBody = "inner text";
    private const string AttachmentMime = "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";

    private static readonly string AlternativeBody = $"--alt\r\n{PlainMime}{PlainBody}\r\n--alt\r\n{HtmlMime}{HtmlBody}\r\n--alt--";

    /// <summary>About 600 KB of base64: the attachment of the encapsulated message spans chunks.</summary>
    private static readonly string AttachmentBody = string.Join("\r\n",
        Enumerable.Range(0, 8000).Select(i => Convert.ToBase64String(Encoding.ASCII.GetBytes($"line {i:D6} of the attachment, ok")).PadRight(76, '=')[..76]));

    private static readonly string InnerBody = $"--in\r\n{InnerTextMime}{InnerTextBody}\r\n--in\r\n{AttachmentMime}{AttachmentBody}\r\n--in--";

    private static readonly string RootBody =
        $"preamble\r\n--outer\r\n{TextMime}{TextBody}\r\n--outer\r\n{AlternativeMime}{AlternativeBody}\r\n--outer\r\n{MessageMime}{InnerHeader}{InnerBody}" +
        "\r\n--outer--\r\nepilogue\r\n";

    private static readonly string Message = Header + RootBody;

    /// <summary>Section, expected MIME header (null: not asked), expected body.</summary>
    private static IEnumerable<TestCaseData> Sections()
    {
        yield return new TestCaseData(Array.Empty<int>(), null, RootBody).SetName("TEXT of the message");
        yield return new TestCaseData(new[] { 1 }, TextMime, TextBody).SetName("part 1");
        yield return new TestCaseData(new[] { 2 }, AlternativeMime, AlternativeBody).SetName("part 2, a multipart");
        yield return new TestCaseData(new[] { 2, 1 }, PlainMime, PlainBody).SetName("part 2.1");
        yield return new TestCaseData(new[] { 2, 2 }, HtmlMime, HtmlBody).SetName("part 2.2");
        yield return new TestCaseData(new[] { 3 }, MessageMime, InnerHeader + InnerBody).SetName("part 3, a message");
        yield return new TestCaseData(new[] { 3, 1 }, InnerTextMime, InnerTextBody).SetName("part 3.1 inside the message");
        yield return new TestCaseData(new[] { 3, 2 }, AttachmentMime, AttachmentBody).SetName("part 3.2 across chunks");
    }

    [TestCaseSource(nameof(Sections))]
    public async Task Every_part_read_by_its_offsets_is_exactly_its_octets(int[] section, string? mime, string body)
    {
        foreach (var delivered in new[] { false, true })
        {
            var (account, mailbox, uid) = await StoreAsync(delivered);
            var metadata = (await Store.FetchAsync(account, mailbox, [uid], CancellationToken.None)).Single();
            var part = MessageSummary.FindPart(metadata.BodyStructureJson, section);
            Assert.That(part, Is.Not.Null);
            var trace = metadata.TraceLength;
            Assert.That(trace, delivered ? Is.Positive : Is.Zero);

            Assert.That(await RangeAsync(account, mailbox, uid, trace + part!.BodyStart, part.End - part.BodyStart), Is.EqualTo(body),
                $"BODY[{string.Join('.', section)}] delivered={delivered}");
            if (mime is not null)
            {
                Assert.That(await RangeAsync(account, mailbox, uid, trace + part.HeaderStart, part.BodyStart - part.HeaderStart), Is.EqualTo(mime),
                    $"BODY[{string.Join('.', section)}.MIME]");
            }
        }
    }

    [Test]
    public async Task The_header_of_the_message_includes_the_trace_fields_and_an_encapsulated_message_has_its_own()
    {
        var (account, mailbox, uid) = await StoreAsync(delivered: true);
        var metadata = (await Store.FetchAsync(account, mailbox, [uid], CancellationToken.None)).Single();
        var whole = Encoding.UTF8.GetString(await ReadAllAsync(await Store.OpenMessageAsync(account, mailbox, uid, CancellationToken.None)));
        var root = MessageSummary.FindPart(metadata.BodyStructureJson, [])!;

        var header = await RangeAsync(account, mailbox, uid, 0, metadata.TraceLength + root.BodyStart);
        Assert.That(header, Is.EqualTo(whole[..metadata.TraceLength] + Header), "BODY[HEADER]: trace fields and the message's own");
        Assert.That(header, Does.StartWith("Return-Path: <sender@example.org>\r\n"));

        var inner = MessageSummary.FindPart(metadata.BodyStructureJson, [3])!.Message!;
        Assert.That(await RangeAsync(account, mailbox, uid, metadata.TraceLength + inner.HeaderStart, inner.BodyStart - inner.HeaderStart),
            Is.EqualTo(InnerHeader), "BODY[3.HEADER]");
        Assert.That(await RangeAsync(account, mailbox, uid, metadata.TraceLength + inner.BodyStart, inner.End - inner.BodyStart),
            Is.EqualTo(InnerBody), "BODY[3.TEXT]");
        Assert.That(metadata.Size, Is.EqualTo(whole.Length));
    }

    [Test]
    public async Task Part_numbers_that_do_not_exist_have_no_location_and_part_1_of_a_leaf_is_the_leaf()
    {
        var (account, mailbox, uid) = await StoreAsync(delivered: false);
        var json = (await Store.FetchAsync(account, mailbox, [uid], CancellationToken.None)).Single().BodyStructureJson;
        Assert.That(MessageSummary.FindPart(json, [4]), Is.Null);
        Assert.That(MessageSummary.FindPart(json, [1, 1]), Is.EqualTo(MessageSummary.FindPart(json, [1])),
            "part 1 of a text part is that part, as Dovecot answers BODY[1.1]");
        Assert.That(MessageSummary.FindPart(json, [0]), Is.Null);
        Assert.That(MessageSummary.FindPart(json, [2, 3]), Is.Null);

        var single = await AppendAsync(account, "INBOX", "Subject: single\r\n\r\njust text\r\n");
        var singleJson = (await Store.FetchAsync(account, mailbox, [single], CancellationToken.None)).Single().BodyStructureJson;
        Assert.That(MessageSummary.FindPart(singleJson, [1])!.BodyStart, Is.EqualTo("Subject: single\r\n\r\n".Length),
            "part 1 of a single-part message is its body");
        Assert.That(MessageSummary.FindPart(singleJson, [2]), Is.Null);

        Assert.That(MessageSummary.FindPart("""{"type":"text","subtype":"plain","size":3}""", [1]), Is.Null,
            "a structure stored before offsets has none: the reader parses the message");
    }

    [TestCase(0, 10)]
    [TestCase(5, 300_000)]
    [TestCase(262_144, 100)]
    [TestCase(262_100, 100)]
    [TestCase(262_143, 262_146)]
    [TestCase(600_000, 1_000_000)]
    [TestCase(10_000_000, 10)]
    [TestCase(100, 0)]
    public async Task Ranges_anywhere_in_a_delivered_message_are_its_octets(long offset, long length)
    {
        var (account, mailbox, uid) = await StoreAsync(delivered: true);
        var whole = await ReadAllAsync(await Store.OpenMessageAsync(account, mailbox, uid, CancellationToken.None));
        var expected = whole.Skip((int)Math.Min(offset, whole.Length)).Take((int)length).ToArray();
        var range = await ReadAllAsync(await Store.OpenMessageRangeAsync(account, mailbox, uid, offset, length, CancellationToken.None));
        Assert.That(range, Is.EqualTo(expected));
    }

    [Test]
    public async Task Fetch_answers_many_UIDs_at_once_and_leaves_out_those_that_are_gone()
    {
        var account = await NewAccountAsync("fetch");
        var inbox = await MailboxAsync(account, "INBOX");
        var date = new DateTimeOffset(2025, 12, 24, 18, 30, 0, TimeSpan.Zero);
        var first = await AppendAsync(account, "INBOX", "Subject: a\r\n\r\na\r\n", SystemFlags.Seen, ["$label1", "Later"], date);
        var second = await AppendAsync(account, "INBOX", "Subject: b\r\n\r\nb\r\n");
        var third = await AppendAsync(account, "INBOX", "Subject: c\r\n\r\nc\r\n");
        await Store.ExpungeAsync(account, inbox.Id, [second], CancellationToken.None);

        var fetched = await Store.FetchAsync(account, inbox.Id, [third, second, first, 999], CancellationToken.None);
        Assert.That(fetched.Select(m => m.Uid), Is.EqualTo(new[] { first, third }));
        Assert.That(fetched[0].Flags, Is.EqualTo(SystemFlags.Seen));
        Assert.That(fetched[0].Keywords, Is.EqualTo(new[] { "$label1", "Later" }));
        Assert.That(fetched[0].InternalDate, Is.EqualTo(date));
        Assert.That(fetched[0].Size, Is.EqualTo("Subject: a\r\n\r\na\r\n".Length));
        Assert.That(fetched[0].EnvelopeJson, Does.Contain("\"subject\": \"a\""));
        Assert.That(fetched[1].Keywords, Is.Empty);
    }

    private async Task<(long Account, long Mailbox, long Uid)> StoreAsync(bool delivered)
    {
        var account = await NewAccountAsync("parts");
        var inbox = await MailboxAsync(account, "INBOX");
        if (!delivered)
        {
            return (account, inbox.Id, await AppendAsync(account, "INBOX", Message));
        }

        await using var message = await IncomingAsync(Message);
        var trace = TraceFields.Build("sender@example.org", "bob@example.test",
            new ReceivedField("mx.example.org", "192.0.2.1", "mail.example.test", "LMTP", "abc123", DateTimeOffset.UtcNow));
        var result = await Store.DeliverAsync(message, [new MessageDelivery(account, trace)], DateTimeOffset.UtcNow, CancellationToken.None);
        return (account, inbox.Id, result[0].Uid);
    }

    private async Task<string> RangeAsync(long account, long mailbox, long uid, long offset, long length) =>
        Encoding.UTF8.GetString(await ReadAllAsync(await Store.OpenMessageRangeAsync(account, mailbox, uid, offset, length, CancellationToken.None)));
}
