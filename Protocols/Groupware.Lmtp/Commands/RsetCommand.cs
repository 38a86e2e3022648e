namespace Groupware.Lmtp.Commands;

/// <summary>RSET (RFC 5321 §4.1.1.5): abandons the mail transaction, chunks received so far included (RFC 3030 §2).</summary>
internal sealed record RsetCommand : LmtpCommand
{
    private static readonly RsetCommand Instance = new();

    public static ParseResult Parse(string arguments) =>
        arguments.Trim().Length == 0 ? Instance : LmtpReply.SyntaxError("Syntax: RSET (no parameters)");

    public override async ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken)
    {
        await session.EndTransactionAsync();
        return LmtpReply.Ok;
    }
}
