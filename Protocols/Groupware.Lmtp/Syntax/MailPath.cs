namespace Groupware.Lmtp.Syntax;

/// <summary>
/// Sans-IO parsing of the reverse-path and forward-path of MAIL and RCPT (RFC 5321 §4.1.2):
/// <c>&lt;&gt;</c>, <c>&lt;local@domain&gt;</c>, a quoted local part, or an obsolete source route
/// <c>&lt;@relay:local@domain&gt;</c> whose route is dropped (RFC 5321 §4.1.1.3). The address keeps
/// its case; lookups ignore it.
/// </summary>
internal static class MailPath
{
    /// <summary>Longest path in octets, angle brackets included (RFC 5321 §4.5.3.1.3).</summary>
    public const int MaxPathLength = 256;

    /// <summary>
    /// Reads a path at the start of <paramref name="text"/>. Returns false on bad syntax; otherwise
    /// <paramref name="address"/> is the mailbox (empty for <c>&lt;&gt;</c>) and
    /// <paramref name="rest"/> what follows the closing bracket.
    /// </summary>
    public static bool TryParse(string text, out string address, out string rest)
    {
        address = "";
        rest = "";
        if (text.Length < 2 || text[0] != '<')
        {
            return false;
        }

        var quoted = false;
        var end = -1;
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted && c == '\\' && i + 1 < text.Length)
            {
                i++;
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '>')
            {
                end = i;
                break;
            }
        }

        if (end < 0 || end + 1 > MaxPathLength)
        {
            return false;
        }

        var inside = text[1..end];
        rest = text[(end + 1)..];
        if (inside.Length == 0)
        {
            return true;
        }

        if (inside[0] == '@')
        {
            var colon = inside.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }

            inside = inside[(colon + 1)..];
        }

        if (!IsMailbox(inside))
        {
            return false;
        }

        address = inside;
        return true;
    }

    /// <summary>
    /// <c>Mailbox = Local-part "@" ( Domain / address-literal )</c> of RFC 5321 §4.1.2, in ASCII (SMTPUTF8 is
    /// not offered): a dot-string or a quoted string, then a domain of letter-digit-hyphen labels or
    /// a bracketed literal. <c>a@@example.test</c>, blanks, controls and 8-bit octets are not mailboxes.
    /// </summary>
    internal static bool IsMailbox(string value)
    {
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1 || value.Any(c => c > '~'))
        {
            return false;
        }

        var local = value[..at];
        var domain = value[(at + 1)..];
        return (local[0] == '"' ? IsQuotedString(local) : IsDotString(local)) && (IsDomain(domain) || IsAddressLiteral(domain));
    }

    /// <summary><c>Dot-string = Atom *("." Atom)</c>, atoms of atext (RFC 5322 §3.2.3).</summary>
    private static bool IsDotString(string text) =>
        text.Split('.').All(atom => atom.Length > 0 && atom.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c)));

    /// <summary><c>Quoted-string = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE</c> (RFC 5321 §4.1.2).</summary>
    private static bool IsQuotedString(string text)
    {
        if (text.Length < 2 || text[^1] != '"')
        {
            return false;
        }

        for (var i = 1; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                if (++i >= text.Length - 1 || text[i] is < ' ' or > '~')
                {
                    return false;
                }
            }
            else if (c is < ' ' or > '~' or '"')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>Domain = sub-domain *("." sub-domain)</c>, each a letter-digit-hyphen label not starting or ending with a hyphen.</summary>
    private static bool IsDomain(string text) =>
        text.Split('.').All(label => label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-'
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));

    /// <summary><c>address-literal = "[" ... "]"</c>: printable ASCII other than brackets and backslash inside.</summary>
    private static bool IsAddressLiteral(string text) =>
        text.Length > 2 && text[0] == '[' && text[^1] == ']' && text[1..^1].All(c => c is > ' ' and <= '~' and not '[' and not ']' and not '\\');
}
