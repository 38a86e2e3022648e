using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// CREATE mailbox [(USE (special-use))] (RFC 9051 §6.3.4, CREATE-SPECIAL-USE RFC 6154 §3). Superior
/// names that do not exist are created too; a trailing "/" only declares the intent to create names
/// under it. One mailbox per special use (two \Sent make iOS Mail sync forever, DESIGN.md).
/// </summary>
internal sealed record CreateCommand(string Mailbox, string? SpecialUse, string? InvalidName = null, string? RefusedUse = null) : ImapCommand
{
    private static readonly string[] SpecialUses = [@"\All", @"\Archive", @"\Drafts", @"\Flagged", @"\Junk", @"\Sent", @"\Trash"];

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox))
        {
            return "Syntax: CREATE mailbox [(USE (\\Special))]";
        }

        var invalid = reader.LastMailboxError;
        var uses = new List<string>();
        if (reader.TrySpace())
        {
            // create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")", use-attr = "\" atom (RFC 6154 §6).
            if (!reader.TryRead('(') || !reader.TryReadAtom(out var parameter) || !parameter.Equals("USE", StringComparison.OrdinalIgnoreCase)
                || !reader.TrySpace() || !reader.TryRead('('))
            {
                return "Syntax: CREATE mailbox (USE (\\Special))";
            }

            while (!reader.TryRead(')'))
            {
                if ((uses.Count > 0 && !reader.TrySpace()) || !reader.TryRead('\\') || !reader.TryReadAtom(out var use))
                {
                    return "Syntax: CREATE mailbox (USE (\\Special))";
                }

                uses.Add("\\" + use);
            }

            if (!reader.TryRead(')'))
            {
                return "Syntax: CREATE mailbox (USE (\\Special))";
            }
        }

        if (!reader.AtEnd)
        {
            return "Syntax: CREATE mailbox [(USE (\\Special))]";
        }

        // RFC 6154 §3: a use that cannot be given is a NO [USEATTR], and nothing is created. This store
        // gives a mailbox one special use (each use names one mailbox, DESIGN.md).
        var known = uses.Select(u => Array.Find(SpecialUses, s => s.Equals(u, StringComparison.OrdinalIgnoreCase))).ToList();
        var refused = uses.Count > 1 ? string.Join(' ', uses) : known.Count == 1 && known[0] is null ? uses[0] : null;
        return new CreateCommand(mailbox.TrimEnd('/'), refused is null && known.Count == 1 ? known[0] : null, invalid, refused);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (InvalidName is not null)
        {
            return ImapResult.No($"That is not a name a mailbox can have: {InvalidName}.", "CANNOT");
        }

        if (RefusedUse is not null)
        {
            return ImapResult.No(RefusedUse.Contains(' ', StringComparison.Ordinal)
                ? "A mailbox can have one special use here."
                : $"{RefusedUse} is not a special use this server gives.", "USEATTR");
        }

        if (Mailbox.Length == 0)
        {
            return ImapResult.No("A mailbox needs a name.", "CANNOT");
        }

        var accountId = session.Account!.Id;
        return await session.Store.CreateMailboxAsync(accountId, Mailbox, SpecialUse, cancellationToken) switch
        {
            // RFC 8474 §4.1: the new mailbox's MAILBOXID (none if it was deleted again meanwhile).
            CreateMailboxResult.Created => await session.Store.FindMailboxAsync(accountId, Mailbox, cancellationToken) is { } created
                ? ImapResult.Ok("Create completed.", $"MAILBOXID ({Storage.Mail.ObjectIds.MailboxId(accountId, created.Id)})")
                : ImapResult.Ok("Create completed."),
            CreateMailboxResult.AlreadyExists => ImapResult.No("The mailbox exists already.", "ALREADYEXISTS"),
            CreateMailboxResult.SpecialUseInUse => ImapResult.No($"Another mailbox is {SpecialUse} already.", "USEATTR"),
            _ => ImapResult.No("That is not a name a mailbox can have.", "CANNOT"),
        };
    }
}
