using System.Text;

namespace Groupware.Sasl.Syntax;

/// <summary>
/// The escaping of the Dovecot authentication protocol: fields are separated by TAB and a line ends
/// with LF, so a value escapes <c>\001</c> as <c>\0011</c>, TAB as <c>\001t</c>, CR as <c>\001r</c>
/// and LF as <c>\001n</c> (Dovecot's <c>str_tabescape</c>/<c>str_tabunescape</c>; the escape octet
/// is 0x01).
/// </summary>
internal static class TabEscape
{
    private const char Escape = '\u0001';

    /// <summary>A value as it may be written inside one field.</summary>
    public static string Encode(string value)
    {
        if (value.AsSpan().IndexOfAny("\u0001\t\r\n") < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                Escape => "\u00011",
                '\t' => "\u0001t",
                '\r' => "\u0001r",
                '\n' => "\u0001n",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    /// <summary>A field as sent, unescaped; an escape octet before anything else is kept as it is.</summary>
    public static string Decode(string field)
    {
        if (!field.Contains(Escape, StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == Escape && i + 1 < field.Length)
            {
                var decoded = field[i + 1] switch
                {
                    '1' => Escape,
                    't' => '\t',
                    'r' => '\r',
                    'n' => '\n',
                    _ => (char?)null,
                };
                if (decoded is { } c)
                {
                    builder.Append(c);
                    i++;
                    continue;
                }
            }

            builder.Append(field[i]);
        }

        return builder.ToString();
    }
}
