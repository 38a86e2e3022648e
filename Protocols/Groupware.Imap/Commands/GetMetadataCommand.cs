using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// GETMETADATA [options] mailbox entries (RFC 5464 §4.2, with errata 2785/2786: the options come
/// first; after the mailbox, as the RFC's examples and older clients put them, they are taken too): one <c>* METADATA mailbox (entry value ...)</c> with the entries found (none: no
/// response), "" naming the server. MAXSIZE leaves out larger values and says how large the largest
/// left out is in <c>[METADATA LONGENTRIES n]</c> (§4.2.1); DEPTH 1 or infinity adds the entries
/// below each one named (§4.2.2).
/// </summary>
internal sealed record GetMetadataCommand(string Mailbox, IReadOnlyList<string> Entries, long? MaxSize, MetadataDepth Depth) : ImapCommand
{
    private const string Syntax = "Syntax: GETMETADATA [(MAXSIZE n DEPTH 0/1/infinity)] mailbox entry/(entries)";

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace())
        {
            return Syntax;
        }

        long? maxSize = null;
        MetadataDepth? depth = null;

        // The options before the mailbox (§4.2 with errata 2785/2786), or after it, as §4.2.1's examples
        // had them (and MailKit sends them): an option list starts with a letter, an entry list with "/"
        // or a string. Null when there is none.
        bool? TryReadOptions() => reader.Peek() == '(' && reader.PeekAt(1) is >= 'A' and <= 'Z' or >= 'a' and <= 'z'
            ? reader.TryReadList(r => ReadOption(r, ref maxSize, ref depth), allowEmpty: false) && reader.TrySpace()
            : null;

        if (TryReadOptions() is false || !reader.TryReadMailbox(session.Utf8, out var mailbox) || !reader.TrySpace())
        {
            return Syntax;
        }

        if (maxSize is null && depth is null && TryReadOptions() is false)
        {
            return Syntax;
        }

        var entries = new List<string>();
        var read = reader.Peek() == '('
            ? reader.TryReadList(r => r.TryReadAString(out var entry) && Add(entries, entry), allowEmpty: false)
            : reader.TryReadAString(out var single) && Add(entries, single);
        if (!read || !reader.AtEnd)
        {
            return Syntax;
        }

        return entries.FirstOrDefault(e => !MetadataEntries.IsValid(e, allowPrefix: true)) is { } invalid
            ? MetadataEntries.Invalid(invalid)
            : new GetMetadataCommand(mailbox, entries, maxSize, depth ?? MetadataDepth.Zero);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var found = await session.Store.GetMetadataAsync(session.Account!.Id, Mailbox, Entries, Depth, cancellationToken);
        if (found is null)
        {
            return ImapResult.No("No such mailbox.", "NONEXISTENT");
        }

        var shown = found.Where(e => MaxSize is not { } max || e.Value.Length <= max).ToList();
        if (shown.Count > 0)
        {
            var writer = session.ResponseWriter();
            writer.WriteText("* METADATA ");
            writer.WriteMailbox(Mailbox);
            writer.WriteText(" (");
            for (var i = 0; i < shown.Count; i++)
            {
                if (i > 0)
                {
                    writer.WriteSpace();
                }

                writer.WriteAString(shown[i].Entry);
                writer.WriteSpace();
                WriteValue(writer, shown[i].Value);
            }

            writer.WriteClose();
            writer.WriteCrlf();
        }

        var longest = found.Where(e => e.Value.Length > MaxSize).Select(e => (long)e.Value.Length).DefaultIfEmpty(0).Max();
        return longest > 0
            ? ImapResult.Ok("Getmetadata completed; larger entries left out.", $"METADATA LONGENTRIES {longest}")
            : ImapResult.Ok("Getmetadata completed.");
    }

    /// <summary>A value as a quoted string when it is short printable text, else a literal (literal8 when it holds NUL, RFC 5464 §5).</summary>
    public static void WriteValue(Responses.ImapResponseWriter writer, byte[] value)
    {
        if (value.Contains((byte)0))
        {
            writer.WriteLiteral8(value);
        }
        else
        {
            writer.WriteString(value);
        }
    }

    private static bool ReadOption(Syntax.ImapReader reader, ref long? maxSize, ref MetadataDepth? depth)
    {
        if (maxSize is null && reader.TryReadKeyword("MAXSIZE"))
        {
            if (!reader.TrySpace() || !reader.TryReadNumber64(out var size))
            {
                return false;
            }

            maxSize = size;
            return true;
        }

        if (depth is null && reader.TryReadKeyword("DEPTH"))
        {
            if (!reader.TrySpace())
            {
                return false;
            }

            depth = reader.TryReadKeyword("0") ? MetadataDepth.Zero
                : reader.TryReadKeyword("1") ? MetadataDepth.One
                : reader.TryReadKeyword("infinity") ? MetadataDepth.Infinity
                : null;
            return depth is not null;
        }

        return false;
    }

    private static bool Add(List<string> entries, string entry)
    {
        entries.Add(entry);
        return true;
    }
}
