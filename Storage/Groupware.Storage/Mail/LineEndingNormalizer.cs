namespace Groupware.Storage.Mail;

/// <summary>
/// Sans-IO rewriting of line ends to CRLF, the form RFC 5322 §2.1 prescribes and the form every
/// message is stored in: a bare LF or a bare CR becomes CRLF, CRLF stays. Input may arrive in any
/// slices; a CR at the end of one slice is held until the next shows whether LF follows.
/// </summary>
public struct LineEndingNormalizer
{
    private bool _pendingCr;

    /// <summary>The largest output <see cref="Normalize"/> can produce for <paramref name="inputLength"/> octets.</summary>
    public static int MaxOutputLength(int inputLength) => (inputLength * 2) + 2;

    /// <summary>
    /// Rewrites <paramref name="input"/> into <paramref name="output"/>, which must hold
    /// <see cref="MaxOutputLength"/> octets; returns how many were written.
    /// </summary>
    public int Normalize(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        var i = 0;
        if (_pendingCr && input.Length > 0)
        {
            output[written++] = (byte)'\r';
            output[written++] = (byte)'\n';
            _pendingCr = false;
            if (input[0] == '\n')
            {
                i = 1;
            }
        }

        while (i < input.Length)
        {
            var rest = input[i..];
            var next = rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (next < 0)
            {
                rest.CopyTo(output[written..]);
                written += rest.Length;
                break;
            }

            rest[..next].CopyTo(output[written..]);
            written += next;
            i += next;
            if (input[i] == '\n')
            {
                // A bare LF.
                output[written++] = (byte)'\r';
                output[written++] = (byte)'\n';
                i++;
            }
            else if (i + 1 == input.Length)
            {
                _pendingCr = true;
                i++;
            }
            else
            {
                // CRLF, or a bare CR: either way one CRLF.
                output[written++] = (byte)'\r';
                output[written++] = (byte)'\n';
                i += input[i + 1] == '\n' ? 2 : 1;
            }
        }

        return written;
    }

    /// <summary>Ends the input: a CR held back becomes CRLF. Returns the octets written (0 or 2).</summary>
    public int Finish(Span<byte> output)
    {
        if (!_pendingCr)
        {
            return 0;
        }

        _pendingCr = false;
        output[0] = (byte)'\r';
        output[1] = (byte)'\n';
        return 2;
    }
}
