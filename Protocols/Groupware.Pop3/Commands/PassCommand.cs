using Groupware.Auth;

namespace Groupware.Pop3.Commands;

/// <summary>
/// PASS string (RFC 1939 §7): the rest of the line is the password, spaces included. Whatever the
/// connection, the credential goes to the auth module, which decides and records (a password sent
/// in clear to a secure node is refused unchecked and recorded as exposed).
/// </summary>
internal sealed record PassCommand(string Password) : Pop3Command
{
    public static ParseResult Parse(string arguments) => new PassCommand(arguments);

    public override async ValueTask<Pop3Response> ExecuteAsync(Pop3Session session, CancellationToken cancellationToken)
    {
        if (session.PendingUser is not { } user)
        {
            return "-ERR No username given; send USER first.";
        }

        session.PendingUser = null;
        return await session.LogInAsync(new AuthRequest(user, Password, "USER"), cancellationToken);
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => "PASS";
}
