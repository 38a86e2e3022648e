using System.Globalization;

namespace Groupware.Imap.Commands;

/// <summary>
/// STATUS mailbox (items) (RFC 9051 §6.3.11): MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, DELETED, SIZE
/// (RFC 8438), DELETED-STORAGE (RFC 9208 §4.1.4, in octets as SIZE is), APPENDLIMIT (RFC 7889 §3, the
/// one limit of every mailbox), HIGHESTMODSEQ (RFC 7162 §3.1.7, a CONDSTORE enabling command), MAILBOXID
/// (RFC 8474 §4.3), and
/// RECENT for IMAP4rev1 sessions, from the store without selecting the mailbox.
/// </summary>
internal sealed record StatusCommand(string Mailbox, IReadOnlyList<string> Items) : ImapCommand
{
    internal static readonly string[] Known =
        ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "DELETED-STORAGE", "APPENDLIMIT", "RECENT", "HIGHESTMODSEQ", "MAILBOXID"];

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox) || !reader.TrySpace()
            || !TryReadItems(reader, out var items) || !reader.AtEnd)
        {
            return "Syntax: STATUS mailbox (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ)";
        }

        return new StatusCommand(mailbox, items);
    }

    /// <summary>Reads <c>(item SP item ...)</c>; every item must be one STATUS knows.</summary>
    public static bool TryReadItems(Syntax.ImapReader reader, out List<string> items)
    {
        items = [];
        if (!reader.TryRead('('))
        {
            return false;
        }

        do
        {
            if (!reader.TryReadAtom(out var item) || Array.IndexOf(Known, item.ToUpperInvariant()) < 0)
            {
                return false;
            }

            items.Add(item.ToUpperInvariant());
        }
        while (reader.TrySpace());

        return reader.TryRead(')');
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (Items.Contains("HIGHESTMODSEQ"))
        {
            session.EnableCondStore();
        }

        var status = await session.Store.StatusAsync(session.Account!.Id, Mailbox, cancellationToken);
        if (status is null)
        {
            return ImapResult.No("No such mailbox.", "NONEXISTENT");
        }

        Write(session, Mailbox, status, Items);
        return ImapResult.Ok("Status completed.");
    }

    /// <summary>
    /// RECENT of the mailbox this session has selected is what the session holds \Recent for (RFC 3501
    /// §2.3.2: the flag belongs to the session that saw the message first); of another, the messages
    /// no session has seen yet.
    /// </summary>
    private static long Recent(ImapSession session, Storage.Mail.MailboxStatus status) =>
        session.Selected is { } selected && selected.MailboxId == status.MailboxId ? selected.RecentCount : status.Recent;

    /// <summary>Writes one STATUS response (also LIST-STATUS's, RFC 5819).</summary>
    public static void Write(ImapSession session, string mailbox, Storage.Mail.MailboxStatus status, IReadOnlyList<string> items)
    {
        var values = items.Where(i => i != "RECENT" || !session.Rev2).Select(item => item + " " + (item == "MAILBOXID"
            ? $"({Storage.Mail.ObjectIds.MailboxId(session.Account!.Id, status.MailboxId)})"
            : (item switch
        {
            "MESSAGES" => status.Messages,
            "UIDNEXT" => status.UidNext,
            "UIDVALIDITY" => status.UidValidity,
            "UNSEEN" => status.Unseen,
            "DELETED" => status.Deleted,
            "SIZE" => status.Size,
            "DELETED-STORAGE" => status.DeletedSize,
            "APPENDLIMIT" => session.Options.MaxMessageSize,
            "HIGHESTMODSEQ" => status.HighestModSeq,
            _ => Recent(session, status),
        }).ToString(CultureInfo.InvariantCulture)));
        var writer = session.ResponseWriter();
        writer.WriteText("* STATUS ");
        writer.WriteMailbox(mailbox);
        writer.WriteText($" ({string.Join(' ', values)})");
        writer.WriteCrlf();
    }
}
