using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Groupware.Imap.Responses;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;

namespace Groupware.Tests.Imap.Syntax;

/// <summary>
/// A real client reads what the writer renders: MailKit's IMAP parser, fed through a scripted
/// server on loopback, gets back the part tree of RFC 9051 §6.4.5.1's example message, its
/// envelopes, and a parameter sent in RFC 2231 form.
/// </summary>
public sealed class MailKitBodyStructureTests
{
    /// <summary>The structure of RFC 9051 §6.4.5.1's "complex message", with an RFC 2231 filename and an encoded-word name.</summary>
    private static readonly string Message = string.Join("\r\n",
        "From: Alice <alice@example.test>",
        "To: Bob <bob@example.test>",
        "Subject: The RFC 9051 example structure",
        "Date: Mon, 01 Jan 2024 10:00:00 +0000",
        "Message-ID: <outer@example.test>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"b1\"",
        "",
        "--b1",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "part 1",
        "--b1",
        "Content-Type: application/octet-stream",
        "Content-Transfer-Encoding: base64",
        "Content-Disposition: attachment; filename*=utf-8''na%C3%AFve.bin",
        "",
        "AAECAw==",
        "--b1",
        "Content-Type: message/rfc822",
        "Content-Description: forwarded",
        "",
        "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.test>",
        "Subject: inner 3",
        "Message-ID: <inner3@example.test>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"b2\"",
        "",
        "--b2",
        "Content-Type: text/plain",
        "",
        "3.1",
        "--b2",
        "Content-Type: application/octet-stream",
        "",
        "3.2",
        "--b2--",
        "--b1",
        "Content-Type: multipart/mixed; boundary=\"b3\"",
        "",
        "--b3",
        "Content-Type: image/gif",
        "Content-Transfer-Encoding: base64",
        "Content-Language: en, de",
        "",
        "R0lGODlhAQABAAAAACw=",
        "--b3",
        "Content-Type: message/rfc822",
        "",
        "Subject: inner 4.2",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"b4\"",
        "",
        "--b4",
        "Content-Type: text/plain",
        "",
        "4.2.1",
        "--b4",
        "Content-Type: multipart/alternative; boundary=\"b5\"",
        "",
        "--b5",
        "Content-Type: text/plain",
        "",
        "4.2.2.1",
        "--b5",
        "Content-Type: text/richtext",
        "",
        "4.2.2.2",
        "--b5--",
        "--b4--",
        "--b3--",
        "--b1--",
        "");

    [TestCase(false)]
    [TestCase(true)]
    public async Task MailKit_reads_the_part_tree_of_the_RFC_example(bool extensible)
    {
        var summary = ImapResponseWriterTests.Summarise(Message);
        var fetched = await FetchAsync(summary.EnvelopeJson, summary.BodyStructureJson, extensible);

        var body = fetched.Body!;
        var envelope = fetched.Envelope!;
        Assert.That(Parts(body), Is.EqualTo(new[]
        {
            "1 text/plain", "2 application/octet-stream", "3 message/rfc822", "3.1 text/plain", "3.2 application/octet-stream",
            "4 multipart/mixed", "4.1 image/gif", "4.2 message/rfc822", "4.2.1 text/plain", "4.2.2 multipart/alternative",
            "4.2.2.1 text/plain", "4.2.2.2 text/richtext",
        }));
        Assert.That(envelope.Subject, Is.EqualTo("The RFC 9051 example structure"));
        Assert.That(envelope.From.Mailboxes.Single().Name, Is.EqualTo("Alice"));
        Assert.That(envelope.MessageId, Is.EqualTo("outer@example.test"));

        var multipart = (BodyPartMultipart)body;
        var attachment = (BodyPartBasic)multipart.BodyParts[1];
        var forwarded = (BodyPartMessage)multipart.BodyParts[2];
        Assert.That(forwarded.Envelope!.From.Mailboxes.Single().Name, Is.EqualTo("Jörg"));
        Assert.That(forwarded.Envelope!.Subject, Is.EqualTo("inner 3"));
        Assert.That(forwarded.ContentDescription, Is.EqualTo("forwarded"));
        Assert.That(forwarded.Lines, Is.GreaterThan(0));
        // One line without a line break of its own: the CRLF before "--b1" belongs to the boundary
        // (RFC 2046 §5.1.1), and lines count line breaks, as Dovecot's do.
        Assert.That(((BodyPartText)multipart.BodyParts[0]).Lines, Is.EqualTo(0));
        Assert.That(attachment.ContentTransferEncoding, Is.EqualTo("base64"));
        Assert.That(attachment.Octets, Is.GreaterThan(0));
        if (extensible)
        {
            Assert.That(attachment.ContentDisposition?.Disposition, Is.EqualTo("attachment"));
            Assert.That(attachment.FileName, Is.EqualTo("naïve.bin"));
            var gif = (BodyPartBasic)((BodyPartMultipart)multipart.BodyParts[3]).BodyParts[0];
            Assert.That(gif.ContentLanguage, Is.EqualTo(new[] { "en", "de" }));
            Assert.That(multipart.ContentType.Boundary, Is.EqualTo("b1"));
        }
        else
        {
            Assert.That(attachment.ContentDisposition, Is.Null);
        }
    }

