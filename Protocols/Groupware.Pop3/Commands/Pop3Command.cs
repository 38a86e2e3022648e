namespace Groupware.Pop3.Commands;

/// <summary>
/// One parsed POP3 command. Each command's file holds its syntax (<c>Parse</c>, sans-IO: the argument
/// text in, the command or a refusal out) and its behaviour (<see cref="ExecuteAsync"/>), which returns
/// its response as a value for the session to send.
/// </summary>
internal abstract record Pop3Command
{
    public abstract ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken);
}
