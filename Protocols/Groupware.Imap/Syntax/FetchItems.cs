using System.Globalization;
using System.Text;

namespace Groupware.Imap.Syntax;

/// <summary>The FETCH data items that take no section (RFC 9051 §6.4.5, RFC 3501 §6.4.5, RFC 7162 §3.1.4.1).</summary>
internal enum FetchItem
{
    /// <summary><c>ENVELOPE</c>.</summary>
    Envelope,

    /// <summary><c>FLAGS</c>.</summary>
    Flags,

    /// <summary><c>INTERNALDATE</c>.</summary>
    InternalDate,

    /// <summary><c>RFC822.SIZE</c>.</summary>
    Rfc822Size,

    /// <summary><c>UID</c>.</summary>
    Uid,

    /// <summary><c>BODY</c> without a section: the non-extensible BODYSTRUCTURE.</summary>
    Body,

    /// <summary><c>BODYSTRUCTURE</c>.</summary>
    BodyStructure,

    /// <summary><c>MODSEQ</c> (RFC 7162 §3.1.4.1).</summary>
    ModSeq,

    /// <summary><c>RFC822</c> (RFC 3501): BODY[] answered under its own name, setting \Seen.</summary>
    Rfc822,

    /// <summary><c>RFC822.HEADER</c> (RFC 3501): BODY.PEEK[HEADER] answered under its own name.</summary>
    Rfc822Header,

    /// <summary><c>RFC822.TEXT</c> (RFC 3501): BODY[TEXT] answered under its own name, setting \Seen.</summary>
    Rfc822Text,

    /// <summary><c>PREVIEW</c> (RFC 8970 §3), with or without <c>(LAZY)</c>: the preview is always there.</summary>
    Preview,

    /// <summary><c>SAVEDATE</c> (RFC 8514 §4.1).</summary>
    SaveDate,

    /// <summary><c>EMAILID</c> (RFC 8474 §5.1).</summary>
    EmailId,

    /// <summary><c>THREADID</c> (RFC 8474 §5.2).</summary>
    ThreadId,
}

/// <summary>What a section names after its part numbers (RFC 9051 §6.4.5.1 <c>section-msgtext</c> / <c>section-text</c>).</summary>
internal enum SectionText
{
    /// <summary>The part itself (or, without part numbers, the whole message).</summary>
    None,

    /// <summary><c>HEADER</c>.</summary>
    Header,

    /// <summary><c>HEADER.FIELDS (…)</c>.</summary>
    HeaderFields,

    /// <summary><c>HEADER.FIELDS.NOT (…)</c>.</summary>
    HeaderFieldsNot,

    /// <summary><c>TEXT</c>.</summary>
    Text,

    /// <summary><c>MIME</c>: the part's MIME header; only after a part number.</summary>
    Mime,
}

/// <summary>RFC 9051 §9 <c>section-part</c>: part numbers <c>1.2.3</c>; empty for the message itself.</summary>
internal sealed class SectionPart : IEquatable<SectionPart>
{
    private readonly uint[] _numbers;

    public SectionPart(params uint[] numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        _numbers = [.. numbers];
    }

    public static SectionPart Message { get; } = new();

    public IReadOnlyList<uint> Numbers => _numbers;

    public bool IsMessage => _numbers.Length == 0;

    public override string ToString() => string.Join('.', _numbers.Select(n => n.ToString(CultureInfo.InvariantCulture)));

    public bool Equals(SectionPart? other) => other is not null && _numbers.AsSpan().SequenceEqual(other._numbers);

    public override bool Equals(object? obj) => Equals(obj as SectionPart);

    public override int GetHashCode() => HashCode.Combine(_numbers.Length, _numbers.Length > 0 ? _numbers[^1] : 0);
}

