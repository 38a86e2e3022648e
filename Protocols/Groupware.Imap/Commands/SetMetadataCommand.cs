using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// SETMETADATA mailbox (entry value ...) (RFC 5464 §4.3): sets each entry, NIL removing it, all or
/// none, "" naming the server. A value over <see cref="ImapOptions.MaxMetadataValueSize"/> is
/// refused with <c>[METADATA MAXSIZE n]</c>, more entries than <see cref="ImapOptions.MaxMetadataEntries"/>
/// with <c>[METADATA TOOMANY]</c>. Every mailbox here has one owner, so /shared and /private
/// entries are both the account's (§3.3 lets a server without sharing treat them alike).
/// </summary>
internal sealed record SetMetadataCommand(string Mailbox, IReadOnlyList<(string Entry, byte[]? Value)> Changes) : ImapCommand
{
    private const string Syntax = "Syntax: SETMETADATA mailbox (entry value/NIL ...)";

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox) || !reader.TrySpace())
        {
            return Syntax;
        }

        var changes = new List<(string Entry, byte[]? Value)>();
        if (!reader.TryReadList(r => ReadChange(r, changes), allowEmpty: false) || !reader.AtEnd)
        {
            return reader.Error.Contains("literal", StringComparison.Ordinal) ? reader.Error : Syntax;
        }

        return changes.FirstOrDefault(c => !MetadataEntries.IsValid(c.Entry, allowPrefix: false)) is { Entry: { } invalid }
            ? MetadataEntries.Invalid(invalid)
            : new SetMetadataCommand(mailbox, changes);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var max = session.Options.MaxMetadataValueSize;
        if (Changes.Any(c => c.Value?.Length > max))
        {
            return ImapResult.No($"A metadata value is at most {max} octets.", $"METADATA MAXSIZE {max}");
        }

        return await session.Store.SetMetadataAsync(session.Account!.Id, Mailbox, Changes, session.Options.MaxMetadataEntries, cancellationToken) switch
        {
            SetMetadataStatus.Stored => ImapResult.Ok("Setmetadata completed."),
            SetMetadataStatus.TooMany => ImapResult.No($"At most {session.Options.MaxMetadataEntries} metadata entries per mailbox and for the server.",
                "METADATA TOOMANY"),
            _ => ImapResult.No("No such mailbox.", "NONEXISTENT"),
        };
    }

    private static bool ReadChange(Syntax.ImapReader reader, List<(string Entry, byte[]? Value)> changes)
    {
        if (!reader.TryReadAString(out var entry) || !reader.TrySpace())
        {
            return false;
        }

        if (reader.TryReadKeyword("NIL"))
        {
            changes.Add((entry, null));
            return true;
        }

        if (!reader.TryReadStringOctets(out var value))
        {
            return false;
        }

        changes.Add((entry, value));
        return true;
    }
}
