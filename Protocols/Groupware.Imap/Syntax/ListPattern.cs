namespace Groupware.Imap.Syntax;

/// <summary>
/// LIST's reference and mailbox pattern (RFC 9051 §6.3.9), compiled once and matched against each
/// mailbox name. The canonical pattern is the reference followed by the pattern, as RFC 9051
/// §6.3.9 describes it for a server without break-out characters; <c>*</c> matches any run of
/// characters, <c>%</c> any run without the hierarchy delimiter. A name's leading INBOX (the whole
/// name, or the level before its first delimiter) matches in any case, as INBOX is case-insensitive
/// (RFC 9051 §5.1), the way Dovecot's matcher does it. Matching simulates the pattern's automaton
/// over one name, a set of states advanced a character at a time, so no pattern of wildcards can
/// make it backtrack: time is bounded by name length times pattern length.
/// </summary>
internal sealed class ListPattern
{
    private readonly Element[][] _patterns;
    private readonly char _delimiter;

    private ListPattern(Element[][] patterns, char delimiter, IReadOnlyList<string> canonical)
    {
        _patterns = patterns;
        _delimiter = delimiter;
        Canonical = canonical;
    }

    private enum Kind : byte
    {
        Literal,
        Star,
        Percent,
    }

    /// <summary>The canonical patterns (reference and pattern joined), for LIST responses and logs.</summary>
    public IReadOnlyList<string> Canonical { get; }

    /// <summary>The matcher of <paramref name="reference"/> with one pattern.</summary>
    public static ListPattern Create(string reference, string pattern, char delimiter) => Create(reference, [pattern], delimiter);

    /// <summary>
    /// The matcher of <paramref name="reference"/> with several patterns (RFC 5258 §3's
    /// <c>patterns</c>): a name matches when one of them does. Empty patterns are ignored, as the
    /// extended syntax has them ignored (RFC 9051 §6.3.9); the basic syntax's empty pattern is a
    /// request for the delimiter that the command answers itself.
    /// </summary>
    public static ListPattern Create(string reference, IReadOnlyList<string> patterns, char delimiter)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(patterns);
        var canonical = patterns.Where(p => p.Length > 0).Select(p => reference + p).ToList();
        return new ListPattern([.. canonical.Select(Compile)], delimiter, canonical);
    }

    /// <summary>Whether <paramref name="name"/> (as the store holds it, INBOX in capitals or any case) matches.</summary>
    public bool IsMatch(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var inboxEnd = name.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase) && (name.Length == 5 || name[5] == _delimiter) ? 5 : 0;
        foreach (var pattern in _patterns)
        {
            if (Matches(pattern, name, inboxEnd))
            {
                return true;
            }
        }

        return false;
    }

    private bool Matches(Element[] pattern, string name, int inboxEnd)
    {
        // states[i]: the first i elements of the pattern can match the name read so far.
        var states = new bool[pattern.Length + 1];
        var next = new bool[pattern.Length + 1];
        states[0] = true;
        Close(pattern, states);
        for (var k = 0; k < name.Length; k++)
        {
            var c = name[k];
            Array.Clear(next);
            var any = false;
            for (var i = 0; i < pattern.Length; i++)
            {
                if (!states[i])
                {
                    continue;
                }

                var element = pattern[i];
                switch (element.Kind)
                {
                    case Kind.Star:
                        next[i] = any = true;
                        break;
                    case Kind.Percent when c != _delimiter:
                        next[i] = any = true;
                        break;
                    case Kind.Literal when element.Char == c || (k < inboxEnd && char.ToUpperInvariant(element.Char) == char.ToUpperInvariant(c)):
                        next[i + 1] = any = true;
                        break;
                }
            }

            if (!any)
            {
                return false;
            }

            Close(pattern, next);
            (states, next) = (next, states);
        }

        return states[pattern.Length];
    }

    /// <summary>A wildcard may match nothing: a state before one also stands after it.</summary>
    private static void Close(Element[] pattern, bool[] states)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            if (states[i] && pattern[i].Kind != Kind.Literal)
            {
                states[i + 1] = true;
            }
        }
    }

    private static Element[] Compile(string pattern)
    {
        var elements = new List<Element>(pattern.Length);
        foreach (var c in pattern)
        {
            var kind = c switch
            {
                '*' => Kind.Star,
                '%' => Kind.Percent,
                _ => Kind.Literal,
            };

            // "**" is "*", and "%*" or "*%" is "*": fewer states, the same names.
            if (kind != Kind.Literal && elements.Count > 0 && elements[^1].Kind != Kind.Literal)
            {
                if (kind == Kind.Star)
                {
                    elements[^1] = new Element(Kind.Star, '\0');
                }

                continue;
            }

            elements.Add(new Element(kind, c));
        }

        return [.. elements];
    }

    private readonly record struct Element(Kind Kind, char Char);
}