/// <summary>RFC 9051 §9 <c>section-spec</c>: part numbers, then what of the part.</summary>
/// <param name="Part">The part numbers; <see cref="SectionPart.Message"/> for the message.</param>
/// <param name="Text">What of the part.</param>
/// <param name="Fields">The header field names of HEADER.FIELDS and HEADER.FIELDS.NOT, as sent; empty otherwise.</param>
internal sealed record BodySection(SectionPart Part, SectionText Text, IReadOnlyList<string> Fields)
{
    /// <summary><c>BODY[]</c>: the whole message.</summary>
    public static BodySection Whole { get; } = new(SectionPart.Message, SectionText.None, []);

    /// <summary>The section as it goes between the brackets of a request and of its FETCH response.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Part.ToString());
        var word = Text switch
        {
            SectionText.Header => "HEADER",
            SectionText.HeaderFields => "HEADER.FIELDS",
            SectionText.HeaderFieldsNot => "HEADER.FIELDS.NOT",
            SectionText.Text => "TEXT",
            SectionText.Mime => "MIME",
            _ => "",
        };
        if (word.Length > 0)
        {
            text.Append(Part.IsMessage ? "" : ".").Append(word);
        }

        if (Text is SectionText.HeaderFields or SectionText.HeaderFieldsNot)
        {
            text.Append(" (").Append(string.Join(' ', Fields.Select(QuoteUnlessAtom))).Append(')');
        }

        return text.ToString();
    }

    public bool Equals(BodySection? other) =>
        other is not null && Part.Equals(other.Part) && Text == other.Text && Fields.SequenceEqual(other.Fields, StringComparer.OrdinalIgnoreCase);

    public override int GetHashCode() => HashCode.Combine(Part, Text, Fields.Count);

    /// <summary>Field names are printable ASCII without ":" (RFC 5322 §3.6.8), so a quoted string can carry any.</summary>
    private static string QuoteUnlessAtom(string name) =>
        name.Length > 0 && name.All(c => c < 0x80 && ImapChars.IsAStringChar((byte)c))
            ? name
            : "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

/// <summary>RFC 9051 §9 <c>partial</c>: <c>&lt;offset.length&gt;</c>, octets from 0.</summary>
internal readonly record struct FetchPartial(long Offset, long Length);

/// <summary>One RFC 9051 §9 <c>fetch-att</c>.</summary>
internal abstract record FetchAttribute
{
    /// <summary>The name its value goes under in the FETCH response (RFC 9051 §7.5.2 <c>msg-att</c>).</summary>
    public abstract string ResponseName { get; }

    protected static string Origin(FetchPartial? partial) =>
        partial is { } p ? string.Create(CultureInfo.InvariantCulture, $"<{p.Offset}>") : "";
}

/// <summary>A data item without a section.</summary>
internal sealed record FetchItemAttribute(FetchItem Item) : FetchAttribute
{
    public override string ResponseName => Item switch
    {
        FetchItem.Envelope => "ENVELOPE",
        FetchItem.Flags => "FLAGS",
        FetchItem.InternalDate => "INTERNALDATE",
        FetchItem.Rfc822Size => "RFC822.SIZE",
        FetchItem.Uid => "UID",
        FetchItem.Body => "BODY",
        FetchItem.BodyStructure => "BODYSTRUCTURE",
        FetchItem.ModSeq => "MODSEQ",
        FetchItem.Rfc822 => "RFC822",
        FetchItem.Rfc822Header => "RFC822.HEADER",
        FetchItem.Preview => "PREVIEW",
        FetchItem.SaveDate => "SAVEDATE",
        FetchItem.EmailId => "EMAILID",
        FetchItem.ThreadId => "THREADID",
        _ => "RFC822.TEXT",
    };
}

/// <summary><c>BODY[section]&lt;partial&gt;</c> or <c>BODY.PEEK[…]</c>; the response is <c>BODY[section]&lt;origin&gt;</c> either way.</summary>
internal sealed record BodySectionAttribute(BodySection Section, bool Peek, FetchPartial? Partial) : FetchAttribute
{
    public override string ResponseName => $"BODY[{Section}]{Origin(Partial)}";
}

