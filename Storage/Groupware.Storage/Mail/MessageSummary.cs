using System.Buffers;
using System.Text;
using System.Text.Json;
using MimeKit;

namespace Groupware.Storage.Mail;

/// <summary>
/// What IMAP asks of a message again and again, computed once with MimeKit when its content first
/// arrives and stored with the blob: ENVELOPE and BODYSTRUCTURE (RFC 9051 §7.5.2) as JSON, and the
/// fields SEARCH and SORT use (RFC 9051 §6.4.4, RFC 5256).
/// </summary>
/// <remarks>
/// <para>Envelope JSON: <c>{"date","subject","from","sender","replyTo","to","cc","bcc","inReplyTo","messageId"}</c>;
/// strings are the raw field values unfolded (encoded-words left as sent, as ENVELOPE wants them);
/// sender and reply-to default to from (RFC 9051 §7.5.2). An address is
/// <c>{"name","adl","mailbox","host"}</c> with the display name decoded (re-encode it with RFC 2047
/// when rendering); a group is <c>{"group", "members": [...]}</c>.</para>
/// <para>Body structure JSON, per part: <c>type, subtype, params, id, description, encoding, size,
/// lines, md5, disposition {type, params}, language [...], location</c>; a multipart has
/// <c>parts</c>, a message/rfc822 part has <c>envelope</c> and <c>body</c>. <c>size</c> counts the
/// octets of the part's body as stored (after its header's blank line).</para>
/// <para>Parsing is bounded as Dovecot's is since CVE-2020-12100: an entity nested deeper than
/// <see cref="MaxMimeDepth"/> is summarised as one part of its own type without <c>parts</c> (or
/// <c>body</c>), and a message of more than <see cref="MaxMimeParts"/> entities as its top level
/// alone. The parser sees each line cut to <see cref="MaxParsedLineLength"/> octets.</para>
/// </remarks>
/// <param name="EnvelopeJson">ENVELOPE as JSON.</param>
/// <param name="BodyStructureJson">BODYSTRUCTURE as JSON.</param>
/// <param name="Subject">The subject, decoded; null when absent.</param>
/// <param name="SentDate">The Date field; null when absent or unreadable.</param>
/// <param name="MessageId">Message-ID without angle brackets; null when absent.</param>
/// <param name="HeaderText">The header section unfolded and decoded, one <c>Name: value</c> per line, at most <see cref="MaxHeaderText"/> characters.</param>
public sealed record MessageSummary(
    string EnvelopeJson,
    string BodyStructureJson,
    string? Subject,
    DateTimeOffset? SentDate,
    string? MessageId,
    string HeaderText)
{
    /// <summary>
    /// Longest header text kept for SEARCH: 64 KiB. Postfix's header_size_limit (102400) bounds a
    /// header section in transit; a larger one is still stored whole, only not searched whole.
    /// </summary>
    public const int MaxHeaderText = 64 * 1024;

    /// <summary>
    /// Deepest nesting of multiparts and message/rfc822 parts that is parsed: 100, Dovecot's
    /// message_parser default since CVE-2020-12100. Deeper, MimeKit's own limit (1024) would let the
    /// body structure outgrow Utf8JsonWriter's depth of 1000, and a 40 KB message fail to store.
    /// </summary>
    public const int MaxMimeDepth = 100;

    /// <summary>
    /// Most MIME entities parsed in one message: 10000, Dovecot's message_parser default since
    /// CVE-2020-12100. MimeKit keeps every entity in memory, some 800 octets each, so a 64 MiB
    /// message of empty parts would otherwise take gigabytes.
    /// </summary>
    public const int MaxMimeParts = 10_000;

    /// <summary>
    /// Longest line the MIME parser is given: 64 KiB, as much as <see cref="MaxHeaderText"/> keeps.
    /// RFC 5322 §2.1.1 allows 998 octets; Postfix's header_size_limit (102400) bounds a whole
    /// header field. Longer lines are cut for the parser only (see <see cref="LineCappedStream"/>).
    /// </summary>
    public const int MaxParsedLineLength = 64 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    /// <summary>Parses the message in <paramref name="content"/> (seekable, positioned at the start).</summary>
    public static MessageSummary Parse(Stream content)
    {
        var start = content.Position;
        try
        {
            return Parse(content, MaxMimeDepth);
        }
        catch (TooManyPartsException)
        {
            // Summarise the top level alone: its body becomes one part, whatever its type.
            content.Position = start;
            return Parse(content, maxMimeDepth: 0);
        }
    }

    private static MessageSummary Parse(Stream content, int maxMimeDepth)
    {
        var offsets = new Dictionary<MimeEntity, (long HeadersEnd, long End, int Lines)>(ReferenceEqualityComparer.Instance);
        var view = new LineCappedStream(content, MaxParsedLineLength);
        var parser = new MimeParser(new ParserOptions { MaxMimeDepth = maxMimeDepth }, view, persistent: true);
        var entities = 0;
        parser.MimeEntityBegin += (_, _) =>
        {
            if (++entities > MaxMimeParts)
            {
                throw new TooManyPartsException();
            }
        };
        parser.MimeEntityEnd += (_, e) =>
            offsets[e.Entity] = (view.OriginalOffset(e.HeadersEndOffset), view.OriginalOffset(e.EndOffset), e.Lines);
        MimeMessage message;
        try
        {
            message = parser.ParseMessage();
        }
        catch (FormatException)
        {
            return Unparsable(content.Length);
        }

        using (message)
        {
            var headerText = HeaderTextOf(message.Headers);
            var sentDate = message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue ? message.Date : (DateTimeOffset?)null;
            return new MessageSummary(
                Json(w => WriteEnvelope(w, message)),
                Json(w => WriteBody(w, message.Body, offsets)),
                Clean(message.Headers.Contains(HeaderId.Subject) ? message.Subject : null),
                sentDate,
                Clean(message.MessageId),
                headerText);
        }
    }

    /// <summary>What is stored for content MimeKit cannot read at all (e.g. empty): an empty text/plain body.</summary>
    private static MessageSummary Unparsable(long size) => new(
        Json(w => WriteEnvelope(w, null)),
        Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("subtype", "plain");
            w.WriteStartObject("params");
            w.WriteString("charset", "us-ascii");
            w.WriteEndObject();
            w.WriteString("encoding", "7bit");
            w.WriteNumber("size", size);
            w.WriteNumber("lines", 0);
            w.WriteEndObject();
        }),
        null, null, null, "");

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteEnvelope(Utf8JsonWriter w, MimeMessage? message)
    {
        w.WriteStartObject();
        if (message is null)
        {
            w.WriteEndObject();
            return;
        }

        var headers = message.Headers;
        WriteRaw(w, "date", headers, HeaderId.Date);
        WriteRaw(w, "subject", headers, HeaderId.Subject);
        var from = message.From;
        WriteAddresses(w, "from", from);
        WriteAddresses(w, "sender", message.Sender is { } sender ? new InternetAddressList([sender]) : from);
        WriteAddresses(w, "replyTo", message.ReplyTo.Count > 0 ? message.ReplyTo : from);
        WriteAddresses(w, "to", message.To);
        WriteAddresses(w, "cc", message.Cc);
        WriteAddresses(w, "bcc", message.Bcc);
        WriteRaw(w, "inReplyTo", headers, HeaderId.InReplyTo);
        WriteRaw(w, "messageId", headers, HeaderId.MessageId);
        w.WriteEndObject();
    }

    private static void WriteAddresses(Utf8JsonWriter w, string name, InternetAddressList addresses)
    {
        if (addresses.Count == 0)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartArray(name);
        foreach (var address in addresses)
        {
            WriteAddress(w, address);
        }

        w.WriteEndArray();
    }

    private static void WriteAddress(Utf8JsonWriter w, InternetAddress address)
    {
        w.WriteStartObject();
        switch (address)
        {
            case MailboxAddress mailbox:
                WriteNullable(w, "name", string.IsNullOrEmpty(mailbox.Name) ? null : mailbox.Name);
                WriteNullable(w, "adl", mailbox.Route.Count > 0 ? string.Join(",", mailbox.Route.Select(r => "@" + r)) : null);
                WriteNullable(w, "mailbox", mailbox.LocalPart);
                WriteNullable(w, "host", string.IsNullOrEmpty(mailbox.Domain) ? null : mailbox.Domain);
                break;
            case GroupAddress group:
                WriteNullable(w, "group", group.Name);
                w.WriteStartArray("members");
                foreach (var member in group.Members)
                {
                    WriteAddress(w, member);
                }

                w.WriteEndArray();
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteBody(Utf8JsonWriter w, MimeEntity? entity, Dictionary<MimeEntity, (long HeadersEnd, long End, int Lines)> offsets)
    {
        w.WriteStartObject();
        if (entity is null)
        {
            w.WriteEndObject();
            return;
        }

        var contentType = entity.ContentType;
        w.WriteString("type", contentType.MediaType.ToLowerInvariant());
        w.WriteString("subtype", contentType.MediaSubtype.ToLowerInvariant());
        w.WriteStartObject("params");
        foreach (var parameter in contentType.Parameters)
        {
            w.WriteString(Clean(parameter.Name.ToLowerInvariant()), Clean(parameter.Value));
        }

        w.WriteEndObject();
        var (headersEnd, end, lines) = offsets.TryGetValue(entity, out var o) ? o : (0L, 0L, 0);
        if (entity is Multipart multipart)
        {
            w.WriteStartArray("parts");
            foreach (var part in multipart)
            {
                WriteBody(w, part, offsets);
            }

            w.WriteEndArray();
        }
        else
        {
            WriteRaw(w, "id", entity.Headers, HeaderId.ContentId);
            WriteRaw(w, "description", entity.Headers, HeaderId.ContentDescription);
            var encoding = entity.Headers[HeaderId.ContentTransferEncoding]?.Trim().ToLowerInvariant();
            w.WriteString("encoding", string.IsNullOrEmpty(encoding) ? "7bit" : Clean(encoding));
            w.WriteNumber("size", Math.Max(0, end - headersEnd));
            if (entity is MessagePart embedded)
            {
                w.WritePropertyName("envelope");
                WriteEnvelope(w, embedded.Message);
                w.WritePropertyName("body");
                WriteBody(w, embedded.Message?.Body, offsets);
            }

            if (contentType.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase) || entity is MessagePart)
            {
                w.WriteNumber("lines", lines);
            }

            WriteRaw(w, "md5", entity.Headers, HeaderId.ContentMd5);
        }

        if (entity.ContentDisposition is { } disposition)
        {
            w.WriteStartObject("disposition");
            w.WriteString("type", Clean(disposition.Disposition.ToLowerInvariant()));
            w.WriteStartObject("params");
            foreach (var parameter in disposition.Parameters)
            {
                w.WriteString(Clean(parameter.Name.ToLowerInvariant()), Clean(parameter.Value));
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (entity.Headers[HeaderId.ContentLanguage] is { Length: > 0 } language)
        {
            w.WriteStartArray("language");
            foreach (var tag in language.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                w.WriteStringValue(Clean(tag));
            }

            w.WriteEndArray();
        }

        WriteRaw(w, "location", entity.Headers, HeaderId.ContentLocation);
        w.WriteEndObject();
    }

    private static void WriteRaw(Utf8JsonWriter w, string name, HeaderList headers, HeaderId id)
    {
        var header = headers.FirstOrDefault(h => h.Id == id);
        WriteNullable(w, name, header is null ? null : Unfold(header.RawValue));
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, Clean(value));
        }
    }

    /// <summary>A raw field value without its folding (RFC 5322 §2.2.3: remove each CRLF) and surrounding blanks.</summary>
    private static string Unfold(byte[] raw) => Encoding.UTF8.GetString(raw).Replace("\r\n", "", StringComparison.Ordinal)
        .Replace("\n", "", StringComparison.Ordinal).Trim();

    private static string HeaderTextOf(HeaderList headers)
    {
        var text = new StringBuilder();
        foreach (var header in headers)
        {
            text.Append(header.Field).Append(": ").Append(header.Value.Replace('\n', ' ').Replace('\r', ' ')).Append('\n');
            if (text.Length >= MaxHeaderText)
            {
                break;
            }
        }

        return Clean(text.Length > MaxHeaderText ? text.ToString(0, MaxHeaderText) : text.ToString());
    }

    /// <summary>Ends a parse that met more than <see cref="MaxMimeParts"/> entities.</summary>
    private sealed class TooManyPartsException() : Exception("more MIME entities than the limit");

    /// <summary>PostgreSQL text and jsonb cannot hold NUL.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    private static string? Clean(string? value) => value?.Contains('\0', StringComparison.Ordinal) == true
        ? value.Replace("\0", "", StringComparison.Ordinal)
        : value;
}
