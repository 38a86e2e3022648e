using System.Data.Common;
using Groupware.Imap.Syntax;

namespace Groupware.Imap.Commands;

/// <summary>
/// REPLACE and UID REPLACE (RFC 8508 §3): an APPEND of one message to <see cref="Mailbox"/> that takes
/// the place of a message of the selected mailbox, which is then expunged, as a client saving a new
/// version of a draft does. The new message is stored first, and the original is expunged only once
/// that has committed: a failure on the way loses neither, at worst it leaves both (as Dovecot does).
/// The APPENDUID comes untagged before the EXPUNGE (§3.3), since the tagged OK may follow other
/// responses. A message number outside the mailbox is BAD, a UID it does not hold NO (RFC 9051 §6.4.9).
/// </summary>
internal sealed record ReplaceCommand(bool ByUid, long Number, string Mailbox, AppendCommand.Message Message) : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session, bool byUid)
    {
        // RFC 8508 §6: replace = "REPLACE" SP seq-number SP mailbox append-message; seq-number is a number, never "*".
        if (!reader.TrySpace() || !reader.TryReadNzNumber64(out var number) || !reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox))
        {
            return "Syntax: REPLACE number mailbox [(flags)] [date-time] {size}";
        }

        if (AppendCommand.ParseMessage(reader, "REPLACE", out var message) is { } error)
        {
            return error;
        }

        return reader.AtEnd ? new ReplaceCommand(byUid, number, mailbox, message!) : "REPLACE takes one message.";
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        long uid;
        if (ByUid)
        {
            uid = Number;
            if (selected.SequenceOf(uid) == 0 || selected.IsExpunged(uid))
            {
                return ImapResult.No("No message of the mailbox has that UID.", "NONEXISTENT");
            }
        }
        else if (Number > selected.Exists)
        {
            return ImapResult.Bad("That message number is beyond the mailbox's messages.");
        }
        else
        {
            uid = selected.At((int)Number).Uid;
            if (selected.IsExpunged(uid))
            {
                return ImapResult.No("That message was expunged.", "EXPUNGEISSUED");
            }
        }

        if (selected.ReadOnly)
        {
            return ImapResult.No("The mailbox is selected read-only, so nothing in it can be replaced.", "READ-ONLY");
        }

        var (refusal, result) = await AppendCommand.StoreAsync(session, Mailbox, [Message], cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        session.WriteLine($"* OK [{AppendCommand.AppendUid(result)}] Replacement message saved.");
        if (string.Equals(selected.Name, Mailbox, StringComparison.Ordinal))
        {
            // RFC 8508 §3.4's order: the new message's EXISTS before the original's EXPUNGE.
            await session.AnnounceChangesAsync(cancellationToken, force: true);
        }

        int removed;
        try
        {
            removed = await session.Store.ExpungeAsync(session.Account!.Id, selected.MailboxId, [uid], cancellationToken);
        }
        catch (DbException failure)
        {
            // The replacement is stored and acknowledged above; the original stays, and the client hears so.
            session.LogOriginalKept(failure, uid);
            await session.AnnounceChangesAsync(cancellationToken, force: true);
            return ImapResult.Ok("Replace completed, but the original message could not be expunged.");
        }

        if (removed > 0)
        {
            selected.Expunged([uid]);
        }

        await session.AnnounceChangesAsync(cancellationToken, force: true);
        return ImapResult.Ok("Replace completed.", session.CondStore && removed > 0 ? selected.HighestModSeqCode : null);
    }
}