/// <summary><c>BINARY[part]&lt;partial&gt;</c> or <c>BINARY.PEEK[…]</c> (RFC 3516 §4.1, RFC 9051 §6.4.5): the part decoded.</summary>
internal sealed record BinarySectionAttribute(SectionPart Part, bool Peek, FetchPartial? Partial) : FetchAttribute
{
    public override string ResponseName => $"BINARY[{Part}]{Origin(Partial)}";
}

/// <summary><c>BINARY.SIZE[part]</c> (RFC 3516 §4.1): the decoded size.</summary>
internal sealed record BinarySizeAttribute(SectionPart Part) : FetchAttribute
{
    public override string ResponseName => $"BINARY.SIZE[{Part}]";
}

/// <summary>
/// FETCH's data items (RFC 9051 §6.4.5 and §9 <c>fetch-att</c>, RFC 3501's RFC822 forms, RFC 3516's
/// BINARY, RFC 7162's MODSEQ) with the macros ALL, FAST and FULL expanded, and the FETCH modifiers
/// (RFC 4466 §2.4): CHANGEDSINCE (RFC 7162 §3.1.4.1) and VANISHED (RFC 7162 §3.2.6), parsed only;
/// what they mean is the command's.
/// </summary>
/// <param name="Attributes">The items in the client's order, duplicates kept as sent.</param>
/// <param name="ChangedSince">CHANGEDSINCE's mod-sequence, or null.</param>
/// <param name="Vanished">Whether the VANISHED modifier was given.</param>
internal sealed record FetchItems(IReadOnlyList<FetchAttribute> Attributes, long? ChangedSince, bool Vanished)
{
    /// <summary><c>ALL</c>: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE.</summary>
    public static IReadOnlyList<FetchAttribute> All { get; } = Items(FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size, FetchItem.Envelope);

    /// <summary><c>FAST</c>: FLAGS INTERNALDATE RFC822.SIZE.</summary>
    public static IReadOnlyList<FetchAttribute> Fast { get; } = Items(FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size);

    /// <summary><c>FULL</c>: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.</summary>
    public static IReadOnlyList<FetchAttribute> Full { get; } =
        Items(FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size, FetchItem.Envelope, FetchItem.Body);

    /// <summary>
    /// Whether fetching sets \Seen: BODY[…] and BINARY[…] without .PEEK (RFC 9051 §6.4.5), and
    /// RFC 3501's RFC822 and RFC822.TEXT.
    /// </summary>
    public bool SetsSeen => Attributes.Any(a => a switch
    {
        BodySectionAttribute body => !body.Peek,
        BinarySectionAttribute binary => !binary.Peek,
        FetchItemAttribute { Item: FetchItem.Rfc822 or FetchItem.Rfc822Text } => true,
        _ => false,
    });

    /// <summary>
    /// Reads the rest of a FETCH command after its sequence set and SP: a macro, one
    /// <c>fetch-att</c> or a parenthesised list of them, then optional modifiers, to the end of the command.
    /// </summary>
    public static bool TryParse(ImapReader reader, out FetchItems items, out string error)
    {
        ArgumentNullException.ThrowIfNull(reader);
        items = new FetchItems([], null, false);
        var attributes = new List<FetchAttribute>();
        if (reader.Peek() == '(')
        {
            if (!reader.TryReadList(r => TryReadAttribute(r, attributes), allowEmpty: false))
            {
                error = reader.Error == "the list must not be empty" ? "FETCH needs at least one data item" : reader.Error;
                return false;
            }
        }
        else
        {
            var start = reader.Position;
            if (reader.TryReadAtomBefore('[', out var name) && Macro(name) is { } macro)
            {
                attributes.AddRange(macro);
            }
            else
            {
                reader.Restore(start);
                if (!TryReadAttribute(reader, attributes))
                {
                    error = reader.Error;
                    return false;
                }
            }
        }

        long? changedSince = null;
        var vanished = false;
        if (reader.Peek() == ' ')
        {
            if (!reader.TrySpace() || !reader.TryReadList(r => TryReadModifier(r, ref changedSince, ref vanished), allowEmpty: false))
            {
                error = reader.Error;
                return false;
            }
        }

        if (!reader.TryEnd())
        {
            error = reader.Error;
            return false;
        }

        items = new FetchItems(attributes, changedSince, vanished);
        error = "";
        return true;
    }

