using Groupware.Connections;

namespace Groupware.Imap.Commands;

/// <summary>
/// IDLE (RFC 2177, RFC 9051 §6.3.13): after the continuation request the server sends the selected
/// mailbox's changes as they happen, on any node (the change feed wakes the wait), until the client
/// sends DONE. Only what RFC 9051 allows for the selected mailbox is sent (an unsolicited STATUS makes
/// Thunderbird report a syntax error, DESIGN.md); a keep-alive <c>* OK</c> goes out every
/// <see cref="ImapOptions.IdleKeepAlive"/>. A client that sends a command instead of DONE (Apple Mail)
/// ends the IDLE and the command is then answered. A node shutdown ends it at once with BYE.
/// </summary>
internal sealed record IdleCommand : ImapCommand
{
    private static readonly IdleCommand Instance = new();

    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session) =>
        reader.AtEnd ? Instance : "IDLE takes no arguments.";

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        session.WriteLine("+ idling");
        await session.AnnounceChangesAsync(cancellationToken, force: true);
        await session.FlushAsync(cancellationToken);
        while (true)
        {
            var outcome = await session.WaitForIdleAsync(session.ChangeArrivedAsync(cancellationToken), cancellationToken);
            switch (outcome)
            {
                case WaitOutcome.WakeUp:
                    await session.AnnounceChangesAsync(cancellationToken);
                    await session.FlushAsync(cancellationToken);
                    break;
                case WaitOutcome.Timeout:
                    session.WriteLine("* OK Still here.");
                    await session.FlushAsync(cancellationToken);
                    break;
                case WaitOutcome.Input:
                    return await session.TakeDoneAsync(cancellationToken)
                        ? ImapResult.Ok("Idle completed.")
                        : ImapResult.Ok("Idle ended by a command.");
                case WaitOutcome.Shutdown:
                    // The engine says BYE at once; no tagged answer follows a BYE.
                    return new ImapResult(ImapStatus.Ok, null, "") { Silent = true };
                default:
                    return new ImapResult(ImapStatus.Ok, null, "", SessionStep.Close) { Silent = true };
            }
        }
    }
}
