namespace Groupware.Pop3.Commands;

/// <summary>
/// USER name (RFC 1939 §7). Where the auth module would not accept a password now (a secure
/// node before TLS) the answer is -ERR [AUTH] (RFC 3206 §4) before any password is sent; the
/// name is still kept so that a PASS sent anyway reaches the auth module and is recorded as exposed.
/// </summary>
internal sealed record UserCommand(string Name) : Pop3Command
{
    public static ParseResult Parse(string arguments) => arguments.Length == 0 ? "-ERR USER needs a name." : new UserCommand(arguments);

    public override ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        session.PendingUser = Name;
        return ValueTask.FromResult<Pop3Response>(session.Auth.AcceptsPasswords(session.Security) ? "+OK" : Pop3Session.RefusedBeforeTls);
    }
}
