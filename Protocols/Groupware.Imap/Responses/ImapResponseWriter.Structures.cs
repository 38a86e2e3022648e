using System.Text;
using System.Text.Json;
using MimeKit.Utils;

namespace Groupware.Imap.Responses;

/// <summary>ENVELOPE and BODY/BODYSTRUCTURE (RFC 9051 §7.5.2 and §9 <c>envelope</c>, <c>body</c>) from Storage's JSON.</summary>
internal sealed partial class ImapResponseWriter
{
    /// <summary>Storage's body structures nest up to its MIME depth of 100, two JSON levels a MIME level and the envelopes within.</summary>
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 1000 };

    /// <summary>
    /// RFC 9051 §9 <c>envelope</c> from <c>MessageSummary.EnvelopeJson</c>: date, subject, from,
    /// sender, reply-to, to, cc, bcc, in-reply-to, message-id; absent fields NIL, present but empty
    /// ones "". Display names and group names go as RFC 2047 encoded-words when they are not
    /// ASCII, unless <see cref="Utf8"/>, when they may go as UTF-8; groups are flattened into
    /// their start and end markers (RFC 9051 §7.5.2). Properties the writer does not know are ignored.
    /// </summary>
    public void WriteEnvelope(string envelopeJson)
    {
        ArgumentNullException.ThrowIfNull(envelopeJson);
        using var document = JsonDocument.Parse(envelopeJson, JsonOptions);
        WriteEnvelope(document.RootElement);
    }

    /// <summary>
    /// RFC 9051 §9 <c>body</c> from <c>MessageSummary.BodyStructureJson</c>: BODYSTRUCTURE with
    /// <paramref name="extensible"/>, the non-extensible BODY without. A text part carries its
    /// lines, a message/rfc822 (or message/global) part its envelope, body and lines; a text part
    /// without a charset gets <c>("charset" "us-ascii")</c>, the RFC 2045 §5.2 default, as Dovecot
    /// writes it. A part Storage summarised without its children (beyond its MIME depth or part
    /// count) is written as application/octet-stream, and a multipart without parts as one empty
    /// text/plain part, both as Dovecot does. Parameter values that are not ASCII go in RFC 2231
    /// form (<c>name*</c> = <c>utf-8''…</c>) unless <see cref="Utf8"/>.
    /// </summary>
    public void WriteBodyStructure(string bodyStructureJson, bool extensible)
    {
        ArgumentNullException.ThrowIfNull(bodyStructureJson);
        using var document = JsonDocument.Parse(bodyStructureJson, JsonOptions);
        WriteBody(document.RootElement, extensible);
    }

    private void WriteEnvelope(JsonElement envelope)
    {
        WriteOpen();
        WriteNString(Text(envelope, "date"));
        WriteSpace();
        WriteNString(Text(envelope, "subject"));
        foreach (var field in (ReadOnlySpan<string>)["from", "sender", "replyTo", "to", "cc", "bcc"])
        {
            WriteSpace();
            WriteAddresses(Property(envelope, field));
        }

        WriteSpace();
        WriteNString(Text(envelope, "inReplyTo"));
        WriteSpace();
        WriteNString(Text(envelope, "messageId"));
        WriteClose();
    }

    /// <summary><c>"(" 1*address ")" / nil</c>; addresses follow one another without SP, as the grammar has it.</summary>
    private void WriteAddresses(JsonElement? addresses)
    {
        if (addresses is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
        {
            WriteNil();
            return;
        }

        WriteOpen();
        foreach (var address in list.EnumerateArray())
        {
            WriteAddress(address);
        }

        WriteClose();
    }

    private void WriteAddress(JsonElement address)
    {
        if (address.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (address.TryGetProperty("members", out var members) || address.TryGetProperty("group", out _))
        {
            // RFC 9051 §7.5.2: a group starts with (NIL NIL name NIL) and ends with (NIL NIL NIL NIL).
            WriteAddressFields(null, null, Phrase(Text(address, "group") ?? ""), null);
            if (members.ValueKind == JsonValueKind.Array)
            {
                foreach (var member in members.EnumerateArray())
                {
                    WriteAddress(member);
                }
            }

            WriteAddressFields(null, null, null, null);
            return;
        }

        WriteAddressFields(Phrase(Text(address, "name")), Text(address, "adl"), Text(address, "mailbox"), Text(address, "host"));
    }

    private void WriteAddressFields(string? name, string? adl, string? mailbox, string? host)
    {
        WriteOpen();
        WriteNString(name);
        WriteSpace();
        WriteNString(adl);
        WriteSpace();
        WriteNString(mailbox);
        WriteSpace();
        WriteNString(host);
        WriteClose();
    }

    /// <summary>A decoded display name as ENVELOPE carries it: RFC 2047 encoded-words unless ASCII or a UTF-8 session.</summary>
    private string? Phrase(string? name)
    {
        if (name is null || Utf8 || Ascii.IsValid(name))
        {
            return name;
        }

        return Encoding.ASCII.GetString(Rfc2047.EncodePhrase(Encoding.UTF8, name));
    }

    private void WriteBody(JsonElement part, bool extensible)
    {
        var type = Text(part, "type") ?? "text";
        var subtype = Text(part, "subtype") ?? "plain";
        var isMultipart = type.Equals("multipart", StringComparison.OrdinalIgnoreCase);
        if (isMultipart && Property(part, "parts") is { ValueKind: JsonValueKind.Array } parts)
        {
            WriteOpen();
            if (parts.GetArrayLength() == 0)
            {
                WriteEmptyTextPart(extensible);
            }

            foreach (var child in parts.EnumerateArray())
            {
                WriteBody(child, extensible);
            }

            WriteSpace();
            WriteString(subtype);
            if (extensible)
            {
                WriteSpace();
                WriteParameters(Property(part, "params"), defaultCharset: false);
                WriteExtensionCommon(part);
            }

            WriteClose();
            return;
        }

        var isMessage = type.Equals("message", StringComparison.OrdinalIgnoreCase) &&
            (subtype.Equals("rfc822", StringComparison.OrdinalIgnoreCase) || subtype.Equals("global", StringComparison.OrdinalIgnoreCase));
        var body = Property(part, "body") is { ValueKind: JsonValueKind.Object } b ? b : (JsonElement?)null;
        if (isMultipart || (isMessage && body is null))
        {
            // Summarised without its children: RFC 9051 §9 body-type-basic forbids message/rfc822 there.
            type = "application";
            subtype = "octet-stream";
            isMessage = false;
        }

        var isText = type.Equals("text", StringComparison.OrdinalIgnoreCase);
        WriteOpen();
        WriteString(type);
        WriteSpace();
        WriteString(subtype);
        WriteSpace();
        WriteParameters(Property(part, "params"), defaultCharset: isText);
        WriteSpace();
        WriteNString(Text(part, "id"));
        WriteSpace();
        WriteNString(Text(part, "description"));
        WriteSpace();
        WriteString(Text(part, "encoding") ?? "7bit");
        WriteSpace();
        WriteNumber(Number(part, "size"));
        if (isMessage)
        {
            WriteSpace();
            if (Property(part, "envelope") is { ValueKind: JsonValueKind.Object } envelope)
            {
                WriteEnvelope(envelope);
            }
            else
            {
                WriteText("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
            }

            WriteSpace();
            WriteBody(body!.Value, extensible);
            WriteSpace();
            WriteNumber(Number(part, "lines"));
        }
        else if (isText)
        {
            WriteSpace();
            WriteNumber(Number(part, "lines"));
        }

        if (extensible)
        {
            WriteSpace();
            WriteNString(Text(part, "md5"));
            WriteExtensionCommon(part);
        }

        WriteClose();
    }

    /// <summary>What RFC 9051's 1*body needs when a multipart has no parts: one empty text/plain part, as Dovecot writes it.</summary>
    private void WriteEmptyTextPart(bool extensible) =>
        WriteText(extensible
            ? "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL)"
            : "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)");

    /// <summary>SP body-fld-dsp SP body-fld-lang SP body-fld-loc: the tail both extension forms share.</summary>
    private void WriteExtensionCommon(JsonElement part)
    {
        WriteSpace();
        if (Property(part, "disposition") is { ValueKind: JsonValueKind.Object } disposition && Text(disposition, "type") is { } dispositionType)
        {
            WriteOpen();
            WriteString(dispositionType);
            WriteSpace();
            WriteParameters(Property(disposition, "params"), defaultCharset: false);
            WriteClose();
        }
        else
        {
            WriteNil();
        }

        WriteSpace();
        var languages = Property(part, "language") is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.String).Select(l => l.GetString()!).ToList()
            : [];
        if (languages.Count == 0)
        {
            WriteNil();
        }
        else
        {
            WriteOpen();
            for (var i = 0; i < languages.Count; i++)
            {
                if (i > 0)
                {
                    WriteSpace();
                }

                WriteString(languages[i]);
            }

            WriteClose();
        }

        WriteSpace();
        WriteNString(Text(part, "location"));
    }

    /// <summary>RFC 9051 §9 <c>body-fld-param</c>: "(" name SP value … ")", or NIL for none.</summary>
    private void WriteParameters(JsonElement? parameters, bool defaultCharset)
    {
        var pairs = new List<(string Name, string Value)>();
        if (parameters is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var pair in list.EnumerateArray())
            {
                if (pair is { ValueKind: JsonValueKind.Array } && pair.GetArrayLength() == 2
                    && pair[0].ValueKind == JsonValueKind.String && pair[1].ValueKind == JsonValueKind.String)
                {
                    pairs.Add((pair[0].GetString()!, pair[1].GetString()!));
                }
            }
        }
        else if (parameters is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var property in map.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    pairs.Add((property.Name, property.Value.GetString()!));
                }
            }
        }

        if (defaultCharset && !pairs.Any(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)))
        {
            pairs.Add(("charset", "us-ascii"));
        }

        if (pairs.Count == 0)
        {
            WriteNil();
            return;
        }

        WriteOpen();
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                WriteSpace();
            }

            var (name, value) = pairs[i];
            if (!Utf8 && !Ascii.IsValid(value))
            {
                // Storage keeps RFC 2231 values decoded; an IMAP4rev1 client reads them back in that form.
                name += "*";
                value = Rfc2231(value);
            }

            WriteString(name);
            WriteSpace();
            WriteString(value);
        }

        WriteClose();
    }

    /// <summary>An RFC 2231 §4 extended value in UTF-8: <c>utf-8''</c> and the octets outside attribute-char %-encoded.</summary>
    private static string Rfc2231(string value)
    {
        var text = new StringBuilder("utf-8''");
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is > 0x20 and < 0x7f && "*'%()<>@,;:\\\"/[]?=".IndexOf((char)b, StringComparison.Ordinal) < 0)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static long Number(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? Math.Max(0, number) : 0;
}
