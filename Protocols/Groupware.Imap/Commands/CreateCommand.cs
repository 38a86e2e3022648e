using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// CREATE mailbox [(USE (special-use))] (RFC 9051 §6.3.4, CREATE-SPECIAL-USE RFC 6154 §3). Superior
/// names that do not exist are created too; a trailing "/" only declares the intent to create names
/// under it. One mailbox per special use (two \Sent make iOS Mail sync forever, DESIGN.md).
/// </summary>
internal sealed record CreateCommand(string Mailbox, string? SpecialUse, string? InvalidName = null) : ImapCommand
{
    private static readonly string[] SpecialUses = [@"\All", @"\Archive", @"\Drafts", @"\Flagged", @"\Junk", @"\Sent", @"\Trash"];

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox))
        {
            return "Syntax: CREATE mailbox [(USE (\\Special))]";
        }

        var invalid = reader.LastMailboxError;

        string? specialUse = null;
        if (reader.TrySpace())
        {
            // create-param = "USE" SP "(" use-attr *(SP use-attr) ")": one special use per mailbox here.
            if (!reader.TryRead('(') || !reader.TryReadAtom(out var parameter) || !parameter.Equals("USE", StringComparison.OrdinalIgnoreCase)
                || !reader.TrySpace() || !reader.TryRead('(') || !reader.TryReadFlag(out var use) || !reader.TryRead(')') || !reader.TryRead(')'))
            {
                return "Syntax: CREATE mailbox (USE (\\Special))";
            }

            specialUse = Array.Find(SpecialUses, u => u.Equals(use, StringComparison.OrdinalIgnoreCase));
            if (specialUse is null)
            {
                return $"{use} is not a special use of RFC 6154.";
            }
        }

        return reader.AtEnd ? new CreateCommand(mailbox.TrimEnd('/'), specialUse, invalid) : "Syntax: CREATE mailbox [(USE (\\Special))]";
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (InvalidName is not null)
        {
            return ImapResult.No($"That is not a name a mailbox can have: {InvalidName}.", "CANNOT");
        }

        if (Mailbox.Length == 0)
        {
            return ImapResult.No("A mailbox needs a name.", "CANNOT");
        }

        return await session.Store.CreateMailboxAsync(session.Account!.Id, Mailbox, SpecialUse, cancellationToken) switch
        {
            CreateMailboxResult.Created => ImapResult.Ok("Create completed."),
            CreateMailboxResult.AlreadyExists => ImapResult.No("The mailbox exists already.", "ALREADYEXISTS"),
            CreateMailboxResult.SpecialUseInUse => ImapResult.No($"Another mailbox is {SpecialUse} already.", "USEATTR"),
            _ => ImapResult.No("That is not a name a mailbox can have.", "CANNOT"),
        };
    }
}