    public bool Equals(FetchItems? other) =>
        other is not null && Attributes.SequenceEqual(other.Attributes) && ChangedSince == other.ChangedSince && Vanished == other.Vanished;

    public override int GetHashCode() => HashCode.Combine(Attributes.Count, ChangedSince, Vanished);

    /// <summary>The items as a client would write them, for logs and tests.</summary>
    public override string ToString() => "(" + string.Join(' ', Attributes.Select(Describe)) + ")" +
        (ChangedSince is null && !Vanished ? "" : " (" + string.Join(' ', new[]
        {
            ChangedSince is { } c ? string.Create(CultureInfo.InvariantCulture, $"CHANGEDSINCE {c}") : null,
            Vanished ? "VANISHED" : null,
        }.OfType<string>()) + ")");

    private static string Describe(FetchAttribute attribute) => attribute switch
    {
        BodySectionAttribute b => $"BODY{(b.Peek ? ".PEEK" : "")}[{b.Section}]{Partial(b.Partial)}",
        BinarySectionAttribute b => $"BINARY{(b.Peek ? ".PEEK" : "")}[{b.Part}]{Partial(b.Partial)}",
        _ => attribute.ResponseName,
    };

    private static string Partial(FetchPartial? partial) =>
        partial is { } p ? string.Create(CultureInfo.InvariantCulture, $"<{p.Offset}.{p.Length}>") : "";

    private static IReadOnlyList<FetchAttribute> Items(params FetchItem[] items) => [.. items.Select(i => new FetchItemAttribute(i))];

    private static IReadOnlyList<FetchAttribute>? Macro(string name) => name.ToUpperInvariant() switch
    {
        "ALL" => All,
        "FAST" => Fast,
        "FULL" => Full,
        _ => null,
    };

    /// <summary>
    /// RFC 8970 §7: <c>PREVIEW [SP "(" preview-mod *(SP preview-mod) ")"]</c>, where the only
    /// preview-mod is LAZY, which changes nothing here: every stored content has its preview.
    /// </summary>
    private static bool TryReadPreviewModifiers(ImapReader reader)
    {
        var before = reader.Position;
        if (!reader.TrySpace() || reader.Peek() != '(')
        {
            reader.Restore(before);
            return true;
        }

        return reader.TryReadList(r => r.TryReadAtom(out var modifier) && (modifier.Equals("LAZY", StringComparison.OrdinalIgnoreCase)
            || r.Refuse($"{modifier} is not a PREVIEW modifier")), allowEmpty: false);
    }

