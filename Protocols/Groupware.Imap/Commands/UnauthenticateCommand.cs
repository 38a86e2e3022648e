namespace Groupware.Imap.Commands;

/// <summary>
/// UNAUTHENTICATE (RFC 8437 §3): back to the Not Authenticated state on the same connection, so that an
/// administrative client can log in as another user. Everything of the user goes: the selected
/// mailbox (left as UNSELECT leaves it, nothing expunged), the change feed, what ENABLE turned on, the
/// session's place in the per-user count; TLS stays. Refused while COMPRESS is on: a credential sent
/// next would share the compression context with the previous user's mail (see <see cref="CompressCommand"/>),
/// and the capability is not offered then.
/// </summary>
internal sealed record UnauthenticateCommand : ImapCommand
{
    private static readonly UnauthenticateCommand Instance = new();

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? Instance : "UNAUTHENTICATE takes no arguments.";

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (session.Compressed)
        {
            return ValueTask.FromResult(ImapResult.No(
                "Not while COMPRESS is active: a new login would share its compression context; reconnect instead.", "CANNOT"));
        }

        session.LogOut();
        return ValueTask.FromResult(ImapResult.Ok("Unauthenticate completed; log in again."));
    }
}
