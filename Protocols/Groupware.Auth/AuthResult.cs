using Groupware.Storage.Accounts;

namespace Groupware.Auth;

/// <summary>
/// Every way an authentication attempt can end. A closed set: front-ends map each to their
/// protocol's answer (IMAP NO [...], POP3 -ERR [AUTH], HTTP 401/403, RPC status).
/// </summary>
public enum AuthOutcome
{
    /// <summary>The password is right and the account may log in here, now.</summary>
    Success,

    /// <summary>A password arrived without TLS on a node that refuses that; it was not checked, and was recorded as exposed.</summary>
    PlaintextRefused,

    /// <summary>Unknown login or wrong password (the client cannot tell which).</summary>
    InvalidCredentials,

    /// <summary>The password may be right but the account is disabled; answered to the client like <see cref="InvalidCredentials"/>.</summary>
    AccountDisabled,

    /// <summary>A clear-text login on a legacy node by an account not allowed there; the password was not checked.</summary>
    NotAllowedOnThisNode,

    /// <summary>Too many failures from this address or on this account; nothing was checked.</summary>
    Throttled,

    /// <summary>The account store could not be reached; the client should try again later.</summary>
    TemporaryFailure,
}

/// <summary>
/// A credential a front-end received, exactly as sent. <paramref name="Mechanism"/> names how it
/// came: <c>USER</c> (POP3 USER/PASS), <c>LOGIN-COMMAND</c> (IMAP LOGIN), a SASL mechanism
/// (<c>PLAIN</c>, <c>LOGIN</c>), <c>BASIC</c> (HTTP) or <c>RPC</c>.
/// </summary>
/// <param name="Login">The login as given by the client.</param>
/// <param name="Password">The password as given.</param>
/// <param name="Mechanism">How the credential arrived, for the audit log.</param>
/// <param name="AuthorizationIdentity">SASL authzid (RFC 4616 §2); refused unless empty or equal to the login.</param>
public sealed record AuthRequest(string Login, string Password, string Mechanism, string? AuthorizationIdentity = null)
{
    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{Mechanism} login={Login}";
}

/// <summary>The answer of the auth module: the outcome and, on success, the account.</summary>
public sealed record AuthResult(AuthOutcome Outcome, Account? Account)
{
    public bool Succeeded => Outcome == AuthOutcome.Success;
}
