using System.Globalization;
using System.Text;

namespace Groupware.Storage.Accounts;

/// <summary>What a login name and a mail address may look like, checked before an account is created.</summary>
public static class AccountSyntax
{
    /// <summary>Longest login name, in characters; Dovecot's passwd-file and most SASL libraries handle far more.</summary>
    public const int MaxLoginLength = 64;

    /// <summary>Longest local part in octets (RFC 5321 §4.5.3.1.1).</summary>
    public const int MaxLocalPartOctets = 64;

    /// <summary>Longest address in octets: a 256-octet path minus its angle brackets (RFC 5321 §4.5.3.1.3).</summary>
    public const int MaxAddressOctets = 254;

    /// <summary>
    /// A login name every protocol can carry unquoted: no white space (POP3 USER, RFC 1939 §7, ends
    /// the name at a space), no control characters, no <c>"</c> or <c>\</c> (IMAP quoted strings,
    /// RFC 9051 §4.3), not starting with <c>-</c> (it would read as an option on the command line).
    /// </summary>
    public static bool IsValidLogin(string login, out string reason)
    {
        login = login.Normalize(NormalizationForm.FormC);
        if (login.Length == 0 || login.Length > MaxLoginLength)
        {
            reason = $"must be 1 to {MaxLoginLength} characters";
            return false;
        }

        if (login[0] == '-')
        {
            reason = "must not start with '-'";
            return false;
        }

        foreach (var rune in login.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune) || rune.Value is '"' or '\\'
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
            {
                reason = "must not contain white space, control characters, '\"' or '\\'";
                return false;
            }
        }

        reason = "";
        return true;
    }

    /// <summary>
    /// A mailbox as RFC 5321 §4.1.2 writes it, <c>local@domain</c>: a dot-string local part (quoted
    /// strings are not accepted) and a domain of dot-separated labels of letters, digits and inner
    /// hyphens, with at least two labels; UTF-8 letters are allowed in both (RFC 6531 §3.3).
    /// </summary>
    public static bool IsValidAddress(string address, out string reason)
    {
        reason = "";
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            reason = "is not local@domain";
            return false;
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
        if (Encoding.UTF8.GetByteCount(address) > MaxAddressOctets)
        {
            reason = $"is longer than {MaxAddressOctets} octets (RFC 5321 §4.5.3.1.3)";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(local) > MaxLocalPartOctets)
        {
            reason = $"has a local part longer than {MaxLocalPartOctets} octets (RFC 5321 §4.5.3.1.1)";
            return false;
        }

        foreach (var atom in local.Split('.'))
        {
            if (atom.Length == 0 || !atom.EnumerateRunes().All(IsAtext))
            {
                reason = "has a local part that is not dot-separated atoms (RFC 5321 §4.1.2)";
                return false;
            }
        }

        var labels = domain.Split('.');
        if (labels.Length < 2)
        {
            reason = "has a domain without a dot";
            return false;
        }

        foreach (var label in labels)
        {
            if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[^1] == '-'
                || !label.EnumerateRunes().All(r => Rune.IsLetterOrDigit(r) || r.Value == '-'))
            {
                reason = "has a domain that is not dot-separated labels of letters, digits and '-' (RFC 5321 §4.1.2)";
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 5322 §3.2.3 atext, extended by RFC 6531 §3.3 to non-ASCII UTF-8.</summary>
    private static bool IsAtext(Rune rune) =>
        rune.Value > 0x7F ? !Rune.IsControl(rune) && !Rune.IsWhiteSpace(rune)
            : char.IsAsciiLetterOrDigit((char)rune.Value) || "!#$%&'*+-/=?^_`{|}~".Contains((char)rune.Value, StringComparison.Ordinal);
}
