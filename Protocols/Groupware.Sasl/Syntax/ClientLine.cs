using System.Globalization;
using System.Text;

namespace Groupware.Sasl.Syntax;

/// <summary>
/// One line from an authentication client, split into its TAB-separated fields (the LF already removed,
/// a CR before it tolerated). Sans-IO: octets in, the command word and its fields out.
/// </summary>
internal sealed record ClientLine(string Verb, IReadOnlyList<string> Fields)
{
    /// <summary>Splits a line; its octets are UTF-8 (a field that is not stays as U+FFFD, and fails where it matters).</summary>
    public static ClientLine Parse(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        var parts = Encoding.UTF8.GetString(line).Split('\t');
        return new ClientLine(parts[0], parts[1..]);
    }

    /// <summary>A request id: an unsigned 32-bit number other than 0, as Dovecot's auth client numbers them.</summary>
    public static bool TryReadId(string field, out uint id) =>
        uint.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id != 0;
}
