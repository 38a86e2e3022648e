using Groupware.Storage.Accounts;

namespace Groupware.Server.Import;

/// <summary>One account of a passwd-file: its login, address and stored hash, or why the line cannot be used.</summary>
internal sealed record PasswdEntry(string Login, string Address, string PasswordHash, string? Problem = null);

/// <summary>
/// Dovecot's passwd-file: one user per line, <c>user:password:uid:gid:gecos:home:shell:extra</c>,
/// where everything after the password may be left out; <c>#</c> starts a comment. The password is
/// a stored hash <c>{SCHEME}...</c> (or a bare crypt string), which is kept as it is: the auth
/// module verifies Dovecot's schemes and upgrades the hash at the next login.
/// </summary>
internal static class PasswdFile
{
    /// <summary>The entry of one line; null for a blank line or a comment.</summary>
    public static PasswdEntry? Parse(string line, string? defaultDomain)
    {
        var text = line.Trim();
        if (text.Length == 0 || text.StartsWith('#'))
        {
            return null;
        }

        var fields = text.Split(':');
        var user = fields[0];
        var hash = fields.Length > 1 ? fields[1] : "";
        if (user.Length == 0)
        {
            return new PasswdEntry("", "", "", "no user name");
        }

        if (hash.Length == 0)
        {
            return new PasswdEntry(user, "", "", $"{user}: no password hash (an account without a password cannot log in)");
        }

        if (!AccountSyntax.IsValidLogin(user, out var loginProblem))
        {
            return new PasswdEntry(user, "", "", $"{user}: the name {loginProblem}");
        }

        var address = user.Contains('@', StringComparison.Ordinal) ? user : defaultDomain is { Length: > 0 } domain ? $"{user}@{domain}" : null;
        if (address is null)
        {
            return new PasswdEntry(user, "", "", $"{user}: the name has no domain; give --domain");
        }

        return AccountSyntax.IsValidAddress(address, out var addressProblem)
            ? new PasswdEntry(user, address, hash)
            : new PasswdEntry(user, address, "", $"{user}: the address {address} {addressProblem}");
    }
}
