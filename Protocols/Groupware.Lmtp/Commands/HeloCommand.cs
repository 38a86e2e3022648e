namespace Groupware.Lmtp.Commands;

/// <summary>
/// HELO and EHLO, which LMTP does not have (RFC 2033 §4.1: a server MUST NOT accept them, 500 is
/// recommended), so that an SMTP client pointed at this port by mistake finds out at once.
/// </summary>
internal sealed record HeloCommand : LmtpCommand
{
    private static readonly HeloCommand Instance = new();

    public static ParseResult Parse(string arguments) => Instance;

    public override ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<LmtpResponse>(new LmtpReply(500, "5.5.1", "This is LMTP (RFC 2033): use LHLO"));
}