    private static bool TryReadAttribute(ImapReader reader, List<FetchAttribute> attributes)
    {
        var start = reader.Position;
        if (!reader.TryReadAtomBefore('[', out var name))
        {
            return Fail(reader, start, "expected a FETCH data item");
        }

        var upper = name.ToUpperInvariant();
        var bracket = reader.Peek() == '[';
        FetchItem? simple = upper switch
        {
            "ENVELOPE" => FetchItem.Envelope,
            "FLAGS" => FetchItem.Flags,
            "INTERNALDATE" => FetchItem.InternalDate,
            "RFC822.SIZE" => FetchItem.Rfc822Size,
            "UID" => FetchItem.Uid,
            "BODY" when !bracket => FetchItem.Body,
            "BODYSTRUCTURE" => FetchItem.BodyStructure,
            "MODSEQ" => FetchItem.ModSeq,
            "RFC822" => FetchItem.Rfc822,
            "RFC822.HEADER" => FetchItem.Rfc822Header,
            "RFC822.TEXT" => FetchItem.Rfc822Text,
            "PREVIEW" => FetchItem.Preview,
            "SAVEDATE" => FetchItem.SaveDate,
            "EMAILID" => FetchItem.EmailId,
            "THREADID" => FetchItem.ThreadId,
            _ => null,
        };
        if (simple is { } item)
        {
            if (bracket)
            {
                return Fail(reader, start, $"{upper} takes no section");
            }

            if (item == FetchItem.Preview && !TryReadPreviewModifiers(reader))
            {
                return Fail(reader, start, "PREVIEW's modifiers are (LAZY) (RFC 8970 §3)");
            }

            attributes.Add(new FetchItemAttribute(item));
            return true;
        }

        switch (upper)
        {
            case "BODY" or "BODY.PEEK":
                {
                    if (!bracket || !TryReadSection(reader, out var section) || !TryReadPartial(reader, out var partial))
                    {
                        return Fail(reader, start, bracket ? reader.Error : $"{upper} needs a section in brackets");
                    }

                    attributes.Add(new BodySectionAttribute(section, upper == "BODY.PEEK", partial));
                    return true;
                }

            case "BINARY" or "BINARY.PEEK" or "BINARY.SIZE":
                {
                    if (!bracket || !TryReadSectionBinary(reader, out var part))
                    {
                        return Fail(reader, start, bracket ? reader.Error : $"{upper} needs a section in brackets");
                    }

                    if (upper == "BINARY.SIZE")
                    {
                        if (reader.Peek() == '<')
                        {
                            return Fail(reader, start, "BINARY.SIZE takes no partial range");
                        }

                        attributes.Add(new BinarySizeAttribute(part));
                        return true;
                    }

                    if (!TryReadPartial(reader, out var partial))
                    {
                        return Fail(reader, start, reader.Error);
                    }

                    attributes.Add(new BinarySectionAttribute(part, upper == "BINARY.PEEK", partial));
                    return true;
                }

            case "ALL" or "FAST" or "FULL":
                return Fail(reader, start, $"the macro {upper} must be used by itself (RFC 9051 §6.4.5)");
            default:
                return Fail(reader, start, $"unknown FETCH data item {name}");
        }
    }

    /// <summary>RFC 9051 §9 <c>section</c>: "[" [section-spec] "]".</summary>
    private static bool TryReadSection(ImapReader reader, out BodySection section)
    {
        section = BodySection.Whole;
        reader.TryRead('[');
        if (!TryReadPartNumbers(reader, out var numbers, out var textFollows))
        {
            return false;
        }

        var part = new SectionPart([.. numbers]);
        var text = SectionText.None;
        IReadOnlyList<string> fields = [];
        if (textFollows)
        {
            var start = reader.Position;
            if (!reader.TryReadAtom(out var word))
            {
                return Fail(reader, start, "expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME in the section");
            }

            text = word.ToUpperInvariant() switch
            {
                "HEADER" => SectionText.Header,
                "HEADER.FIELDS" => SectionText.HeaderFields,
                "HEADER.FIELDS.NOT" => SectionText.HeaderFieldsNot,
                "TEXT" => SectionText.Text,
                "MIME" => SectionText.Mime,
                _ => (SectionText)(-1),
            };
            if (text == (SectionText)(-1))
            {
                return Fail(reader, start, $"unknown section text {word}");
            }

            if (text == SectionText.Mime && part.IsMessage)
            {
                return Fail(reader, start, "MIME needs a part number before it (RFC 9051 §6.4.5.1)");
            }

            if (text is SectionText.HeaderFields or SectionText.HeaderFieldsNot)
            {
                var names = new List<string>();
                if (!reader.TrySpace() || !reader.TryReadList(
                    r =>
                    {
                        var at = r.Position;
                        if (!r.TryReadAString(out var name))
                        {
                            return false;
                        }

                        if (name.Length == 0)
                        {
                            return Fail(r, at, "a header field name cannot be empty");
                        }

                        names.Add(name);
                        return true;
                    },
                    allowEmpty: false))
                {
                    return Fail(reader, start, reader.Error == "the list must not be empty" ? $"{word} needs at least one field name" : reader.Error);
                }

                fields = names;
            }
        }

        if (!reader.TryRead(']'))
        {
            return false;
        }

        section = new BodySection(part, text, fields);
        return true;
    }

