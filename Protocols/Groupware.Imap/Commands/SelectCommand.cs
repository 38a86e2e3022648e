using Groupware.Imap.Syntax;

namespace Groupware.Imap.Commands;

/// <summary>
/// SELECT mailbox (RFC 9051 §6.3.2) and EXAMINE mailbox (§6.3.3, read-only): the mailbox's state
/// (FLAGS, EXISTS, UIDVALIDITY, UIDNEXT, PERMANENTFLAGS; RECENT and UNSEEN for IMAP4rev1; LIST for
/// IMAP4rev2) and a view of its messages that this session keeps up to date. With the select
/// parameters of RFC 7162: CONDSTORE (§3.1.8) enables CONDSTORE, and QRESYNC (§3.2.5), valid only
/// after ENABLE QRESYNC, answers what changed since the client's MODSEQ (<see cref="QuickResync"/>).
/// </summary>
internal sealed record SelectCommand(string Mailbox, bool ReadOnly, SelectParameters Parameters) : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session) => Parse(reader, session, readOnly: false);

    public static ParseResult ParseExamine(ImapReader reader, ImapSession session) => Parse(reader, session, readOnly: true);

    private static ParseResult Parse(ImapReader reader, ImapSession session, bool readOnly)
    {
        var syntax = readOnly ? "Syntax: EXAMINE mailbox [(CONDSTORE | QRESYNC (...))]" : "Syntax: SELECT mailbox [(CONDSTORE | QRESYNC (...))]";
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox))
        {
            return syntax;
        }

        var parameters = SelectParameters.None;
        if (!reader.AtEnd)
        {
            if (!reader.TrySpace() || !SelectParameters.TryParse(reader, out parameters, out _))
            {
                return $"{syntax}: {reader.Error}";
            }

            if (!reader.AtEnd)
            {
                return syntax;
            }

            // RFC 7162 §3.2.5: BAD unless this connection enabled QRESYNC.
            if (parameters.QResync is not null && !session.QResync)
            {
                return "QRESYNC is a select parameter only after ENABLE QRESYNC.";
            }
        }

        return new SelectCommand(mailbox, readOnly, parameters);
    }

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken) =>
        session.SelectAsync(Mailbox, ReadOnly, Parameters, cancellationToken);
}
