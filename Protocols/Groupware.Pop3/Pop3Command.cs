using System.Text;

namespace Groupware.Pop3;

/// <summary>
/// One POP3 command line split into its keyword and the rest (RFC 1939 §3: "a case-insensitive
/// keyword, possibly followed by one or more arguments", separated by single spaces). Sans-IO:
/// bytes in, a command or nothing out.
/// </summary>
/// <param name="Keyword">The keyword, upper-cased.</param>
/// <param name="Arguments">Everything after the first space, untouched (PASS takes it whole: passwords may contain spaces).</param>
internal readonly record struct Pop3Command(string Keyword, string Arguments)
{
    /// <summary>The arguments split at single spaces; empty when there are none.</summary>
    public string[] Words => Arguments.Length == 0 ? [] : Arguments.Split(' ');

    /// <summary>
    /// Parses a command line (CRLF already removed). A keyword is 3 or 4 letters (RFC 1939 §3;
    /// RFC 2449 keeps that); anything else is not a command.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out Pop3Command command)
    {
        command = default;
        var space = line.IndexOf((byte)' ');
        var keyword = space < 0 ? line : line[..space];
        if (keyword.Length is < 3 or > 4)
        {
            return false;
        }

        foreach (var b in keyword)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                return false;
            }
        }

        string arguments;
        try
        {
            arguments = space < 0 ? "" : StrictUtf8.GetString(line[(space + 1)..]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        command = new Pop3Command(Encoding.ASCII.GetString(keyword).ToUpperInvariant(), arguments);
        return true;
    }

    /// <summary>
    /// Parses a PASS line whose password is not UTF-8 (a device sending ISO-8859-1), which
    /// <see cref="TryParse"/> refuses: the password comes with each undecodable octet as U+FFFD, which
    /// the auth module never checks. It is a password sent all the same, so it must reach the auth
    /// module to be answered and recorded (as exposed, if it came in clear), not be an unknown command.
    /// </summary>
    public static bool TryParseUndecodablePass(ReadOnlySpan<byte> line, out Pop3Command command)
    {
        command = default;
        if (line.Length < 5 || !Ascii.EqualsIgnoreCase(line[..5], "PASS "u8))
        {
            return false;
        }

        command = new Pop3Command("PASS", Encoding.UTF8.GetString(line[5..]));
        return true;
    }

    /// <summary>
    /// Parses a message-number argument (RFC 1939 §5: a decimal number, 1-based). Only the syntax is
    /// checked here: a number beyond the maildrop is "no such message", the caller's answer.
    /// </summary>
    public static bool TryParseNumber(string text, out int number)
    {
        number = 0;
        if (text.Length is 0 or > 9)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        number = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return number > 0;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
