using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Groupware.Connections.Framing;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Syntax;

/// <summary>Where an <see cref="ImapReader"/> stands: a line of the command and an offset in it.</summary>
/// <param name="Line">The line, 0 for the first; line <c>i</c> ends with the marker of literal <c>i</c>.</param>
/// <param name="Offset">The octet offset within the line.</param>
internal readonly record struct ReaderPosition(int Line, int Offset);

/// <summary>
/// A sans-IO reader of one IMAP command as the framer delivered it: its lines (CRLF removed) and
/// the literal that follows each line but the last (RFC 9051 §4.3, RFC 7888 §3, RFC 3516 §4.2). The
/// Try-methods read one production of RFC 9051 §9 each; on bad syntax they return false, leave the
/// reader where it was and say why in <see cref="Error"/>. Nothing a client sends makes them throw:
/// a syntax error is a value, answered with BAD by the command that asked.
/// </summary>
/// <remarks>
/// Strings read as <see cref="string"/> must be UTF-8 (RFC 9051 §4.3 and RFC 6855 §3 allow no other
/// 8-bit text); the <c>Octets</c> variants give the raw octets, for a SEARCH in another CHARSET. A
/// literal taken as a string must be held in memory; one the session spooled is refused here, since
/// only an APPEND body (<see cref="TryReadLiteralBody"/>) is meant to be spooled.
/// </remarks>
internal sealed class ImapReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private readonly FramedCommand? _command;
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _lines;
    private readonly IReadOnlyList<CommandLiteral> _literals;
    private int _line;
    private int _offset;

    /// <summary>A reader over a command the framer delivered (one without a framing error).</summary>
    public ImapReader(FramedCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Error != FrameError.None)
        {
            throw new ArgumentException("a command that failed framing has no lines to read", nameof(command));
        }

        _command = command;
        _literals = command.Literals;
    }

    /// <summary>A reader over one line without literals (tests, and commands already split).</summary>
    public ImapReader(ReadOnlyMemory<byte> line)
        : this([line], [])
    {
    }

    /// <summary>A reader over lines and their literals, as a <see cref="FramedCommand"/> holds them.</summary>
    public ImapReader(IReadOnlyList<ReadOnlyMemory<byte>> lines, IReadOnlyList<CommandLiteral> literals)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(literals);
        if (lines.Count != literals.Count + 1)
        {
            throw new ArgumentException("a command has one line more than it has literals", nameof(lines));
        }

        _lines = lines;
        _literals = literals;
    }

    /// <summary>Why the last Try-method that returned false did; empty after a success.</summary>
    public string Error { get; private set; } = "";

    /// <summary>True at the end of the command: the last line is read to its end.</summary>
    public bool AtEnd => _line == LineCount - 1 && _offset == Current.Length;

    /// <summary>Where the reader stands, for <see cref="Restore"/>.</summary>
    public ReaderPosition Position => new(_line, _offset);

    private int LineCount => _command?.LineCount ?? _lines!.Count;

    private ReadOnlySpan<byte> Current => _command is { } command ? command.Line(_line) : _lines![_line].Span;

    /// <summary>Records why a parser built on the reader refuses what it read; always false.</summary>
    public bool Refuse(string error) => Fail(error);

    /// <summary>Goes back to a position taken earlier from <see cref="Position"/>.</summary>
    public void Restore(ReaderPosition position)
    {
        _line = position.Line;
        _offset = position.Offset;
    }

    /// <summary>The next octet, or -1 at the end of a line (before a literal, or at the command's end).</summary>
    public int Peek() => _offset < Current.Length ? Current[_offset] : -1;

    /// <summary>The octet <paramref name="ahead"/> places after the next one, or -1 past the end of the line.</summary>
    public int PeekAt(int ahead) => _offset + ahead < Current.Length ? Current[_offset + ahead] : -1;

    /// <summary>Consumes <paramref name="c"/> if it is the next octet (exactly, not case-folded).</summary>
    public bool TryRead(char c)
    {
        if (Peek() == c)
        {
            _offset++;
            return Succeed();
        }

        return Fail($"expected '{c}'{Found()}");
    }

    /// <summary>Consumes one SP (RFC 9051 §9 note 2: exactly one space, never other white space).</summary>
    public bool TrySpace() => Peek() == ' ' ? Advance(1) : Fail($"expected a space{Found()}");

    /// <summary>Succeeds only at the end of the command, with an error naming what is left over.</summary>
    public bool TryEnd() => AtEnd ? Succeed() : Fail($"unexpected text at the end of the command{Found()}");

    /// <summary>Consumes <paramref name="word"/> if the next octets spell it, ASCII case ignored, and no atom character follows.</summary>
    public bool TryReadKeyword(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var rest = Current[_offset..];
        if (rest.Length < word.Length)
        {
            return Fail($"expected {word}{Found()}");
        }

        for (var i = 0; i < word.Length; i++)
        {
            if (char.ToUpperInvariant((char)rest[i]) != char.ToUpperInvariant(word[i]))
            {
                return Fail($"expected {word}{Found()}");
            }
        }

        if (rest.Length > word.Length && ImapChars.IsAtomChar(rest[word.Length]))
        {
            return Fail($"expected {word}{Found()}");
        }

        return Advance(word.Length);
    }

    /// <summary>RFC 9051 §9 <c>tag</c>: 1*&lt;any ASTRING-CHAR except "+"&gt;.</summary>
    public bool TryReadTag(out string tag)
    {
        var length = CountWhile(ImapChars.IsTagChar);
        tag = Ascii(length);
        return length > 0 ? Advance(length) : Fail($"expected a tag{Found()}");
    }

    /// <summary>RFC 9051 §9 <c>atom</c>, as sent; command names and keys compare it ignoring ASCII case.</summary>
    public bool TryReadAtom(out string atom)
    {
        var length = CountWhile(ImapChars.IsAtomChar);
        atom = Ascii(length);
        return length > 0 ? Advance(length) : Fail($"expected an atom{Found()}");
    }

    /// <summary>An atom that ends at <paramref name="delimiter"/> too (FETCH's <c>BODY[</c>, whose "[" is an atom character).</summary>
    public bool TryReadAtomBefore(char delimiter, out string atom)
    {
        var length = CountWhile(b => b != delimiter && ImapChars.IsAtomChar(b));
        atom = Ascii(length);
        return length > 0 ? Advance(length) : Fail($"expected an atom{Found()}");
    }

    /// <summary>RFC 9051 §9 <c>number</c>: an unsigned 32-bit integer.</summary>
    public bool TryReadNumber(out uint number)
    {
        number = 0;
        if (!TryReadDigits(out var value, uint.MaxValue, "number"))
        {
            return false;
        }

        number = (uint)value;
        return true;
    }

    /// <summary>RFC 9051 §9 <c>nz-number</c>: a non-zero unsigned 32-bit integer, no leading zero.</summary>
    public bool TryReadNzNumber(out uint number)
    {
        number = 0;
        if (Peek() == '0')
        {
            return Fail("expected a non-zero number");
        }

        if (!TryReadDigits(out var value, uint.MaxValue, "non-zero number"))
        {
            return false;
        }

        number = (uint)value;
        return true;
    }

    /// <summary>RFC 9051 §9 <c>number64</c>: an unsigned 63-bit integer.</summary>
    public bool TryReadNumber64(out long number)
    {
        number = 0;
        if (!TryReadDigits(out var value, long.MaxValue, "number"))
        {
            return false;
        }

        number = (long)value;
        return true;
    }

    /// <summary>RFC 9051 §9 <c>nz-number64</c>.</summary>
    public bool TryReadNzNumber64(out long number)
    {
        number = 0;
        return Peek() == '0' ? Fail("expected a non-zero number") : TryReadNumber64(out number);
    }

    /// <summary>RFC 9051 §9 <c>sequence-set</c>, <c>*</c> and <c>$</c> (RFC 5182) included; see <see cref="SequenceSet"/>.</summary>
    public bool TryReadSequenceSet(out SequenceSet set)
    {
        var length = CountWhile(ImapChars.IsSequenceSetChar);
        if (length == 0)
        {
            set = SequenceSet.Empty;
            return Fail($"expected a sequence set{Found()}");
        }

        if (!SequenceSet.TryParse(Current.Slice(_offset, length), out set, out var error))
        {
            return Fail(error);
        }

        return Advance(length);
    }

    /// <summary>
    /// RFC 9051 §9 <c>astring</c>: an atom (with "]"), a quoted string or a literal, as UTF-8 text.
    /// </summary>
    public bool TryReadAString(out string value)
    {
        value = "";
        var length = CountWhile(ImapChars.IsAStringChar);
        if (length > 0)
        {
            value = Ascii(length);
            return Advance(length);
        }

        return TryReadString(out value);
    }

    /// <summary><see cref="TryReadAString"/> giving the octets as sent.</summary>
    public bool TryReadAStringOctets(out byte[] value)
    {
        var length = CountWhile(ImapChars.IsAStringChar);
        if (length > 0)
        {
            value = Current.Slice(_offset, length).ToArray();
            return Advance(length);
        }

        return TryReadStringOctets(out value);
    }

    /// <summary>RFC 9051 §9 <c>string</c>: quoted (with <c>\\</c> and <c>\"</c>) or a literal, as UTF-8 text.</summary>
    public bool TryReadString(out string value)
    {
        value = "";
        var start = Position;
        if (!TryReadStringOctets(out var octets))
        {
            return false;
        }

        if (!Utf8.IsValid(octets))
        {
            Restore(start);
            return Fail("the string is not UTF-8");
        }

        value = StrictUtf8.GetString(octets);
        return true;
    }

    /// <summary><see cref="TryReadString"/> giving the octets as sent.</summary>
    public bool TryReadStringOctets(out byte[] value)
    {
        value = [];
        return Peek() switch
        {
            '"' => TryReadQuoted(out value),
            '{' or '~' => TryReadLiteralString(out value),
            _ => Fail($"expected a string{Found()}"),
        };
    }

    /// <summary>RFC 9051 §9 <c>nstring</c>: a string, or NIL as null.</summary>
    public bool TryReadNString(out string? value)
    {
        value = null;
        if (IsNil())
        {
            return Advance(3);
        }

        if (!TryReadString(out var text))
        {
            return false;
        }

        value = text;
        return true;
    }

    /// <summary>
    /// APPEND's message (RFC 9051 §6.3.12, RFC 3516 §4.4): a <c>literal</c> or <c>literal8</c>,
    /// handed over as the literal object itself (in memory or spooled, <see cref="CommandLiteral.IsBinary"/>
    /// for <c>~{n}</c>); the command owns it as long as it owns the <see cref="FramedCommand"/>.
    /// </summary>
    public bool TryReadLiteralBody(out CommandLiteral literal)
    {
        literal = null!;
        if (!TryReadLiteralMarker(allowBinary: true, out var found))
        {
            return false;
        }

        literal = found;
        return true;
    }

    /// <summary>
    /// RFC 9051 §9 <c>flag</c>: a system flag (<c>\Seen</c>…, returned in its RFC spelling), a
    /// keyword atom (as sent), or <c>\*</c> when <paramref name="allowWildcard"/>. Any other
    /// <c>\</c> flag, <c>\Recent</c> included, is refused as Dovecot refuses it: RFC 9051 lets no
    /// client set it.
    /// </summary>
    public bool TryReadFlag(out string flag, bool allowWildcard = false)
    {
        flag = "";
        if (Peek() != '\\')
        {
            return TryReadAtom(out flag) || Fail($"expected a flag{Found()}");
        }

        _offset++;
        if (allowWildcard && Peek() == '*')
        {
            _offset++;
            flag = "\\*";
            return Succeed();
        }

        var length = CountWhile(ImapChars.IsAtomChar);
        var name = "\\" + Ascii(length);
        if (length == 0 || ImapFlags.Canonical(name) is not { } system)
        {
            _offset--;
            return Fail($"{(length == 0 ? "\\" : name)} is not a flag a client can set");
        }

        flag = system;
        return Advance(length);
    }

    /// <summary>RFC 9051 §9 <c>flag-list</c>: "(" [flag *(SP flag)] ")", duplicates removed.</summary>
    public bool TryReadFlagList(out IReadOnlyList<string> flags)
    {
        var list = new List<string>();
        flags = list;
        return TryReadList(r =>
        {
            if (!r.TryReadFlag(out var flag))
            {
                return false;
            }

            if (!list.Contains(flag, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(flag);
            }

            return true;
        });
    }

    /// <summary>
    /// RFC 9051 §9 <c>date-time</c>: <c>"dd-Mon-yyyy hh:mm:ss +zzzz"</c>. The day may be one digit
    /// after a space (<c>date-day-fixed</c>) or, as Dovecot accepts it, without the space.
    /// </summary>
    public bool TryReadDateTime(out DateTimeOffset value)
    {
        value = default;
        var rest = Current[_offset..];
        var i = 0;
        if (rest.Length == 0 || rest[i++] != '"')
        {
            return Fail($"expected a quoted date-time{Found()}");
        }

        if (i < rest.Length && rest[i] == ' ')
        {
            i++;
        }

        if (!TryParseDate(rest, ref i, out var date))
        {
            return Fail("bad date-time: expected dd-Mon-yyyy");
        }

        if (!TryParseTime(rest, ref i, out var time, out var offset) || i >= rest.Length || rest[i++] != '"')
        {
            return Fail("bad date-time: expected \"dd-Mon-yyyy hh:mm:ss +zzzz\"");
        }

        // 01-Jan-0001 00:00:00 +0100 is a date-time of the grammar but before any instant .NET holds.
        var utcTicks = date.ToDateTime(time).Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return Fail("the date-time is out of range");
        }

        value = new DateTimeOffset(date.ToDateTime(time), offset);
        return Advance(i);
    }

    /// <summary>RFC 9051 §9 <c>date</c> (SEARCH's BEFORE, ON, SINCE…): <c>d-Mon-yyyy</c>, quoted or not.</summary>
    public bool TryReadDate(out DateOnly date)
    {
        var rest = Current[_offset..];
        var i = 0;
        var quoted = rest.Length > 0 && rest[0] == '"';
        if (quoted)
        {
            i++;
        }

        if (!TryParseDate(rest, ref i, out date) || (quoted && (i >= rest.Length || rest[i++] != '"')))
        {
            return Fail($"bad date: expected d-Mon-yyyy{Found()}");
        }

        return Advance(i);
    }

    /// <summary>
    /// RFC 9051 §9 <c>mailbox</c>: an astring, any case of INBOX as <c>INBOX</c>. Unless
    /// <paramref name="utf8"/> (IMAP4rev2, or UTF8=ACCEPT enabled, RFC 6855 §3) the name is decoded
    /// from modified UTF-7 (RFC 3501 §5.1.3) and refused when not strictly so encoded; in UTF-8 it is
    /// put in Unicode NFC, as RFC 9051 §5.1 allows. Names holding NUL, CR or LF are refused.
    /// </summary>
    public bool TryReadMailbox(bool utf8, out string name)
    {
        name = "";
        var start = Position;
        if (!TryReadAString(out var raw))
        {
            return Fail($"expected a mailbox name{Found()}");
        }

        if (!TryDecodeMailbox(raw, utf8, out name, out var error))
        {
            Restore(start);
            return Fail(error);
        }

        LastMailboxError = error.Length > 0 ? error : null;
        return true;
    }

    /// <summary>
    /// Why the last mailbox name read is no name a mailbox can be given (it was not valid modified
    /// UTF-7 and is kept as sent), or null: CREATE and RENAME refuse such a name, other commands find
    /// no mailbox of it.
    /// </summary>
    public string? LastMailboxError { get; private set; }

    /// <summary>
    /// RFC 9051 §9 <c>list-mailbox</c>: LIST's pattern, list-chars (with the wildcards <c>%</c> and
    /// <c>*</c>) or a string, decoded from modified UTF-7 unless <paramref name="utf8"/>.
    /// </summary>
    public bool TryReadListMailbox(bool utf8, out string pattern)
    {
        pattern = "";
        var start = Position;
        string raw;
        var length = CountWhile(ImapChars.IsListChar);
        if (length > 0)
        {
            raw = Ascii(length);
            Advance(length);
        }
        else if (!TryReadString(out raw))
        {
            return Fail($"expected a mailbox pattern{Found()}");
        }

        if (!TryDecodeMailbox(raw, utf8, out pattern, out var error, canonicalInbox: false))
        {
            Restore(start);
            return Fail(error);
        }

        return true;
    }

    /// <summary>
    /// A parenthesised list: "(" [item *(SP item)] ")", each item read by <paramref name="readItem"/>
    /// (which says why in <see cref="Error"/> when it fails). An empty list only when <paramref name="allowEmpty"/>.
    /// </summary>
    public bool TryReadList(Func<ImapReader, bool> readItem, bool allowEmpty = true)
    {
        ArgumentNullException.ThrowIfNull(readItem);
        var start = Position;
        if (!TryRead('('))
        {
            return false;
        }

        if (Peek() == ')')
        {
            _offset++;
            return allowEmpty ? Succeed() : FailAt(start, "the list must not be empty");
        }

        while (true)
        {
            if (!readItem(this))
            {
                var error = Error;
                Restore(start);
                return Fail(error);
            }

            if (Peek() == ')')
            {
                _offset++;
                return Succeed();
            }

            if (!TrySpace())
            {
                Restore(start);
                return Fail($"expected a space or ')' in the list{Found()}");
            }
        }
    }

    /// <summary>Checks a mailbox name after its astring is read; shared with LIST's pattern.</summary>
    internal static bool TryDecodeMailbox(string raw, bool utf8, out string name, out string error, bool canonicalInbox = true)
    {
        name = "";
        error = "";
        if (utf8)
        {
            name = raw.IsNormalized(NormalizationForm.FormC) ? raw : raw.Normalize(NormalizationForm.FormC);
        }
        else if (!ModifiedUtf7.TryDecode(raw, out name))
        {
            // Read as the octets given, as Dovecot does: no mailbox can have such a name (CREATE and
            // RENAME refuse it, see WasNotModifiedUtf7), so SELECT or STATUS of it is NO, not BAD.
            name = raw;
            error = "the mailbox name is not valid modified UTF-7 (RFC 3501 §5.1.3)";
        }

        if (name.AsSpan().IndexOfAny('\0', '\r', '\n') >= 0)
        {
            error = "a mailbox name cannot hold NUL, CR or LF";
            name = "";
            return false;
        }

        if (canonicalInbox && name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            name = "INBOX";
        }

        return true;
    }

    private bool TryReadQuoted(out byte[] value)
    {
        value = [];
        var rest = Current[_offset..];
        var octets = new List<byte>(Math.Min(rest.Length, 256));
        for (var i = 1; i < rest.Length; i++)
        {
            var b = rest[i];
            if (b == '"')
            {
                value = [.. octets];
                return Advance(i + 1);
            }

            if (b == '\\')
            {
                if (i + 1 < rest.Length && rest[i + 1] is (byte)'"' or (byte)'\\')
                {
                    octets.Add(rest[++i]);
                    continue;
                }

                return Fail("a backslash in a quoted string may only escape \" or \\");
            }

            if (b == 0)
            {
                return Fail("a quoted string cannot hold NUL");
            }

            octets.Add(b);
        }

        return Fail("the quoted string has no closing '\"'");
    }

    private bool TryReadLiteralString(out byte[] value)
    {
        value = [];
        var start = Position;
        if (!TryReadLiteralMarker(allowBinary: false, out var literal))
        {
            return false;
        }

        if (literal.IsSpooled)
        {
            Restore(start);
            return Fail("a literal this large cannot be taken as a string");
        }

        var octets = literal.Memory.Span;
        if (octets.Contains((byte)0))
        {
            Restore(start);
            return Fail("a literal cannot hold NUL (RFC 9051 §9 CHAR8); send it as literal8");
        }

        value = octets.ToArray();
        return true;
    }

    /// <summary>Reads <c>{n}</c>, <c>{n+}</c> or <c>~{n}</c>, which must end the line, and steps past the literal to the next line.</summary>
    private bool TryReadLiteralMarker(bool allowBinary, out CommandLiteral literal)
    {
        literal = null!;
        var rest = Current[_offset..];
        var binary = rest.Length > 0 && rest[0] == '~';
        var i = binary ? 1 : 0;
        if (i >= rest.Length || rest[i] != '{')
        {
            return Fail($"expected a literal{Found()}");
        }

        if (binary && !allowBinary)
        {
            return Fail("literal8 (~{n}) is not allowed here (RFC 3516 §4.2)");
        }

        i++;
        var digits = 0;
        while (i < rest.Length && rest[i] is >= (byte)'0' and <= (byte)'9')
        {
            i++;
            digits++;
        }

        if (i < rest.Length && rest[i] == '+')
        {
            i++;
        }

        if (digits == 0 || i >= rest.Length || rest[i] != '}' || i + 1 != rest.Length)
        {
            return Fail("a literal's marker {n} must end the line");
        }

        if (_line >= _literals.Count)
        {
            return Fail("the literal announced is missing");
        }

        literal = _literals[_line];
        _line++;
        _offset = 0;
        return Succeed();
    }

    private bool TryReadDigits(out ulong value, ulong max, string what)
    {
        value = 0;
        var rest = Current[_offset..];
        var i = 0;
        while (i < rest.Length && rest[i] is >= (byte)'0' and <= (byte)'9')
        {
            var digit = (ulong)(rest[i] - '0');
            if (value > (max - digit) / 10)
            {
                return Fail($"the {what} is too large");
            }

            value = (value * 10) + digit;
            i++;
        }

        return i == 0 ? Fail($"expected a {what}{Found()}") : Advance(i);
    }

    /// <summary>Reads <c>d-Mon-yyyy</c> (one or two day digits) at <paramref name="i"/>.</summary>
    private static bool TryParseDate(ReadOnlySpan<byte> text, ref int i, out DateOnly date)
    {
        date = default;
        var j = i;
        if (!TryDigits(text, ref j, 1, out var day))
        {
            return false;
        }

        if (j < text.Length && text[j] is >= (byte)'0' and <= (byte)'9')
        {
            day = (day * 10) + (text[j++] - '0');
        }

        if (j + 5 > text.Length || text[j] != '-' || text[j + 4] != '-')
        {
            return false;
        }

        var month = 0;
        for (var m = 0; m < MonthNames.Length && month == 0; m++)
        {
            var name = MonthNames[m];
            if ((text[j + 1] | 0x20) == (name[0] | 0x20) && (text[j + 2] | 0x20) == name[1] && (text[j + 3] | 0x20) == name[2])
            {
                month = m + 1;
            }
        }

        j += 5;
        if (month == 0 || !TryDigits(text, ref j, 4, out var year) || year == 0 || day == 0 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        i = j;
        return true;
    }

    /// <summary>Reads <c>SP hh:mm:ss SP +zzzz</c> at <paramref name="i"/>.</summary>
    private static bool TryParseTime(ReadOnlySpan<byte> text, ref int i, out TimeOnly time, out TimeSpan offset)
    {
        time = default;
        offset = default;
        var j = i;
        if (j >= text.Length || text[j++] != ' ' || !TryDigits(text, ref j, 2, out var hour) || j >= text.Length || text[j++] != ':' ||
            !TryDigits(text, ref j, 2, out var minute) || j >= text.Length || text[j++] != ':' ||
            !TryDigits(text, ref j, 2, out var second) || j >= text.Length || text[j++] != ' ' || j >= text.Length)
        {
            return false;
        }

        var sign = text[j++];
        if (sign is not ((byte)'+' or (byte)'-') || !TryDigits(text, ref j, 2, out var zoneHours) || !TryDigits(text, ref j, 2, out var zoneMinutes))
        {
            return false;
        }

        // DateTimeOffset holds offsets up to ±14:00, as far as any zone in use reaches.
        if (hour > 23 || minute > 59 || second > 60 || zoneMinutes > 59 || (zoneHours * 60) + zoneMinutes > 14 * 60)
        {
            return false;
        }

        time = new TimeOnly(hour, minute, Math.Min(second, 59));
        offset = TimeSpan.FromMinutes(((zoneHours * 60) + zoneMinutes) * (sign == '-' ? -1 : 1));
        i = j;
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > text.Length)
        {
            return false;
        }

        for (var k = 0; k < count; k++)
        {
            var b = text[i + k];
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        i += count;
        return true;
    }

    private bool IsNil()
    {
        var rest = Current[_offset..];
        return rest.Length >= 3 && (rest[0] | 0x20) == 'n' && (rest[1] | 0x20) == 'i' && (rest[2] | 0x20) == 'l' &&
            (rest.Length == 3 || !ImapChars.IsAStringChar(rest[3]));
    }

    private int CountWhile(Func<byte, bool> predicate)
    {
        var rest = Current[_offset..];
        var i = 0;
        while (i < rest.Length && predicate(rest[i]))
        {
            i++;
        }

        return i;
    }

    private string Ascii(int length) => length == 0 ? "" : Encoding.ASCII.GetString(Current.Slice(_offset, length));

    private bool Advance(int count)
    {
        _offset += count;
        return Succeed();
    }

    private bool Succeed()
    {
        Error = "";
        return true;
    }

    private bool Fail(string error)
    {
        Error = error;
        return false;
    }

    private bool FailAt(ReaderPosition start, string error)
    {
        Restore(start);
        return Fail(error);
    }

    /// <summary>What stands at the reader, for an error text: ", found ..." or ", found the end of the command".</summary>
    private string Found()
    {
        var rest = Current[_offset..];
        if (rest.Length == 0)
        {
            return _line == LineCount - 1 ? ", found the end of the command" : ", found a literal";
        }

        var shown = rest[..Math.Min(rest.Length, 20)];
        var text = new StringBuilder(shown.Length);
        foreach (var b in shown)
        {
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }

        return string.Create(CultureInfo.InvariantCulture, $", found \"{text}{(rest.Length > shown.Length ? "..." : "")}\"");
    }
}

/// <summary>The character classes of RFC 9051 §9.</summary>
internal static class ImapChars
{
    /// <summary>ATOM-CHAR: any CHAR except atom-specials ( "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]" ).</summary>
    public static bool IsAtomChar(byte b) => b is > 0x20 and < 0x7f and not ((byte)'(' or (byte)')' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\' or (byte)']');

    /// <summary>ASTRING-CHAR: ATOM-CHAR or resp-specials ("]").</summary>
    public static bool IsAStringChar(byte b) => IsAtomChar(b) || b == ']';

    /// <summary>The characters of <c>tag</c>: ASTRING-CHAR except "+".</summary>
    public static bool IsTagChar(byte b) => IsAStringChar(b) && b != '+';

    /// <summary>list-char: ATOM-CHAR, list-wildcards or resp-specials.</summary>
    public static bool IsListChar(byte b) => IsAStringChar(b) || b is (byte)'%' or (byte)'*';

    /// <summary>The characters a sequence-set is written with.</summary>
    public static bool IsSequenceSetChar(byte b) => b is >= (byte)'0' and <= (byte)'9' or (byte)':' or (byte)',' or (byte)'*' or (byte)'$';
}
