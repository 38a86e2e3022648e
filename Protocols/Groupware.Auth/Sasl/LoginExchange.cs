using System.Text;

namespace Groupware.Auth.Sasl;

/// <summary>
/// The LOGIN mechanism (draft-murchison-sasl-login-00, never an RFC but what Outlook still uses):
/// the server asks <c>Username:</c>, then <c>Password:</c>, and the client answers each. A client
/// may send the user name as the initial response (<c>AUTH LOGIN dXNlcg==</c>); the first
/// challenge is then skipped.
/// </summary>
internal sealed class LoginExchange : SaslExchange
{
    private static readonly byte[] UsernameChallenge = "Username:"u8.ToArray();
    private static readonly byte[] PasswordChallenge = "Password:"u8.ToArray();

    private State _state = State.Initial;
    private string _username = "";

    private enum State
    {
        Initial,
        AwaitingUsername,
        AwaitingPassword,
        Done,
    }

    public override string Mechanism => "LOGIN";

    public override SaslStep Respond(ReadOnlySpan<byte> clientResponse)
    {
        switch (_state)
        {
            case State.Initial when clientResponse.IsEmpty:
                _state = State.AwaitingUsername;
                return new SaslStep.Challenge(UsernameChallenge);
            case State.Initial or State.AwaitingUsername:
                if (Text(clientResponse, "user name") is { } invalidName)
                {
                    _state = State.Done;
                    return invalidName;
                }

                _username = Encoding.UTF8.GetString(clientResponse);
                _state = State.AwaitingPassword;
                return new SaslStep.Challenge(PasswordChallenge);
            case State.AwaitingPassword:
                _state = State.Done;
                return Text(clientResponse, "password") is { } invalidPassword
                    ? invalidPassword
                    : new SaslStep.Credentials(new AuthRequest(_username, Encoding.UTF8.GetString(clientResponse), "LOGIN"));
            default:
                return new SaslStep.Malformed("the exchange is already complete");
        }
    }

    /// <summary>
    /// Null when <paramref name="value"/> is non-empty text without NUL; otherwise why not. Octets that are not
    /// UTF-8 are read as U+FFFD, as PLAIN's are: the auth module records such a password without checking it.
    /// </summary>
    private static SaslStep.Malformed? Text(ReadOnlySpan<byte> value, string what)
    {
        if (value.IsEmpty)
        {
            return new SaslStep.Malformed($"the {what} is empty");
        }

        return value.IndexOf((byte)0) >= 0 ? new SaslStep.Malformed($"the {what} holds a NUL octet") : null;
    }
}
