using Groupware.Connections;

namespace Groupware.Lmtp.Commands;

/// <summary>QUIT (RFC 5321 §4.1.1.10): 221, then the connection closes; an unfinished transaction is abandoned.</summary>
internal sealed record QuitCommand : LmtpCommand
{
    private static readonly QuitCommand Instance = new();

    public static ParseResult Parse(string arguments) =>
        arguments.Trim().Length == 0 ? Instance : LmtpReply.SyntaxError("Syntax: QUIT (no parameters)");

    public override async ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken)
    {
        await session.EndTransactionAsync();
        return new LmtpResponse([new LmtpReply(221, "2.0.0", $"{session.Options.HostName} closing connection")], SessionStep.Close);
    }
}
