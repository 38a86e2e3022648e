using System.Buffers;
using System.Text;
using System.Text.Json;
using MimeKit;
using MimeKit.IO;
using MimeKit.Text;

namespace Groupware.Storage.Mail;

/// <summary>
/// What IMAP asks of a message again and again, computed once with MimeKit when its content first
/// arrives and stored with the blob: ENVELOPE and BODYSTRUCTURE (RFC 9051 §7.5.2) as JSON, where
/// each part lies in the content, and the fields SEARCH and SORT use (RFC 9051 §6.4.4, RFC 5256).
/// </summary>
/// <remarks>
/// <para>Envelope JSON: <c>{"date","subject","from","sender","replyTo","to","cc","bcc","inReplyTo","messageId"}</c>;
/// strings are the raw field values unfolded (encoded-words left as sent, as ENVELOPE wants them);
/// sender and reply-to default to from (RFC 9051 §7.5.2). An address is
/// <c>{"name","adl","mailbox","host"}</c> with the display name decoded (re-encode it with RFC 2047
/// when rendering); a group is <c>{"group", "members": [...]}</c>.</para>
/// <para>Body structure JSON, per part: <c>type, subtype, params, id, description, encoding, size,
/// lines, md5, disposition {type, params}, language [...], location</c>, where <c>params</c> is an
/// array of <c>[name, value]</c> pairs (an object in summaries before version 2); a multipart has
/// <c>parts</c>, a message/rfc822 part has <c>envelope</c> and <c>body</c> (the encapsulated
/// message's top-level part). <c>size</c> counts the octets of the part's body as stored (after its
/// header's blank line).</para>
/// <para>Every part, multiparts included, also has <c>headerStart</c>, <c>bodyStart</c> and
/// <c>end</c>: octet offsets of its MIME header, of its body (just after the header's blank line)
/// and of the end of its body (before the CRLF that precedes the next boundary), counted from the
/// start of the stored content, the blob. A message's octets are its trace fields followed by the
/// blob, so add <see cref="MessageMetadata.TraceLength"/> to get offsets in the message. The
/// top-level part's header is the message's header (<c>headerStart</c> 0, without the trace
/// fields); the <c>body</c> of a message/rfc822 part starts where that part's body starts, with
/// the encapsulated message's header. <see cref="FindPart"/> walks section numbers to them.
/// Content stored before offsets existed (<c>blobs.summary_version</c> 0) may lack them on some or
/// all parts; <see cref="FindPart"/> then answers null and the reader parses the message itself.</para>
/// <para>Parsing is bounded as Dovecot's is since CVE-2020-12100: an entity nested deeper than
/// <see cref="MaxMimeDepth"/> is summarised as one part of its own type without <c>parts</c> (or
/// <c>body</c>), and a message of more than <see cref="MaxMimeParts"/> entities as its top level
/// alone. The parser sees each line cut to <see cref="MaxParsedLineLength"/> octets.</para>
/// </remarks>
/// <param name="EnvelopeJson">ENVELOPE as JSON.</param>
/// <param name="BodyStructureJson">BODYSTRUCTURE as JSON, with part offsets.</param>
/// <param name="Subject">The subject, decoded; null when absent.</param>
/// <param name="SentDate">The Date field, in its own zone; null when absent or unreadable.</param>
/// <param name="MessageId">Message-ID without angle brackets; null when absent.</param>
/// <param name="HeaderText">The header section unfolded and decoded, one <c>Name: value</c> per line, at most <see cref="MaxHeaderText"/> characters.</param>
/// <param name="BodyText">The decoded text of the text parts (HTML without its markup) and the headers of encapsulated
/// messages, for SEARCH BODY and TEXT; at most <see cref="MaxBodyText"/> characters.</param>
/// <param name="Sort">The base subject of RFC 5256 §2.1, for SORT (SUBJECT) and THREAD.</param>
/// <param name="References">The Message-IDs THREAD REFERENCES links this message under (RFC 5256 §3): those of the References
/// field, or else the first of In-Reply-To; normalised (<see cref="MessageIds.Normalize"/>), oldest first. Empty for none.</param>
public sealed record MessageSummary(
    string EnvelopeJson,
    string BodyStructureJson,
    string? Subject,
    DateTimeOffset? SentDate,
    string? MessageId,
    string HeaderText,
    string BodyText = "",
    BaseSubject Sort = default,
    IReadOnlyList<string>? References = null)
{
    /// <summary>
    /// The version of what <see cref="Parse(Stream)"/> computes, stored as <c>blobs.summary_version</c>:
    /// 1 added part offsets and the body text; 2 keeps parameters in order and counts a part's lines
    /// as its line breaks; 3 adds the base subject and the thread references (RFC 5256). Content
    /// with an older version is parsed again by <see cref="MailStore.RefreshSummariesAsync"/>.
    /// </summary>
    public const short CurrentVersion = 3;

    /// <summary>
    /// Most text kept for SEARCH BODY and TEXT: 256 Ki characters, at most 1 MiB of UTF-8, so that a
    /// full-text index built from it later stays well within PostgreSQL's 1 MB per tsvector
    /// (PostgreSQL 15 §8.11.1). Text beyond is not searched.
    /// </summary>
    public const int MaxBodyText = 256 * 1024;

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

    /// <summary>
    /// Charsets beyond UTF-8, UTF-16 and ISO-8859-1 (windows-1252, KOI8-R, ISO-2022-JP, GB2312, ...)
    /// come from the code page provider, which .NET ships but does not register: without it MimeKit
    /// decodes them all as ISO-8859-1.
    /// </summary>
    private static readonly bool CodePagesRegistered = RegisterCodePages();

    /// <summary>Parses the message in <paramref name="content"/> (seekable, positioned at the start).</summary>
    public static MessageSummary Parse(Stream content)
    {
        _ = CodePagesRegistered;
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
        var start = content.Position;
        var offsets = new Dictionary<MimeEntity, PartOffsets>(ReferenceEqualityComparer.Instance);
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
            offsets[e.Entity] = new PartOffsets(view.OriginalOffset(e.BeginOffset), view.OriginalOffset(e.HeadersEndOffset),
                view.OriginalOffset(e.EndOffset), e.Lines);
        MimeMessage message;
        try
        {
            message = parser.ParseMessage();
        }
        catch (FormatException)
        {
            return Unparsable(content.Length);
        }

        CountLinesAsDovecotDoes(content, start, offsets);
        using (message)
        {
            var headerText = HeaderTextOf(message);
            var sentDate = message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue ? message.Date : (DateTimeOffset?)null;
            var subject = Clean(message.Headers.Contains(HeaderId.Subject) ? message.Subject : null);
            var bodyText = new StringBuilder();
            AppendBodyText(bodyText, content, start, message.Body, offsets);
            return new MessageSummary(
                Json(w => WriteEnvelope(w, message)),
                Json(w => WriteBody(w, message.Body, offsets)),
                subject,
                sentDate,
                Clean(message.MessageId),
                headerText,
                Clean(bodyText.ToString()),
                BaseSubject.Of(subject),
                MessageIds.ThreadReferences(message));
        }
    }

    /// <summary>
    /// A body's lines (RFC 9051 §7.5.2, body-fld-lines) are its line breaks: MimeKit also counts a
    /// last line without one, which every part of a multipart has, its CRLF belonging to the next
    /// boundary (RFC 2046 §5.1.1). Dovecot and Cyrus count the breaks; so do we, reading one octet
    /// per part.
    /// </summary>
    private static void CountLinesAsDovecotDoes(Stream content, long start, Dictionary<MimeEntity, PartOffsets> offsets)
    {
        var position = content.Position;
        foreach (var (entity, o) in offsets.ToList())
        {
            if (o.End <= o.BodyStart || o.Lines == 0)
            {
                continue;
            }

            content.Position = start + o.End - 1;
            if (content.ReadByte() != '\n')
            {
                offsets[entity] = o with { Lines = o.Lines - 1 };
            }
        }

        content.Position = position;
    }

    /// <summary>What is stored for content MimeKit cannot read at all (e.g. empty): an empty text/plain body.</summary>
    private static MessageSummary Unparsable(long size) => new(
        Json(w => WriteEnvelope(w, null)),
        Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("subtype", "plain");
            w.WriteStartArray("params");
            w.WriteStartArray();
            w.WriteStringValue("charset");
            w.WriteStringValue("us-ascii");
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteString("encoding", "7bit");
            w.WriteNumber("size", size);
            w.WriteNumber("lines", 0);
            w.WriteNumber("headerStart", 0);
            w.WriteNumber("bodyStart", 0);
            w.WriteNumber("end", size);
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

    private static void WriteBody(Utf8JsonWriter w, MimeEntity? entity, Dictionary<MimeEntity, PartOffsets> offsets)
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
        WriteParameters(w, contentType.Parameters);
        var found = offsets.TryGetValue(entity, out var o);
        var (headersEnd, end, lines) = found ? (o.BodyStart, o.End, o.Lines) : (0L, 0L, 0);
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
            WriteParameters(w, disposition.Parameters);
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
        if (found)
        {
            w.WriteNumber("headerStart", o.HeaderStart);
            w.WriteNumber("bodyStart", o.BodyStart);
            w.WriteNumber("end", o.End);
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// Parameters as <c>[name, value]</c> pairs in the order the field has them: a JSON object would
    /// lose that order in a jsonb column (PostgreSQL 15 §8.14.1 sorts keys), and its duplicates.
    /// </summary>
    private static void WriteParameters(Utf8JsonWriter w, ParameterList parameters)
    {
        w.WriteStartArray("params");
        foreach (var parameter in parameters)
        {
            w.WriteStartArray();
            w.WriteStringValue(Clean(parameter.Name.ToLowerInvariant()));
            w.WriteStringValue(Clean(parameter.Value));
            w.WriteEndArray();
        }

        w.WriteEndArray();
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

    /// <summary>
    /// A message's header fields, one per line: MimeKit keeps the Content-* fields of the header on
    /// the body entity, not in <see cref="MimeMessage.Headers"/>, so they are taken from there
    /// (SEARCH HEADER Content-Type must find them, RFC 9051 §6.4.4).
    /// </summary>
    private static string HeaderTextOf(MimeMessage message)
    {
        var text = new StringBuilder();
        var content = message.Body?.Headers.Where(h => h.Field.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) ?? [];
        foreach (var header in message.Headers.Concat(content))
        {
            text.Append(header.Field).Append(": ").Append(header.Value.Replace('\n', ' ').Replace('\r', ' ')).Append('\n');
            if (text.Length >= MaxHeaderText)
            {
                break;
            }
        }

        return Clean(text.Length > MaxHeaderText ? text.ToString(0, MaxHeaderText) : text.ToString());
    }

    /// <summary>
    /// Where the part with section number <paramref name="part"/> (RFC 9051 §6.4.5: <c>[]</c> for the
    /// message itself, <c>[1, 2]</c> for "1.2") lies in the stored content, read from a body
    /// structure as <see cref="Parse(Stream)"/> writes it; null when there is no such part, or when
    /// the stored structure predates offsets (parse the message then). Part 1 of a message whose
    /// body is not a multipart is that body, and part 1 of any other part that is neither a
    /// multipart nor a message is that part itself, as Dovecot reads §6.4.5 (BODY[2.1] of a
    /// text/html second part is that part); the parts of a message/rfc822 part are those of the
    /// message it encapsulates.
    /// </summary>
    public static MessagePartLocation? FindPart(string bodyStructureJson, IReadOnlyList<int> part)
    {
        ArgumentNullException.ThrowIfNull(part);
        using var document = JsonDocument.Parse(bodyStructureJson);
        var current = document.RootElement;

        // Whether current is the top-level part of a message, whose part 1 may be itself.
        var messageBody = true;
        foreach (var number in part)
        {
            if (!messageBody && !IsMultipart(current) && IsMessage(current))
            {
                if (!current.TryGetProperty("body", out current) || current.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                messageBody = true;
            }

            if (IsMultipart(current))
            {
                if (number < 1 || number > current.GetProperty("parts").GetArrayLength())
                {
                    return null;
                }

                current = current.GetProperty("parts")[number - 1];
            }
            else if (number != 1)
            {
                return null;
            }

            messageBody = false;
        }

        return LocationOf(current);
    }

    private static bool IsMultipart(JsonElement part) => part.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array;

    private static bool IsMessage(JsonElement part) => part.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object;

    private static MessagePartLocation? LocationOf(JsonElement part)
    {
        if (!part.TryGetProperty("headerStart", out var header) || !part.TryGetProperty("bodyStart", out var body)
            || !part.TryGetProperty("end", out var end))
        {
            return null;
        }

        var encapsulated = !IsMultipart(part) && IsMessage(part) ? LocationOf(part.GetProperty("body")) : null;
        return new MessagePartLocation(header.GetInt64(), body.GetInt64(), end.GetInt64(), encapsulated);
    }

    /// <summary>
    /// Appends the searchable text of <paramref name="entity"/> and what it contains, read again
    /// from the original octets (the parser's view is cut and forward-only): text parts decoded from
    /// their transfer encoding and charset, HTML without markup, and the header of each
    /// encapsulated message. Of a multipart/alternative only the text/plain alternative, when
    /// there is one. Stops at <see cref="MaxBodyText"/>.
    /// </summary>
    private static void AppendBodyText(StringBuilder text, Stream content, long start, MimeEntity? entity,
        Dictionary<MimeEntity, PartOffsets> offsets)
    {
        if (entity is null || text.Length >= MaxBodyText)
        {
            return;
        }

        switch (entity)
        {
            case Multipart multipart:
                var plain = multipart.ContentType.IsMimeType("multipart", "alternative")
                    ? multipart.FirstOrDefault(p => p is TextPart t && t.IsPlain)
                    : null;
                IEnumerable<MimeEntity> parts = plain is null ? multipart : [plain];
                foreach (var part in parts)
                {
                    AppendBodyText(text, content, start, part, offsets);
                }

                break;
            case MessagePart { Message: { } message }:
                Separate(text);
                Append(text, HeaderTextOf(message));
                AppendBodyText(text, content, start, message.Body, offsets);
                break;
            case MimePart part when part.ContentType.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase)
                && offsets.TryGetValue(part, out var at):
                Separate(text);
                AppendText(text, content, start + at.BodyStart, start + at.End, part);
                break;
        }
    }

    private static void AppendText(StringBuilder text, Stream content, long from, long to, MimePart part)
    {
        var html = part.ContentType.IsMimeType("text", "html");
        var room = MaxBodyText - text.Length;

        // Markup takes room that text does not: read HTML up to four times what is left.
        var buffer = new char[Math.Min(html ? 4L * room : room, to - from)];
        int filled;
        try
        {
            Encoding? charset = null;
            try
            {
                charset = part.ContentType.CharsetEncoding;
            }
            catch (ArgumentException)
            {
                // An unknown charset: read it as UTF-8 below.
            }

            using var octets = new BoundStream(content, from, to, leaveOpen: true);
            using var encoded = new MimeContent(octets, part.ContentTransferEncoding);
            using var decoded = encoded.Open();
            using var reader = new StreamReader(decoded, charset ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
            filled = reader.ReadBlock(buffer, 0, buffer.Length);
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException or NotSupportedException)
        {
            return;
        }

        if (!html)
        {
            Append(text, new string(buffer, 0, filled));
            return;
        }

        var tokenizer = new HtmlTokenizer(new StringReader(new string(buffer, 0, filled))) { DecodeCharacterReferences = true };
        var skipping = false;
        while (text.Length < MaxBodyText && tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag:
                    skipping = !tag.IsEndTag && tag.Id is HtmlTagId.Script or HtmlTagId.Style;
                    Separate(text);
                    break;
                case HtmlDataToken data when !skipping && token.Kind == HtmlTokenKind.Data:
                    Append(text, data.Data);
                    break;
            }
        }
    }

    private static void Append(StringBuilder text, string value) =>
        text.Append(value, 0, Math.Min(value.Length, Math.Max(0, MaxBodyText - text.Length)));

    /// <summary>Keeps the text of two parts (or HTML elements) from running into one word.</summary>
    private static void Separate(StringBuilder text)
    {
        if (text.Length > 0 && text.Length < MaxBodyText && !char.IsWhiteSpace(text[^1]))
        {
            text.Append('\n');
        }
    }

    private static bool RegisterCodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return true;
    }

    /// <summary>Where the parser found one entity, in the original octets: its header, its body, its end; and its lines.</summary>
    private readonly record struct PartOffsets(long HeaderStart, long BodyStart, long End, int Lines);

    /// <summary>Ends a parse that met more than <see cref="MaxMimeParts"/> entities.</summary>
    private sealed class TooManyPartsException() : Exception("more MIME entities than the limit");

    /// <summary>PostgreSQL text and jsonb cannot hold NUL.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    private static string? Clean(string? value) => value?.Contains('\0', StringComparison.Ordinal) == true
        ? value.Replace("\0", "", StringComparison.Ordinal)
        : value;
}

/// <summary>
/// Where a part lies in a message's stored content (see <see cref="MessageSummary.FindPart"/>),
/// as offsets from the start of the blob: add the message's trace length for offsets in the
/// message. BODY[n] is [<see cref="BodyStart"/>, <see cref="End"/>), BODY[n.MIME] is
/// [<see cref="HeaderStart"/>, <see cref="BodyStart"/>); for a message/rfc822 part,
/// BODY[n.HEADER] and BODY[n.TEXT] are the header and body of <see cref="Message"/>. For the message
/// itself (no part number), HEADER is [0, trace length + <see cref="BodyStart"/>) of the message,
/// trace fields included, and TEXT is the rest.
/// </summary>
/// <param name="HeaderStart">Where the part's MIME header starts.</param>
/// <param name="BodyStart">Where its body starts, after the header's empty line.</param>
/// <param name="End">Where its body ends.</param>
/// <param name="Message">For a message/rfc822 part, the encapsulated message's own top-level part; otherwise null.</param>
public sealed record MessagePartLocation(long HeaderStart, long BodyStart, long End, MessagePartLocation? Message);
