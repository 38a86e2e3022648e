using System.Text;

namespace Groupware.Storage.Mail;

/// <summary>
/// The modified UTF-7 of IMAP4rev1 mailbox names (RFC 3501 §5.1.3, RFC 9051 Appendix A.1):
/// printable US-ASCII stands for itself, "&amp;" is "&amp;-", anything else is UTF-16 in base64 with
/// "," for "/" between "&amp;" and "-". Decoding is strict as Dovecot's is, and as RFC 9051 A.1 has
/// a server check names given to CREATE: no printable ASCII in base64, no superfluous shift
/// ("-&amp;" between two encoded runs), no missing "-", no bits left over, no lone surrogate, no NUL.
/// </summary>
public static class ModifiedUtf7
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    /// <summary>Encodes <paramref name="name"/> for an IMAP4rev1 client.</summary>
    public static string Encode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder(name.Length + 8);
        var i = 0;
        while (i < name.Length)
        {
            var c = name[i];
            if (c == '&')
            {
                text.Append("&-");
                i++;
            }
            else if (IsDirect(c))
            {
                text.Append(c);
                i++;
            }
            else
            {
                var start = i;
                while (i < name.Length && !IsDirect(name[i]) && name[i] != '&')
                {
                    i++;
                }

                AppendBase64(text, name.AsSpan(start, i - start));
            }
        }

        return text.ToString();
    }

    /// <summary>Decodes a name an IMAP4rev1 client sent; false when it is not strictly modified UTF-7.</summary>
    public static bool TryDecode(string encoded, out string name)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        name = "";
        var text = new StringBuilder(encoded.Length);
        var i = 0;
        var afterEncodedRun = false;
        while (i < encoded.Length)
        {
            var c = encoded[i];
            if (c is < ' ' or > '~')
            {
                return false;
            }

            if (c != '&')
            {
                text.Append(c);
                i++;
                afterEncodedRun = false;
                continue;
            }

            i++;
            if (i < encoded.Length && encoded[i] == '-')
            {
                text.Append('&');
                i++;
                afterEncodedRun = false;
                continue;
            }

            // "&Jjo--&Jjo-" would be two runs where one does: RFC 3501 §5.1.3 forbids the null shift.
            if (afterEncodedRun)
            {
                return false;
            }

            var end = encoded.IndexOf('-', i);
            if (end < 0 || !TryDecodeBase64(encoded.AsSpan(i, end - i), text))
            {
                return false;
            }

            i = end + 1;
            afterEncodedRun = true;
        }

        name = text.ToString();
        return true;
    }

    /// <summary>Whether RFC 3501 §5.1.3 has <paramref name="c"/> represent itself (0x20–0x25, 0x27–0x7e).</summary>
    private static bool IsDirect(char c) => c is >= ' ' and <= '~' && c != '&';

    private static void AppendBase64(StringBuilder text, ReadOnlySpan<char> run)
    {
        text.Append('&');
        var bits = 0;
        var count = 0;
        foreach (var unit in run)
        {
            bits = (bits << 16) | unit;
            count += 16;
            while (count >= 6)
            {
                count -= 6;
                text.Append(Alphabet[(bits >> count) & 0x3f]);
            }

            bits &= (1 << count) - 1;
        }

        if (count > 0)
        {
            text.Append(Alphabet[(bits << (6 - count)) & 0x3f]);
        }

        text.Append('-');
    }

    private static bool TryDecodeBase64(ReadOnlySpan<char> run, StringBuilder text)
    {
        if (run.IsEmpty)
        {
            return false;
        }

        var bits = 0;
        var count = 0;
        char? highSurrogate = null;
        foreach (var c in run)
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return false;
            }

            bits = (bits << 6) | value;
            count += 6;
            if (count < 16)
            {
                continue;
            }

            count -= 16;
            var unit = (char)((bits >> count) & 0xffff);
            bits &= (1 << count) - 1;
            if (highSurrogate is { } high)
            {
                if (!char.IsLowSurrogate(unit))
                {
                    return false;
                }

                text.Append(high).Append(unit);
                highSurrogate = null;
            }
            else if (char.IsHighSurrogate(unit))
            {
                highSurrogate = unit;
            }
            else if (char.IsLowSurrogate(unit) || unit == '\0' || unit is >= ' ' and <= '~')
            {
                // A printable ASCII character must represent itself; an encoded NUL is no name Dovecot takes.
                return false;
            }
            else
            {
                text.Append(unit);
            }
        }

        // Only the zero bits padding the last base64 character may be left: fewer than six, all zero.
        return highSurrogate is null && count < 6 && bits == 0;
    }
}
