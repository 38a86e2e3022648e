using System.Text;
using System.Text.Unicode;

namespace Groupware.Imap.Syntax;

/// <summary>SEARCH's result options (RFC 9051 §6.4.4, RFC 4731 §3.1, SAVE from RFC 5182 §2.1).</summary>
[Flags]
internal enum SearchReturnOptions
{
    None = 0,
    Min = 1,
    Max = 2,
    All = 4,
    Count = 8,
    Save = 16,
}

/// <summary>Which of a message's texts a string key searches (RFC 9051 §6.4.4).</summary>
internal enum SearchTextField
{
    Bcc,
    Body,
    Cc,
    From,
    Subject,
    Text,
    To,
}

/// <summary>
/// Which date a date key compares: the internal date (BEFORE, ON, SINCE), the Date header field
/// (SENTBEFORE, SENTON, SENTSINCE) or the save date (SAVEDBEFORE, SAVEDON, SAVEDSINCE, RFC 8514 §4.2).
/// </summary>
internal enum SearchDateField
{
    Internal,
    Sent,
    Saved,
}

/// <summary>How a date key compares, time and zone disregarded (RFC 9051 §6.4.4).</summary>
internal enum DateComparison
{
    Before,
    On,
    Since,
}

/// <summary>One RFC 9051 §9 <c>search-key</c>.</summary>
internal abstract record SearchKey;

/// <summary><c>ALL</c>.</summary>
internal sealed record AllKey : SearchKey
{
    public static AllKey Instance { get; } = new();
}

/// <summary>A message sequence number set, or <c>$</c> (RFC 9051 §6.4.4.1).</summary>
internal sealed record SequenceSetKey(SequenceSet Set) : SearchKey;

/// <summary><c>UID</c> sequence-set.</summary>
internal sealed record UidKey(SequenceSet Set) : SearchKey;

/// <summary>
/// A flag set or not: ANSWERED/UNANSWERED and the other system flags, KEYWORD/UNKEYWORD, and
/// RFC 3501's RECENT (\Recent set) and OLD (not set).
/// </summary>
/// <param name="Flag">The flag, system flags in their RFC spelling, keywords as sent.</param>
/// <param name="Set">True for a key that wants the flag set.</param>
internal sealed record FlagKey(string Flag, bool Set) : SearchKey;

/// <summary>BCC, BODY, CC, FROM, SUBJECT, TEXT, TO: a substring of that text.</summary>
internal sealed record TextKey(SearchTextField Field, string Value) : SearchKey;

/// <summary><c>HEADER</c> field-name string: a substring of the field's value; an empty one asks for the field's presence.</summary>
internal sealed record HeaderKey(string FieldName, string Value) : SearchKey;

/// <summary>BEFORE, ON, SINCE, SENTBEFORE, SENTON, SENTSINCE.</summary>
internal sealed record DateKey(SearchDateField Field, DateComparison Comparison, DateOnly Date) : SearchKey;

/// <summary><c>LARGER</c> n (<paramref name="Larger"/>) or <c>SMALLER</c> n: RFC822.SIZE strictly above or below.</summary>
internal sealed record SizeKey(bool Larger, long Octets) : SearchKey;

/// <summary><c>NOT</c> search-key.</summary>
internal sealed record NotKey(SearchKey Key) : SearchKey;

/// <summary><c>OR</c> search-key search-key.</summary>
internal sealed record OrKey(SearchKey Left, SearchKey Right) : SearchKey;

/// <summary>Keys that must all match: a parenthesised list, or the program's keys.</summary>
internal sealed record AndKey(IReadOnlyList<SearchKey> Keys) : SearchKey
{
    public bool Equals(AndKey? other) => other is not null && Keys.SequenceEqual(other.Keys);

    public override int GetHashCode() => Keys.Count;
}

/// <summary>
/// <c>MODSEQ</c> [entry-name entry-type] mod-sequence-valzer (RFC 7162 §3.1.5): a mod-sequence at or
/// above <paramref name="ModSeq"/>.
/// </summary>
/// <param name="ModSeq">The mod-sequence, 0 allowed.</param>
/// <param name="EntryName">The metadata item, e.g. <c>/flags/\seen</c> (unescaped), or null.</param>
/// <param name="EntryType"><c>priv</c>, <c>shared</c> or <c>all</c> (lower case), or null.</param>
internal sealed record ModSeqKey(long ModSeq, string? EntryName, string? EntryType) : SearchKey;

