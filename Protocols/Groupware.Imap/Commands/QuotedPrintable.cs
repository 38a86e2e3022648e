namespace Groupware.Imap.Commands;

/// <summary>
/// Decoding of the quoted-printable content transfer encoding (RFC 2045 §6.7) for BINARY (RFC 3516):
/// <c>=XX</c> is an octet, <c>=</c> at the end of a line is a soft line break, and whitespace at the
/// end of a line is transport padding and is dropped (rule 3), also before a soft line break. An
/// <c>=</c> that starts no valid sequence is kept as it is, as RFC 2045 §6.7 (1) suggests of a robust
/// decoder.
/// </summary>
internal static class QuotedPrintable
{
    public static byte[] Decode(ReadOnlySpan<byte> encoded)
    {
        var output = new List<byte>(encoded.Length);
        var start = 0;
        while (start < encoded.Length)
        {
            var lf = encoded[start..].IndexOf((byte)'\n');
            var hasBreak = lf >= 0;
            var line = hasBreak ? encoded.Slice(start, lf) : encoded[start..];
            start += hasBreak ? lf + 1 : line.Length;
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            line = line.TrimEnd(" \t"u8);
            var soft = line.Length > 0 && line[^1] == '=';
            if (soft)
            {
                line = line[..^1];
            }

            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] == (byte)'=' && i + 2 < line.Length && IsHex(line[i + 1]) && IsHex(line[i + 2]))
                {
                    output.Add((byte)((Hex(line[i + 1]) << 4) | Hex(line[i + 2])));
                    i += 2;
                }
                else
                {
                    output.Add(line[i]);
                }
            }

            if (hasBreak && !soft)
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
            }
        }

        return [.. output];
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'A' and <= (byte)'F' or >= (byte)'a' and <= (byte)'f';

    private static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
