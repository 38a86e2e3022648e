using System.Text;

namespace Groupware.Server.Probe.Imap;

/// <summary>
/// How an argument goes on the wire (RFC 9051 §4.3): a quoted string when it is 7-bit text without
/// CR or LF, otherwise a synchronising literal whose octets follow the server's continuation.
/// </summary>
internal static class ImapString
{
    /// <summary>The quoted form, or null when only a literal can carry <paramref name="value"/>.</summary>
    public static string? TryQuote(string value)
    {
        if (value.Any(c => c > 0x7e || c < 0x20))
        {
            return null;
        }

        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>The octets of a literal (UTF-8).</summary>
    public static byte[] LiteralOctets(string value) => Encoding.UTF8.GetBytes(value);
}
