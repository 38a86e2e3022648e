using Groupware.Connections;

namespace Groupware.Pop3.Commands;

/// <summary>
/// QUIT (RFC 1939 §4 and §6). In the TRANSACTION state it enters UPDATE: the marked messages are
/// removed in one transaction; if that fails nothing is removed and the answer is -ERR. The maildrop
/// is released before the answer, so a client that logs in again at once finds it free.
/// </summary>
internal sealed record QuitCommand : Pop3Command
{
    private static readonly QuitCommand Instance = new();

    public static ParseResult Parse(string arguments) => Instance;

    public override async ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        if (session.State == Pop3State.Authorization)
        {
            return new Pop3Response("+OK Logging out.", Step: SessionStep.Close);
        }

        var committed = await session.CommitDeletionsAsync(cancellationToken);
        await session.ReleaseMaildropAsync();
        return new Pop3Response(committed
            ? "+OK Logging out."
            : "-ERR [SYS/TEMP] Some deleted messages could not be removed; they are still there.", Step: SessionStep.Close);
    }
}
