using System.Text;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;
using MimeKit;

namespace Groupware.Imap.Commands;

/// <summary>The octets of one FETCH section, or why there are none.</summary>
internal readonly record struct SectionOctets(byte[] Octets, string? Refusal = null);

/// <summary>
/// Reads what a FETCH section names (RFC 9051 §6.4.5.1) as an octet range of the stored message:
/// the part offsets the store keeps in the body structure (<see cref="MessageSummary.FindPart"/>)
/// say where a part's MIME header, body and end are; the trace fields come first in the message,
/// so every offset moves by their length. Only that range is read. Content stored before offsets
/// existed is parsed once here to find them. BINARY decodes a part's content transfer encoding
/// (RFC 3516 §4) with MimeKit.
/// </summary>
internal static class MessageSections
{
    /// <summary>The section's octets (already cut to its partial), or null when the message is gone.</summary>
    public static async ValueTask<SectionOctets?> ReadAsync(ImapSession session, long mailboxId, MessageMetadata meta, FetchAttribute attribute,
        CancellationToken cancellationToken)
    {
        try
        {
            return attribute switch
            {
                FetchItemAttribute { Item: FetchItem.Rfc822Header } => new SectionOctets(
                    await ReadAsync(session, mailboxId, meta, Header(meta, await LocateAsync(session, mailboxId, meta, [], cancellationToken)), cancellationToken)),
                FetchItemAttribute { Item: FetchItem.Rfc822Text } => new SectionOctets(
                    await ReadAsync(session, mailboxId, meta, Text(meta, await LocateAsync(session, mailboxId, meta, [], cancellationToken)), cancellationToken)),
                BodySectionAttribute body => new SectionOctets(Cut(await BodyAsync(session, mailboxId, meta, body.Section, cancellationToken), body.Partial)),
                BinarySectionAttribute binary => await BinaryAsync(session, mailboxId, meta, binary.Part, binary.Partial, cancellationToken),
                BinarySizeAttribute size => await BinaryAsync(session, mailboxId, meta, size.Part, null, cancellationToken),
                _ => throw new ArgumentException($"{attribute} is not a section", nameof(attribute)),
            };
        }
        catch (MessageNotFoundException)
        {
            return null;
        }
    }

    private static async ValueTask<byte[]> BodyAsync(ImapSession session, long mailboxId, MessageMetadata meta, BodySection section,
        CancellationToken cancellationToken)
    {
        var numbers = section.Part.Numbers.Select(n => (int)n).ToArray();
        var location = await LocateAsync(session, mailboxId, meta, numbers, cancellationToken);
        if (location is null)
        {
            // No such part: RFC 9051 §6.4.5 answers an empty string rather than an error.
            return [];
        }

        var message = section.Part.IsMessage ? location : location.Message;
        var range = section.Text switch
        {
            SectionText.None => section.Part.IsMessage ? (0, meta.Size) : Shift(meta, location.BodyStart, location.End),
            // The MIME header of the top-level part is the message's header, trace fields included (as Dovecot's).
            SectionText.Mime => location.HeaderStart == 0 ? Header(meta, location) : Shift(meta, location.HeaderStart, location.BodyStart),
            SectionText.Text => message is null ? (0, 0) : section.Part.IsMessage ? Text(meta, message) : Shift(meta, message.BodyStart, location.End),
            _ => message is null ? (0, 0) : section.Part.IsMessage ? Header(meta, message) : Shift(meta, message.HeaderStart, message.BodyStart),
        };
        var octets = await ReadAsync(session, mailboxId, meta, range, cancellationToken);
        return section.Text switch
        {
            SectionText.HeaderFields => HeaderFields(octets, section.Fields, keep: true),
            SectionText.HeaderFieldsNot => HeaderFields(octets, section.Fields, keep: false),
            _ => octets,
        };
    }

