namespace Groupware.Imap.Commands;

/// <summary>
/// SUBSCRIBE mailbox and UNSUBSCRIBE mailbox (RFC 9051 §6.3.7, §6.3.8): the subscription list is kept
/// apart from the mailboxes, so a subscription may name a mailbox that does not exist (any more).
/// </summary>
internal sealed record SubscribeCommand(string Mailbox, bool Subscribe) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.TrySpace() && reader.TryReadMailbox(session.Utf8, out var mailbox) && reader.AtEnd
            ? new SubscribeCommand(mailbox, true)
            : "Syntax: SUBSCRIBE mailbox";

    public static ParseResult ParseUnsubscribe(Syntax.ImapReader reader, ImapSession session) =>
        reader.TrySpace() && reader.TryReadMailbox(session.Utf8, out var mailbox) && reader.AtEnd
            ? new SubscribeCommand(mailbox, false)
            : "Syntax: UNSUBSCRIBE mailbox";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        await session.Store.SetSubscribedAsync(session.Account!.Id, Mailbox, Subscribe, cancellationToken);
        return ImapResult.Ok(Subscribe ? "Subscribe completed." : "Unsubscribe completed.");
    }
}