/// <summary>
/// <c>YOUNGER</c> n (<paramref name="Younger"/>) or <c>OLDER</c> n (RFC 5032 §3): an internal date
/// within the last <paramref name="Seconds"/> seconds, or before them.
/// </summary>
internal sealed record WithinKey(bool Younger, long Seconds) : SearchKey;

/// <summary><c>EMAILID</c> objectid or <c>THREADID</c> objectid (RFC 8474 §6).</summary>
/// <param name="Thread">True for THREADID.</param>
/// <param name="ObjectId">The identifier, 1-255 of ALPHA, DIGIT, "_" and "-".</param>
internal sealed record ObjectIdKey(bool Thread, string ObjectId) : SearchKey;

/// <summary>
/// The arguments of SEARCH (RFC 9051 §6.4.4 and §9 <c>search</c>): an optional RETURN list (RFC 4731
/// §3.1, RFC 9051), an optional CHARSET, and the keys, which must all match. RFC 3501's NEW is
/// read as (RECENT UNSEEN) and OLD as NOT RECENT, as RFC 3501 §6.4.4 defines them. Strings are
/// astrings, literals included, decoded in the CHARSET.
/// </summary>
/// <param name="Return">The result options as given; null without RETURN, <see cref="SearchReturnOptions.None"/> for <c>RETURN ()</c>.</param>
/// <param name="Charset">The CHARSET as given, or null.</param>
/// <param name="Criteria">The key, or an <see cref="AndKey"/> of the keys when there are several.</param>
internal sealed record SearchProgram(SearchReturnOptions? Return, string? Charset, SearchKey Criteria)
{
    /// <summary>
    /// Deepest nesting of parentheses, NOT and OR in one program: 100, Zimbra's
    /// <c>imap_max_nesting_in_search_request</c>. Dovecot bounds a search only by its line length;
    /// the parser here recurses, so the depth is bounded where the recursion is.
    /// </summary>
    public const int MaxDepth = 100;

    /// <summary>
    /// The charsets SEARCH accepts: RFC 9051 §6.4.4 requires US-ASCII and UTF-8; ISO-8859-1 costs
    /// nothing more. Others get NO [BADCHARSET (…)] listing these.
    /// </summary>
    public static IReadOnlyList<string> SupportedCharsets { get; } = ["US-ASCII", "UTF-8", "ISO-8859-1"];

    /// <summary>
    /// The result options in effect: ALL when none are given or the list is empty (RFC 9051
    /// §6.4.4); SAVE alone stays SAVE alone, which suppresses the ESEARCH response.
    /// </summary>
    public SearchReturnOptions EffectiveReturn => Return is { } r && r != SearchReturnOptions.None ? r : SearchReturnOptions.All;

    /// <summary>Reads the rest of a SEARCH (or UID SEARCH) command after <c>SEARCH SP</c>, to the end of the command.</summary>
    public static bool TryParse(ImapReader reader, out SearchProgram program, out string error) =>
        TryParse(reader, out program, out error, out _);

    /// <summary>
    /// As <see cref="TryParse(ImapReader, out SearchProgram, out string)"/>; <paramref name="badCharset"/>
    /// says the CHARSET is not one of <see cref="SupportedCharsets"/>, which RFC 9051 §6.4.4 answers
    /// with NO [BADCHARSET], not BAD.
    /// </summary>
    public static bool TryParse(ImapReader reader, out SearchProgram program, out string error, out bool badCharset)
    {
        ArgumentNullException.ThrowIfNull(reader);
        program = new SearchProgram(null, null, AllKey.Instance);
        badCharset = false;
        if (!TryParseReturn(reader, out var options, out error))
        {
            return false;
        }

        string? charset = null;
        Encoding encoding = Encoding.UTF8;
        var charsetStart = reader.Position;
        if (reader.TryReadKeyword("CHARSET"))
        {
            if (!reader.TrySpace() || !TryReadCharset(reader, out charset) || !reader.TrySpace())
            {
                error = reader.Error;
                return false;
            }

            if (EncodingOf(charset) is not { } known)
            {
                reader.Restore(charsetStart);
                error = $"CHARSET {charset} is not supported";
                badCharset = true;
                return false;
            }

            encoding = known;
        }

        if (!TryReadKeys(reader, encoding, out var criteria))
        {
            error = reader.Error;
            return false;
        }

        program = new SearchProgram(options, charset, criteria);
        error = "";
        return true;
    }

