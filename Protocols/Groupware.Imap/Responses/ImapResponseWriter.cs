using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Responses;

/// <summary>
/// Writes the data of server responses (RFC 9051 §7 and §9) to the session's output (its
/// <c>PipeWriter</c>, or any <see cref="IBufferWriter{T}"/>): atoms, numbers, NIL, strings quoted
/// when they can be and as literals when not, mailbox names, flag lists, dates, and ENVELOPE and
/// BODYSTRUCTURE from the JSON Storage keeps (see <c>MessageSummary</c>). It writes no CRLF but
/// where asked and does no I/O: the session flushes.
/// </summary>
/// <remarks>
/// <see cref="Utf8"/> is the session's state: true once IMAP4rev2 or UTF8=ACCEPT is enabled (RFC
/// 9051, RFC 6855 §3), when quoted strings may carry UTF-8 and mailbox names go as UTF-8; false for
/// IMAP4rev1, when 8-bit text goes in literals and mailbox names in modified UTF-7.
/// </remarks>
internal sealed partial class ImapResponseWriter(IBufferWriter<byte> output)
{
    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Where the octets go.</summary>
    public IBufferWriter<byte> Output { get; } = output ?? throw new ArgumentNullException(nameof(output));

    /// <summary>True when the session has enabled IMAP4rev2 or UTF8=ACCEPT.</summary>
    public bool Utf8 { get; set; }

    /// <summary>Octets as they are: protocol text the caller has composed.</summary>
    public void WriteRaw(ReadOnlySpan<byte> octets) => Output.Write(octets);

    /// <summary>
    /// Text as it is, in UTF-8: words of the protocol (<c>* OK</c>, <c>FETCH</c>, a response code)
    /// and <c>resp-text</c>, which RFC 9051 §9 <c>text</c> lets carry UTF-8.
    /// </summary>
    public void WriteText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = Output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        Output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>An atom (RFC 9051 §9), written as it is.</summary>
    public void WriteAtom(string atom) => WriteText(atom);

    public void WriteSpace() => WriteByte((byte)' ');

    public void WriteCrlf() => Output.Write("\r\n"u8);

    /// <summary>"(".</summary>
    public void WriteOpen() => WriteByte((byte)'(');

    /// <summary>")".</summary>
    public void WriteClose() => WriteByte((byte)')');

    public void WriteNil() => Output.Write("NIL"u8);

    /// <summary>A number, number64 or nz-number.</summary>
    public void WriteNumber(long number)
    {
        var span = Output.GetSpan(20);
        Utf8Formatter.TryFormat(number, span, out var written);
        Output.Advance(written);
    }

    /// <summary>RFC 9051 §9 <c>string</c>: quoted when every octet can be, otherwise a literal.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteString(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>
    /// RFC 9051 §9 <c>string</c> of octets: <c>quoted</c> when they are TEXT-CHARs (and, with
    /// <see cref="Utf8"/>, UTF-8), otherwise a <c>literal</c>. CR, LF and 8-bit octets in an
    /// IMAP4rev1 session need the literal; NUL can go in neither (CHAR8 excludes it) and is dropped.
    /// </summary>
    public void WriteString(ReadOnlySpan<byte> value)
    {
        if (CanQuote(value))
        {
            WriteQuoted(value);
            return;
        }

        if (value.Contains((byte)0))
        {
            var withoutNul = new byte[value.Length - value.Count((byte)0)];
            var i = 0;
            foreach (var b in value)
            {
                if (b != 0)
                {
                    withoutNul[i++] = b;
                }
            }

            WriteString(withoutNul);
            return;
        }

        WriteLiteral(value);
    }

    /// <summary>RFC 9051 §9 <c>nstring</c>: NIL for null.</summary>
    public void WriteNString(string? value)
    {
        if (value is null)
        {
            WriteNil();
        }
        else
        {
            WriteString(value);
        }
    }

