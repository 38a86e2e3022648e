namespace Groupware.Imap.Commands;

/// <summary>
/// SELECT mailbox (RFC 9051 §6.3.2) and EXAMINE mailbox (§6.3.3, read-only): the mailbox's state
/// (FLAGS, EXISTS, UIDVALIDITY, UIDNEXT, PERMANENTFLAGS; RECENT and UNSEEN for IMAP4rev1; LIST for
/// IMAP4rev2) and a view of its messages that this session keeps up to date.
/// </summary>
internal sealed record SelectCommand(string Mailbox, bool ReadOnly) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) => Parse(reader, session, readOnly: false);

    public static ParseResult ParseExamine(Syntax.ImapReader reader, ImapSession session) => Parse(reader, session, readOnly: true);

    private static ParseResult Parse(Syntax.ImapReader reader, ImapSession session, bool readOnly)
    {
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox) || !reader.AtEnd)
        {
            return readOnly ? "Syntax: EXAMINE mailbox" : "Syntax: SELECT mailbox";
        }

        return new SelectCommand(mailbox, readOnly);
    }

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken) =>
        session.SelectAsync(Mailbox, ReadOnly, cancellationToken);
}