    /// <summary>
    /// <c>search-return-opts</c> and the SP after it, when the command has them (RFC 4731 §3.1, and SORT's
    /// in RFC 5267 §3.2): null without RETURN, <see cref="SearchReturnOptions.None"/> for <c>RETURN ()</c>.
    /// </summary>
    public static bool TryParseReturn(ImapReader reader, out SearchReturnOptions? options, out string error)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options = null;
        error = "";
        if (!reader.TryReadKeyword("RETURN"))
        {
            return true;
        }

        var parsed = SearchReturnOptions.None;
        if (!reader.TrySpace() || !reader.TryReadList(r => TryReadReturnOption(r, ref parsed)) || !reader.TrySpace())
        {
            error = reader.Error;
            return false;
        }

        options = parsed;
        return true;
    }

    /// <summary>
    /// SORT's and THREAD's <c>search-criteria</c> (RFC 5256 §5): a charset, which is mandatory there,
    /// then the keys to the end of the command. <paramref name="badCharset"/> as for SEARCH.
    /// </summary>
    public static bool TryParseCriteria(ImapReader reader, out SearchProgram program, out string error, out bool badCharset)
    {
        ArgumentNullException.ThrowIfNull(reader);
        program = new SearchProgram(null, null, AllKey.Instance);
        badCharset = false;
        var charsetStart = reader.Position;
        if (!TryReadCharset(reader, out var charset) || !reader.TrySpace())
        {
            error = reader.Error;
            return false;
        }

        if (EncodingOf(charset) is not { } encoding)
        {
            reader.Restore(charsetStart);
            error = $"CHARSET {charset} is not supported";
            badCharset = true;
            return false;
        }

        if (!TryReadKeys(reader, encoding, out var criteria))
        {
            error = reader.Error;
            return false;
        }

        program = new SearchProgram(null, charset, criteria);
        error = "";
        return true;
    }

    /// <summary>One or more keys separated by spaces, to the end of the command; several make an <see cref="AndKey"/>.</summary>
    private static bool TryReadKeys(ImapReader reader, Encoding encoding, out SearchKey criteria)
    {
        criteria = AllKey.Instance;
        var parser = new Parser(reader, encoding);
        var keys = new List<SearchKey>();
        while (true)
        {
            if (!parser.TryReadKey(0, out var key))
            {
                return false;
            }

            keys.Add(key);
            if (reader.AtEnd)
            {
                break;
            }

            if (!reader.TrySpace())
            {
                return false;
            }
        }

        criteria = keys.Count == 1 ? keys[0] : new AndKey(keys);
        return true;
    }

    private static Encoding? EncodingOf(string charset) => charset.ToUpperInvariant() switch
    {
        "UTF-8" or "UTF8" or "US-ASCII" or "ASCII" => Encoding.UTF8,
        "ISO-8859-1" or "LATIN1" => Encoding.Latin1,
        _ => null,
    };

    /// <summary>RFC 9051 §9 <c>charset</c>: atom or quoted.</summary>
    private static bool TryReadCharset(ImapReader reader, out string charset)
    {
        charset = "";
        if (reader.Peek() == '"')
        {
            var start = reader.Position;
            if (!reader.TryReadString(out charset))
            {
                return false;
            }

            if (charset.Length == 0)
            {
                reader.Restore(start);
                return reader.Refuse("the CHARSET is empty");
            }

            return true;
        }

        return reader.TryReadAtom(out charset) || reader.Refuse("expected a charset name");
    }

    private static bool TryReadReturnOption(ImapReader reader, ref SearchReturnOptions options)
    {
        var start = reader.Position;
        if (!reader.TryReadAtom(out var name))
        {
            return false;
        }

        var option = name.ToUpperInvariant() switch
        {
            "MIN" => SearchReturnOptions.Min,
            "MAX" => SearchReturnOptions.Max,
            "ALL" => SearchReturnOptions.All,
            "COUNT" => SearchReturnOptions.Count,
            "SAVE" => SearchReturnOptions.Save,
            _ => SearchReturnOptions.None,
        };
        if (option == SearchReturnOptions.None)
        {
            // RFC 9051 §6.4.4: options not defined by a supported extension MUST be rejected with BAD.
            reader.Restore(start);
            return reader.Refuse($"unknown SEARCH result option {name}");
        }

        options |= option;
        return true;
    }

    /// <summary>The recursive-descent reader of search keys, bounded by <see cref="MaxDepth"/>.</summary>
    private sealed class Parser(ImapReader reader, Encoding encoding)
    {
        public bool TryReadKey(int depth, out SearchKey key)
        {
            key = AllKey.Instance;
            var start = reader.Position;
            if (depth > MaxDepth)
            {
                return reader.Refuse($"the search is nested deeper than {MaxDepth} levels");
            }

            var next = reader.Peek();
            if (next == '(')
            {
                var keys = new List<SearchKey>();
                if (!reader.TryReadList(
                    r =>
                    {
                        if (!TryReadKey(depth + 1, out var inner))
                        {
                            return false;
                        }

                        keys.Add(inner);
                        return true;
                    },
                    allowEmpty: false))
                {
                    return reader.Error == "the list must not be empty" ? reader.Refuse("a parenthesised search key list cannot be empty") : false;
                }

                key = keys.Count == 1 ? keys[0] : new AndKey(keys);
                return true;
            }

            if (next is >= '0' and <= '9' or '*' or '$')
            {
                if (!reader.TryReadSequenceSet(out var set))
                {
                    return false;
                }

                key = new SequenceSetKey(set);
                return true;
            }

            if (!reader.TryReadAtom(out var name))
            {
                return reader.Refuse($"expected a search key{(reader.AtEnd ? ", found the end of the command" : "")}");
            }

            var upper = name.ToUpperInvariant();
            switch (upper)
            {
                case "ALL":
                    key = AllKey.Instance;
                    return true;
                case "ANSWERED" or "DELETED" or "DRAFT" or "FLAGGED" or "SEEN":
                    key = new FlagKey(ImapFlags.Canonical("\\" + upper)!, true);
                    return true;
                case "UNANSWERED" or "UNDELETED" or "UNDRAFT" or "UNFLAGGED" or "UNSEEN":
                    key = new FlagKey(ImapFlags.Canonical("\\" + upper[2..])!, false);
                    return true;
                case "RECENT":
                    key = new FlagKey(ImapFlags.Recent, true);
                    return true;
                case "OLD":
                    key = new FlagKey(ImapFlags.Recent, false);
                    return true;
                case "NEW":
                    key = new AndKey([new FlagKey(ImapFlags.Recent, true), new FlagKey(ImapFlags.Seen, false)]);
                    return true;
                case "KEYWORD" or "UNKEYWORD":
                    {
                        if (!Argument(upper) || !reader.TryReadAtom(out var keyword))
                        {
                            return Refuse(start, $"{upper} needs a keyword");
                        }

                        key = new FlagKey(keyword, upper == "KEYWORD");
                        return true;
                    }

                case "BCC" or "BODY" or "CC" or "FROM" or "SUBJECT" or "TEXT" or "TO":
                    {
                        if (!Argument(upper) || !TryReadText(out var value))
                        {
                            return Refuse(start, reader.Error);
                        }

                        key = new TextKey(Enum.Parse<SearchTextField>(upper, ignoreCase: true), value);
                        return true;
                    }

                case "HEADER":
                    {
                        if (!Argument(upper) || !reader.TryReadAString(out var field) || !reader.TrySpace() || !TryReadText(out var value))
                        {
                            return Refuse(start, $"HEADER needs a field name and a string: {reader.Error}");
                        }

                        key = new HeaderKey(field, value);
                        return true;
                    }

                case "BEFORE" or "ON" or "SINCE" or "SENTBEFORE" or "SENTON" or "SENTSINCE" or "SAVEDBEFORE" or "SAVEDON" or "SAVEDSINCE":
                    {
                        if (!Argument(upper) || !reader.TryReadDate(out var date))
                        {
                            return Refuse(start, reader.Error);
                        }

                        var field = upper.StartsWith("SENT", StringComparison.Ordinal) ? SearchDateField.Sent
                            : upper.StartsWith("SAVED", StringComparison.Ordinal) ? SearchDateField.Saved
                            : SearchDateField.Internal;
                        var comparison = (field switch { SearchDateField.Sent => upper[4..], SearchDateField.Saved => upper[5..], _ => upper }) switch
                        {
                            "BEFORE" => DateComparison.Before,
                            "ON" => DateComparison.On,
                            _ => DateComparison.Since,
                        };
                        key = new DateKey(field, comparison, date);
                        return true;
                    }

                case "SAVEDATESUPPORTED":
                    // RFC 8514 §4.3: every message of every mailbox here has a save date.
                    key = AllKey.Instance;
                    return true;

                case "LARGER" or "SMALLER":
                    {
                        if (!Argument(upper) || !reader.TryReadNumber64(out var size))
                        {
                            return Refuse(start, $"{upper} needs a size in octets");
                        }

                        key = new SizeKey(upper == "LARGER", size);
                        return true;
                    }

                case "UID":
                    {
                        if (!Argument(upper) || !reader.TryReadSequenceSet(out var set))
                        {
                            return Refuse(start, reader.Error);
                        }

                        key = new UidKey(set);
                        return true;
                    }

                case "NOT":
                    {
                        if (!Argument(upper) || !TryReadKey(depth + 1, out var inner))
                        {
                            return Refuse(start, reader.Error);
                        }

                        key = new NotKey(inner);
                        return true;
                    }

                case "OR":
                    {
                        if (!Argument(upper) || !TryReadKey(depth + 1, out var left) || !reader.TrySpace() || !TryReadKey(depth + 1, out var right))
                        {
                            return Refuse(start, reader.Error);
                        }

                        key = new OrKey(left, right);
                        return true;
                    }

                case "MODSEQ":
                    return TryReadModSeq(start, out key);
                case "YOUNGER" or "OLDER":
                    {
                        // RFC 5032 §4: interval is nz-number, in seconds.
                        if (!Argument(upper) || !reader.TryReadNzNumber64(out var seconds))
                        {
                            return Refuse(start, $"{upper} needs an interval in seconds, not 0");
                        }

                        key = new WithinKey(upper == "YOUNGER", seconds);
                        return true;
                    }

                case "EMAILID" or "THREADID":
                    {
                        // RFC 8474 §7: objectid = 1*255(ALPHA / DIGIT / "_" / "-").
                        if (!Argument(upper) || !reader.TryReadAtom(out var id) || id.Length > 255
                            || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                        {
                            return Refuse(start, $"{upper} needs an object identifier (RFC 8474 §7)");
                        }

                        key = new ObjectIdKey(upper == "THREADID", id);
                        return true;
                    }

                default:
                    return Refuse(start, $"unknown search key {name}");
            }
        }

        /// <summary>RFC 7162 §7 <c>search-modsequence</c>, after the word MODSEQ.</summary>
        private bool TryReadModSeq(ReaderPosition start, out SearchKey key)
        {
            key = AllKey.Instance;
            string? entryName = null;
            string? entryType = null;
            if (!Argument("MODSEQ"))
            {
                return Refuse(start, reader.Error);
            }

            if (reader.Peek() == '"')
            {
                if (!reader.TryReadString(out var name) || !name.StartsWith("/flags/", StringComparison.OrdinalIgnoreCase))
                {
                    return Refuse(start, "MODSEQ's entry name must be \"/flags/<flag>\" (RFC 7162 §7)");
                }

                if (!reader.TrySpace() || !reader.TryReadAtom(out var type) || type.ToLowerInvariant() is not ("priv" or "shared" or "all"))
                {
                    return Refuse(start, "MODSEQ's entry type must be priv, shared or all (RFC 7162 §7)");
                }

                entryName = name;
                entryType = type.ToLowerInvariant();
                if (!reader.TrySpace())
                {
                    return Refuse(start, reader.Error);
                }
            }

            if (!reader.TryReadNumber64(out var modSeq))
            {
                return Refuse(start, "MODSEQ needs a mod-sequence");
            }

            key = new ModSeqKey(modSeq, entryName, entryType);
            return true;
        }

        /// <summary>The SP before a key's argument, with an error naming the key when it is missing.</summary>
        private bool Argument(string keyName) =>
            reader.TrySpace() || reader.Refuse($"{keyName} needs an argument");

        /// <summary>An astring decoded in the program's CHARSET.</summary>
        private bool TryReadText(out string value)
        {
            value = "";
            var start = reader.Position;
            if (!reader.TryReadAStringOctets(out var octets))
            {
                return false;
            }

            if (encoding is UTF8Encoding && !Utf8.IsValid(octets))
            {
                return Refuse(start, "the search string is not UTF-8");
            }

            value = encoding.GetString(octets);
            return true;
        }

        private bool Refuse(ReaderPosition start, string error)
        {
            reader.Restore(start);
            return reader.Refuse(error);
        }
    }
}