    /// <summary>Each part's specifier and type, in order; a message part's body shares its specifier and is listed once.</summary>
    private static List<string> Parts(BodyPart body)
    {
        var parts = new List<string>();
        Visit(body);
        return parts;

        void Visit(BodyPart part)
        {
            if (part.PartSpecifier.Length > 0 && (parts.Count == 0 || !parts[^1].StartsWith(part.PartSpecifier + " ", StringComparison.Ordinal)))
            {
                parts.Add($"{part.PartSpecifier} {part.ContentType.MimeType.ToLowerInvariant()}");
            }

            switch (part)
            {
                case BodyPartMultipart multipart:
                    foreach (var child in multipart.BodyParts)
                    {
                        Visit(child);
                    }

                    break;
                case BodyPartMessage { Body: { } inner }:
                    Visit(inner);
                    break;
            }
        }
    }

    /// <summary>Serves one message to MailKit: greeting, LOGIN, LIST, SELECT, and a FETCH answered with the writer's output.</summary>
    private static async Task<IMessageSummary> FetchAsync(string envelopeJson, string bodyStructureJson, bool extensible)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new ImapResponseWriter(buffer);
        writer.WriteText("* 1 FETCH (UID 1 ENVELOPE ");
        writer.WriteEnvelope(envelopeJson);
        writer.WriteText(extensible ? " BODYSTRUCTURE " : " BODY ");
        writer.WriteBodyStructure(bodyStructureJson, extensible);
        writer.WriteText(")");
        writer.WriteCrlf();
        var fetchResponse = buffer.WrittenMemory.ToArray();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var server = ServeAsync(listener, fetchResponse, timeout.Token);
            using var client = new ImapClient();
            await client.ConnectAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, SecureSocketOptions.None, timeout.Token);
            await client.AuthenticateAsync("user", "password", timeout.Token);
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly, timeout.Token);
            var items = MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope |
                (extensible ? MessageSummaryItems.BodyStructure : MessageSummaryItems.Body);
            var summaries = await client.Inbox.FetchAsync(0, -1, items, timeout.Token);
            await client.DisconnectAsync(true, timeout.Token);
            await server;
            return summaries.Single();
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task ServeAsync(TcpListener listener, byte[] fetchResponse, CancellationToken cancellationToken)
    {
        using var connection = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = connection.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        async Task SendAsync(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

        await SendAsync("* OK [CAPABILITY IMAP4rev1] test server ready\r\n");
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            var words = line.Split(' ');
            var tag = words[0];
            var command = words.Length > 1 ? words[1].ToUpperInvariant() : "";
            if (command == "UID" && words.Length > 2)
            {
                command = words[2].ToUpperInvariant();
            }

            switch (command)
            {
                case "CAPABILITY":
                    await SendAsync($"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n");
                    break;
                case "LIST":
                    await SendAsync(line.Contains("INBOX", StringComparison.OrdinalIgnoreCase)
                        ? $"* LIST (\\HasNoChildren) \"/\" INBOX\r\n{tag} OK done\r\n"
                        : $"* LIST (\\Noselect) \"/\" \"\"\r\n{tag} OK done\r\n");
                    break;
                case "SELECT" or "EXAMINE":
                    await SendAsync($"* 1 EXISTS\r\n* FLAGS (\\Seen)\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 2] ok\r\n{tag} OK [READ-ONLY] done\r\n");
                    break;
                case "FETCH":
                    await stream.WriteAsync(fetchResponse, cancellationToken);
                    await SendAsync($"{tag} OK done\r\n");
                    break;
                case "LOGOUT":
                    await SendAsync($"* BYE bye\r\n{tag} OK done\r\n");
                    return;
                default:
                    await SendAsync($"{tag} OK done\r\n");
                    break;
            }
        }
    }
}
