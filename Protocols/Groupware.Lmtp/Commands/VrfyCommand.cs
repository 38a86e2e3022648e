namespace Groupware.Lmtp.Commands;

/// <summary>
/// VRFY (RFC 5321 §3.5.3): always 252, which neither confirms nor denies an address, so the
/// listener cannot be used to harvest addresses; RCPT is where an address is checked.
/// </summary>
internal sealed record VrfyCommand : LmtpCommand
{
    private static readonly VrfyCommand Instance = new();

    public static ParseResult Parse(string arguments) =>
        arguments.Trim().Length == 0 ? LmtpReply.SyntaxError("Syntax: VRFY address") : Instance;

    public override ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<LmtpResponse>(new LmtpReply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"));
}
