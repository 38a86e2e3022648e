using System.Globalization;

namespace Groupware.Pop3.Syntax;

/// <summary>A message-number argument (RFC 1939 §5: a decimal number, 1-based).</summary>
internal static class MessageNumber
{
    /// <summary>
    /// Only the syntax is checked here: a number beyond the maildrop is "no such message", which the
    /// command answers.
    /// </summary>
    public static bool TryParse(string text, out int number)
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

        number = int.Parse(text, CultureInfo.InvariantCulture);
        return number > 0;
    }
}
