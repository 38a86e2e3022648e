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

    /// <summary>local@domain with a non-empty local part and domain, and no blanks or controls outside quotes.</summary>
    private static bool IsMailbox(string value)
    {
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1)
        {
            return false;
        }

        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && (c == ' ' || c == '<' || c == '>'))
            {
                return false;
            }
        }

        var domain = value[(at + 1)..];
        return !domain.Contains('"', StringComparison.Ordinal) && !domain.Contains('@', StringComparison.Ordinal);
    }
}
