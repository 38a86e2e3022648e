namespace Groupware.Auth.Sasl;

/// <summary>
/// The base64 of SASL exchanges, read strictly: RFC 4422 §5 leaves the encoding to the protocol, and
/// IMAP (RFC 9051 §6.2.2), POP3 (RFC 5034 §4) and SMTP (RFC 4954 §4) all make characters outside the
/// alphabet, and padding anywhere but the end, errors rather than something to skip.
/// </summary>
public static class SaslBase64
{
    /// <summary>Decodes <paramref name="text"/>: only the alphabet, padding only at the end, a length that is a multiple of four.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] decoded)
    {
        decoded = [];
        if (text.Length % 4 != 0)
        {
            return false;
        }

        var padding = text.EndsWith("==") ? 2 : text.EndsWith("=") ? 1 : 0;
        foreach (var c in text[..^padding])
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/'))
            {
                return false;
            }
        }

        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written))
        {
            return false;
        }

        decoded = buffer[..written];
        return true;
    }

    /// <summary>Decodes a response line as octets (what a wire reads), failing on anything that is not ASCII base64.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> line, out byte[] decoded)
    {
        decoded = [];
        if (line.Length > 64 * 1024)
        {
            return false;
        }

        Span<char> text = line.Length <= 1024 ? stackalloc char[line.Length] : new char[line.Length];
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] > 0x7f)
            {
                return false;
            }

            text[i] = (char)line[i];
        }

        return TryDecode(text, out decoded);
    }

    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data);
}