    /// <summary>RFC 9051 §9 <c>section-binary</c>: "[" [section-part] "]".</summary>
    private static bool TryReadSectionBinary(ImapReader reader, out SectionPart part)
    {
        part = SectionPart.Message;
        reader.TryRead('[');
        if (!TryReadPartNumbers(reader, out var numbers, out var textFollows))
        {
            return false;
        }

        if (textFollows)
        {
            return Fail(reader, reader.Position, "a BINARY section holds part numbers only (RFC 3516 §4.1)");
        }

        if (!reader.TryRead(']'))
        {
            return false;
        }

        part = new SectionPart([.. numbers]);
        return true;
    }

    /// <summary>Reads <c>nz-number *("." nz-number)</c>; <paramref name="textFollows"/> when a section text comes next.</summary>
    private static bool TryReadPartNumbers(ImapReader reader, out List<uint> numbers, out bool textFollows)
    {
        numbers = [];
        textFollows = false;
        while (reader.Peek() is >= '0' and <= '9')
        {
            if (!reader.TryReadNzNumber(out var number))
            {
                return false;
            }

            numbers.Add(number);
            if (reader.Peek() != '.')
            {
                return true;
            }

            reader.TryRead('.');
            if (reader.Peek() is < '0' or > '9')
            {
                textFollows = true;
                return true;
            }
        }

        textFollows = numbers.Count == 0 && reader.Peek() != ']';
        return true;
    }

    /// <summary>RFC 9051 §9 <c>partial</c>, if one follows.</summary>
    private static bool TryReadPartial(ImapReader reader, out FetchPartial? partial)
    {
        partial = null;
        if (reader.Peek() != '<')
        {
            return true;
        }

        var start = reader.Position;
        reader.TryRead('<');
        if (!reader.TryReadNumber64(out var offset) || !reader.TryRead('.') || !reader.TryReadNzNumber64(out var length) || !reader.TryRead('>'))
        {
            return Fail(reader, start, "bad partial range: expected <offset.length> with a length above 0");
        }

        partial = new FetchPartial(offset, length);
        return true;
    }

    /// <summary>RFC 4466 §2.4 <c>fetch-modifier</c>: CHANGEDSINCE (RFC 7162 §3.1.4.1) or VANISHED (RFC 7162 §3.2.6).</summary>
    private static bool TryReadModifier(ImapReader reader, ref long? changedSince, ref bool vanished)
    {
        var start = reader.Position;
        if (!reader.TryReadAtom(out var name))
        {
            return Fail(reader, start, "expected a FETCH modifier");
        }

        switch (name.ToUpperInvariant())
        {
            case "CHANGEDSINCE" when changedSince is null:
                if (!reader.TrySpace() || !reader.TryReadNzNumber64(out var modSeq))
                {
                    return Fail(reader, start, "CHANGEDSINCE needs a mod-sequence above 0 (RFC 7162 §7)");
                }

                changedSince = modSeq;
                return true;
            case "VANISHED" when !vanished:
                vanished = true;
                return true;
            case "CHANGEDSINCE" or "VANISHED":
                return Fail(reader, start, $"{name} is given twice");
            default:
                return Fail(reader, start, $"unknown FETCH modifier {name}");
        }
    }

    private static bool Fail(ImapReader reader, ReaderPosition start, string error)
    {
        reader.Restore(start);
        return reader.Refuse(error);
    }
}