    private static async ValueTask<SectionOctets> BinaryAsync(ImapSession session, long mailboxId, MessageMetadata meta, SectionPart part,
        FetchPartial? partial, CancellationToken cancellationToken)
    {
        if (part.IsMessage)
        {
            return new SectionOctets(Cut(await ReadAsync(session, mailboxId, meta, (0, meta.Size), cancellationToken), partial));
        }

        var location = await LocateAsync(session, mailboxId, meta, part.Numbers.Select(n => (int)n).ToArray(), cancellationToken);
        if (location is null)
        {
            return new SectionOctets([]);
        }

        var entityOctets = await ReadAsync(session, mailboxId, meta, Shift(meta, location.HeaderStart, location.End), cancellationToken);
        using var entity = await MimeEntity.LoadAsync(new MemoryStream(entityOctets), cancellationToken);
        if (entity is not MimePart leaf)
        {
            // A multipart has no content of its own to decode; a message/rfc822 part goes as it is.
            return new SectionOctets(Cut(entityOctets[(int)(location.BodyStart - location.HeaderStart)..], partial));
        }

        if (leaf.ContentTransferEncoding is not (ContentEncoding.Default or ContentEncoding.SevenBit or ContentEncoding.EightBit
            or ContentEncoding.Binary or ContentEncoding.Base64 or ContentEncoding.QuotedPrintable or ContentEncoding.UUEncode))
        {
            return new SectionOctets([], "UNKNOWN-CTE");
        }

        if (leaf.ContentTransferEncoding == ContentEncoding.QuotedPrintable)
        {
            return new SectionOctets(Cut(QuotedPrintable.Decode(entityOctets.AsSpan((int)(location.BodyStart - location.HeaderStart))), partial));
        }

        using var decoded = new MemoryStream();
        if (leaf.Content is { } content)
        {
            await content.DecodeToAsync(decoded, cancellationToken);
        }

        return new SectionOctets(Cut(decoded.ToArray(), partial));
    }

    /// <summary>Where part <paramref name="numbers"/> lies; content stored without offsets is parsed here to find them.</summary>
    private static async ValueTask<MessagePartLocation?> LocateAsync(ImapSession session, long mailboxId, MessageMetadata meta, int[] numbers,
        CancellationToken cancellationToken)
    {
        var location = MessageSummary.FindPart(meta.BodyStructureJson, numbers);
        if (location is not null || MessageSummary.FindPart(meta.BodyStructureJson, []) is not null)
        {
            return location;
        }

        var whole = await ReadAsync(session, mailboxId, meta, (meta.TraceLength, meta.Size), cancellationToken);
        using var content = new MemoryStream(whole);
        return MessageSummary.FindPart(MessageSummary.Parse(content).BodyStructureJson, numbers);
    }

    private static async ValueTask<byte[]> ReadAsync(ImapSession session, long mailboxId, MessageMetadata meta, (long Start, long End) range,
        CancellationToken cancellationToken)
    {
        var length = Math.Max(0, Math.Min(range.End, meta.Size) - range.Start);
        if (length == 0)
        {
            return [];
        }

        await using var stream = await session.Store.OpenMessageRangeAsync(session.Account!.Id, mailboxId, meta.Uid, range.Start, length,
            cancellationToken);
        var octets = new byte[length];
        await stream.ReadExactlyAsync(octets, cancellationToken);
        return octets;
    }

    /// <summary>The header of the top-level message: the trace fields and the stored header, its blank line included.</summary>
    private static (long, long) Header(MessageMetadata meta, MessagePartLocation? top) => (0, meta.TraceLength + (top?.BodyStart ?? 0));

    private static (long, long) Text(MessageMetadata meta, MessagePartLocation? top) => (meta.TraceLength + (top?.BodyStart ?? 0), meta.Size);

    private static (long, long) Shift(MessageMetadata meta, long start, long end) => (meta.TraceLength + start, meta.TraceLength + end);

    /// <summary>&lt;offset.length&gt; (RFC 9051 §6.4.5): the octets from offset, at most length of them; none when offset is past the end.</summary>
    private static byte[] Cut(byte[] octets, FetchPartial? partial)
    {
        if (partial is not { } p)
        {
            return octets;
        }

        if (p.Offset >= octets.Length)
        {
            return [];
        }

        return octets.AsSpan((int)p.Offset, (int)Math.Min(p.Length, octets.Length - p.Offset)).ToArray();
    }

    /// <summary>
    /// HEADER.FIELDS and HEADER.FIELDS.NOT (RFC 9051 §6.4.5.1): the header fields whose names are (or are
    /// not) among <paramref name="names"/>, each with its continuation lines as stored, then the blank line.
    /// </summary>
    internal static byte[] HeaderFields(byte[] header, IReadOnlyList<string> names, bool keep)
    {
        var wanted = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
        var output = new MemoryStream();
        var start = 0;
        var include = false;
        while (start < header.Length)
        {
            var end = Array.IndexOf(header, (byte)'\n', start);
            end = end < 0 ? header.Length : end + 1;
            var line = header.AsSpan(start, end - start);
            if (line.Length <= 2 && (line.Length == 0 || line[0] == '\r' || line[0] == '\n'))
            {
                break;
            }

            if (line[0] is not ((byte)' ' or (byte)'\t'))
            {
                var colon = line.IndexOf((byte)':');
                var name = colon > 0 ? Encoding.ASCII.GetString(line[..colon]).TrimEnd() : "";
                include = name.Length > 0 && wanted.Contains(name) == keep;
            }

            if (include)
            {
                output.Write(line);
            }

            start = end;
        }

        output.Write("\r\n"u8);
        return output.ToArray();
    }
}
