namespace Groupware.Imap.Commands;

/// <summary>
/// NOOP (RFC 9051 §6.1.2) and CHECK (RFC 3501 §6.4.1, gone from IMAP4rev2, where it is NOOP): nothing,
/// except that the selected mailbox's changes are looked up and announced whether or not the feed
/// said something, for clients that poll with NOOP.
/// </summary>
internal sealed record NoopCommand(string Name) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? new NoopCommand("NOOP") : "NOOP takes no arguments.";

    public static ParseResult ParseCheck(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? new NoopCommand("CHECK") : "CHECK takes no arguments.";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        await session.AnnounceChangesAsync(cancellationToken, force: true);
        return ImapResult.Ok($"{Name} completed.");
    }
}