    /// <summary>RFC 9051 §9 <c>astring</c>: an atom when it is one (and not NIL), otherwise a string.</summary>
    public void WriteAString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && !value.Equals("NIL", StringComparison.OrdinalIgnoreCase) && value.All(c => c < 0x80 && ImapChars.IsAStringChar((byte)c)))
        {
            WriteText(value);
        }
        else
        {
            WriteString(value);
        }
    }

    /// <summary>A synchronizing-form <c>literal</c> (servers send no other, RFC 9051 §9): <c>{n}</c> CRLF and the octets.</summary>
    public void WriteLiteral(ReadOnlySpan<byte> octets)
    {
        WriteLiteralHeader(octets.Length);
        Output.Write(octets);
    }

    /// <summary>A <c>literal8</c> (RFC 3516 §4.2) for BINARY data that holds NUL: <c>~{n}</c> CRLF and the octets.</summary>
    public void WriteLiteral8(ReadOnlySpan<byte> octets)
    {
        WriteLiteralHeader(octets.Length, binary: true);
        Output.Write(octets);
    }

    /// <summary>
    /// BINARY[…] data (RFC 9051 §7.5.2, RFC 3516 §4.3): a <c>literal8</c> when it holds NUL, and
    /// otherwise a string, which RFC 9051 says a server SHOULD send for NUL-free data so that the
    /// client learns there is no NUL without scanning for it.
    /// </summary>
    public void WriteBinary(ReadOnlySpan<byte> octets)
    {
        if (octets.Contains((byte)0))
        {
            WriteLiteral8(octets);
        }
        else
        {
            WriteString(octets);
        }
    }

    /// <summary>
    /// The head of a literal whose <paramref name="length"/> octets the caller writes next
    /// (streaming a BODY[] from the store): <c>{n}</c> CRLF, or <c>~{n}</c> CRLF for literal8.
    /// </summary>
    public void WriteLiteralHeader(long length, bool binary = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (binary)
        {
            WriteByte((byte)'~');
        }

        WriteByte((byte)'{');
        WriteNumber(length);
        Output.Write("}\r\n"u8);
    }

    /// <summary>
    /// A mailbox name (RFC 9051 §9 <c>mailbox</c>) as a string: UTF-8 with <see cref="Utf8"/>,
    /// otherwise in modified UTF-7 (RFC 3501 §5.1.3).
    /// </summary>
    public void WriteMailbox(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        WriteString(Utf8 ? name : ModifiedUtf7.Encode(name));
    }

    /// <summary>RFC 9051 §9 <c>flag-list</c>: "(" flags separated by SP ")".</summary>
    public void WriteFlagList(IEnumerable<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        WriteOpen();
        var first = true;
        foreach (var flag in flags)
        {
            if (!first)
            {
                WriteSpace();
            }

            WriteText(flag);
            first = false;
        }

        WriteClose();
    }

    /// <summary>RFC 9051 §9 <c>date-time</c>: <c>"dd-Mon-yyyy hh:mm:ss +zzzz"</c>, in the value's own offset.</summary>
    public void WriteDateTime(DateTimeOffset value)
    {
        var offset = (int)value.Offset.TotalMinutes;
        var sign = offset < 0 ? '-' : '+';
        offset = Math.Abs(offset);
        WriteText(string.Create(CultureInfo.InvariantCulture,
            $"\"{value.Day:00}-{MonthNames[value.Month - 1]}-{value.Year:0000} {value.Hour:00}:{value.Minute:00}:{value.Second:00} {sign}{offset / 60:00}{offset % 60:00}\""));
    }

    /// <summary>Whether <paramref name="value"/> can go as a <c>quoted</c> string in this session.</summary>
    private bool CanQuote(ReadOnlySpan<byte> value)
    {
        var eightBit = false;
        foreach (var b in value)
        {
            if (b is 0 or (byte)'\r' or (byte)'\n')
            {
                return false;
            }

            eightBit |= b >= 0x80;
        }

        return !eightBit || (Utf8 && System.Text.Unicode.Utf8.IsValid(value));
    }

    private void WriteQuoted(ReadOnlySpan<byte> value)
    {
        var span = Output.GetSpan((value.Length * 2) + 2);
        var i = 0;
        span[i++] = (byte)'"';
        foreach (var b in value)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                span[i++] = (byte)'\\';
            }

            span[i++] = b;
        }

        span[i++] = (byte)'"';
        Output.Advance(i);
    }

    private void WriteByte(byte b)
    {
        Output.GetSpan(1)[0] = b;
        Output.Advance(1);
    }
}
