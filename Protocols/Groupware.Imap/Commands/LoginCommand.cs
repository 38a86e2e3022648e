using Groupware.Auth;

namespace Groupware.Imap.Commands;

/// <summary>
/// LOGIN userid password (RFC 9051 §6.2.3). Whatever the connection, the credential goes to the auth
/// module, which alone decides: before TLS on a secure node (LOGINDISABLED advertised) it is refused
/// unchecked, recorded as exposed, and the client hears an untagged ALERT before the tagged
/// NO [PRIVACYREQUIRED] (RFC 5530).
/// </summary>
internal sealed record LoginCommand(string User, string Password) : ImapCommand
{
    public static ParseResult Parse(Syntax.ImapReader reader, ImapSession session)
    {
        // The password is read as octets: one that is not UTF-8 (a device sending ISO-8859-1) is still a
        // password sent, which must reach the auth module (as U+FFFD, never checked) to be answered and recorded.
        if (!reader.TrySpace() || !reader.TryReadAString(out var user) || !reader.TrySpace() || !reader.TryReadAStringOctets(out var password)
            || !reader.AtEnd)
        {
            return "Syntax: LOGIN user password";
        }

        return new LoginCommand(user, System.Text.Encoding.UTF8.GetString(password));
    }

    public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken) =>
        session.LogInAsync(new AuthRequest(User, Password, "LOGIN-COMMAND"), cancellationToken);

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"LOGIN {User}";
}
