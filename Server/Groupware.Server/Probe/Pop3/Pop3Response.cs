namespace Groupware.Server.Probe.Pop3;

/// <summary>
/// One POP3 status line, parsed without I/O (RFC 1939 §3): <c>+OK</c> or <c>-ERR</c>, with the
/// extended response code in brackets that RFC 2449 §8 adds (<c>[AUTH]</c>, <c>[SYS/PERM]</c>,
/// RFC 3206). Anything else is not POP3.
/// </summary>
internal sealed record Pop3Response(bool? Ok, string Line, string? Code = null, string Text = "")
{
    public bool IsOk => Ok == true;

    public bool IsMalformed => Ok is null;

    public static Pop3Response Parse(string line)
    {
        bool? ok = line.StartsWith("+OK", StringComparison.OrdinalIgnoreCase) ? true
            : line.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase) ? false
            : null;
        if (ok is null)
        {
            return new Pop3Response(null, line);
        }

        var rest = line[(ok.Value ? 3 : 4)..];
        if (rest.Length > 0 && rest[0] != ' ')
        {
            return new Pop3Response(null, line);
        }

        rest = rest.TrimStart();
        if (rest.StartsWith('[') && rest.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            return new Pop3Response(ok, line, rest[1..close], rest[(close + 1)..].TrimStart());
        }

        return new Pop3Response(ok, line, Text: rest);
    }
}
