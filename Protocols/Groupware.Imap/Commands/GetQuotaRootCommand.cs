namespace Groupware.Imap.Commands;

/// <summary>
/// GETQUOTAROOT mailbox (RFC 9208 §4.1.2): the mailbox, which need not exist, is under the account's
/// one quota root (<see cref="GetQuotaCommand.RootName"/>); QUOTAROOT names it and QUOTA gives its
/// usage and limits.
/// </summary>
internal sealed record GetQuotaRootCommand(string Mailbox) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.TrySpace() && reader.TryReadMailbox(session.Utf8, out var mailbox) && reader.AtEnd
            ? new GetQuotaRootCommand(mailbox)
            : "Syntax: GETQUOTAROOT mailbox";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var writer = session.ResponseWriter();
        writer.WriteText("* QUOTAROOT ");
        writer.WriteMailbox(Mailbox);
        writer.WriteSpace();
        writer.WriteAString(GetQuotaCommand.RootName);
        writer.WriteCrlf();
        return await GetQuotaCommand.WriteAsync(session, cancellationToken)
            ? ImapResult.Ok("Getquotaroot completed.")
            : ImapResult.No("The account is gone.");
    }
}
