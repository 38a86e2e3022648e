namespace Groupware.Lmtp.Commands;

/// <summary>
/// One parsed LMTP command. Each command's file holds its syntax (<c>Parse</c>, sans-IO: the
/// argument text in, the command or a refusal out) and its behaviour (<see cref="ExecuteAsync"/>).
/// </summary>
internal abstract record LmtpCommand
{
    /// <summary>Runs the command; the replies it returns are sent in order.</summary>
    public abstract ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken);
}

/// <summary>What parsing a command's arguments gave: the command, or the reply refusing it.</summary>
internal readonly record struct ParseResult(LmtpCommand? Command, LmtpReply? Error)
{
    public static implicit operator ParseResult(LmtpCommand command) => new(command, null);

    public static implicit operator ParseResult(LmtpReply error) => new(null, error);
}
