namespace Groupware.Lmtp.Commands;

/// <summary>NOOP (RFC 5321 §4.1.1.9): 250 in any state; an argument is allowed and ignored.</summary>
internal sealed record NoopCommand : LmtpCommand
{
    private static readonly NoopCommand Instance = new();

    public static ParseResult Parse(string arguments) => Instance;

    public override ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<LmtpResponse>(LmtpReply.Ok);
}
