using System.Collections;
using System.Globalization;
using System.Text;

namespace Groupware.Imap.Syntax;

/// <summary>One <c>seq-number</c> or <c>seq-range</c> as the client wrote it; <see cref="Star"/> stands for <c>*</c>.</summary>
/// <param name="First">The first number written, or <see cref="Star"/>.</param>
/// <param name="Last">The second number of a range (equal to <paramref name="First"/> for a single number).</param>
internal readonly record struct SequenceRange(uint First, uint Last)
{
    /// <summary><c>*</c>: no nz-number is 0 (RFC 9051 §9), so 0 can stand for it.</summary>
    public const uint Star = 0;

    public override string ToString() => First == Last ? Format(First) : $"{Format(First)}:{Format(Last)}";

    private static string Format(uint number) => number == Star ? "*" : number.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// RFC 9051 §9 <c>sequence-set</c>: numbers and ranges in any order (<c>a:b</c> is <c>b:a</c>),
/// <c>*</c> for the largest number in use, or <c>$</c>, the saved search result (RFC 9051 §6.4.4.1,
/// RFC 5182), which only the command can substitute. <see cref="Resolve"/> turns it into numbers.
/// </summary>
internal sealed class SequenceSet : IEquatable<SequenceSet>
{
    /// <summary>
    /// Most numbers and ranges one set may hold: 32768, the most a line of Dovecot's 64 KiB
    /// <c>imap_max_line_length</c> can write ("1,3,5,…" takes two octets a number). A set of more
    /// is refused rather than kept, whatever line length the session allows.
    /// </summary>
    public const int MaxRanges = 32 * 1024;

    private readonly SequenceRange[] _ranges;

    private SequenceSet(SequenceRange[] ranges, bool savedResult)
    {
        _ranges = ranges;
        IsSavedResult = savedResult;
    }

    /// <summary>No numbers at all: what a failed parse leaves, never what a client can write.</summary>
    public static SequenceSet Empty { get; } = new([], savedResult: false);

    /// <summary><c>$</c>.</summary>
    public static SequenceSet SavedResult { get; } = new([], savedResult: true);

    /// <summary>True for <c>$</c>: the command substitutes the saved result (RFC 9051 §6.4.4.1).</summary>
    public bool IsSavedResult { get; }

    /// <summary>The numbers and ranges as written, in the client's order.</summary>
    public IReadOnlyList<SequenceRange> Ranges => _ranges;

    /// <summary>True when <c>*</c> appears.</summary>
    public bool HasStar => _ranges.Any(r => r.First == SequenceRange.Star || r.Last == SequenceRange.Star);

    /// <summary>
    /// The largest number written, <c>*</c> not counted: RFC 9051 §9 (<c>seq-number</c>) has a
    /// command answer BAD for a message sequence number beyond the mailbox's count.
    /// </summary>
    public uint HighestNumber => _ranges.Length == 0 ? 0 : _ranges.Max(r => Math.Max(r.First, r.Last));

    /// <summary>A set of the given ranges (numbers are ranges of one).</summary>
    public static SequenceSet Of(params SequenceRange[] ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        return new SequenceSet([.. ranges], savedResult: false);
    }

    /// <summary>Parses a sequence set from the octets of its atom.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out SequenceSet set, out string error)
    {
        set = Empty;
        error = "";
        if (text.Length == 1 && text[0] == '$')
        {
            set = SavedResult;
            return true;
        }

        var ranges = new List<SequenceRange>();
        var i = 0;
        while (true)
        {
            if (!TryNumber(text, ref i, out var first, out error))
            {
                return false;
            }

            var last = first;
            if (i < text.Length && text[i] == ':')
            {
                i++;
                if (!TryNumber(text, ref i, out last, out error))
                {
                    return false;
                }
            }

            if (ranges.Count == MaxRanges)
            {
                error = $"the sequence set has more than {MaxRanges} numbers and ranges";
                return false;
            }

            ranges.Add(new SequenceRange(first, last));
            if (i == text.Length)
            {
                break;
            }

            if (text[i] != ',')
            {
                error = "bad sequence set: expected ',' or ':' after a number";
                return false;
            }

            i++;
        }

        set = new SequenceSet([.. ranges], savedResult: false);
        return true;
    }

    /// <summary>Parses a sequence set from text (tests, and sets the server wrote itself).</summary>
    public static bool TryParse(string text, out SequenceSet set, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Ascii.IsValid(text))
        {
            set = Empty;
            error = "bad sequence set: expected digits, ':', ',', '*' or '$'";
            return false;
        }

        return TryParse(Encoding.ASCII.GetBytes(text), out set, out error);
    }

    /// <summary>
    /// The numbers the set names when <c>*</c> is <paramref name="largest"/>: the largest message
    /// sequence number, or the highest UID (RFC 9051 §9 <c>seq-number</c>: the mailbox's UIDNEXT when
    /// it is empty). Each range holds every number between its ends whatever their order, so a UID
    /// range <c>559:*</c> still names the highest UID when that is below 559 (RFC 9051 §6.4.9).
    /// Numbers above <paramref name="largest"/> are dropped, since no message has them: check
    /// <see cref="HighestNumber"/> first where a sequence number beyond the count is an error.
    /// </summary>
    public ResolvedSequenceSet Resolve(uint largest)
    {
        if (IsSavedResult)
        {
            throw new InvalidOperationException("$ names the saved search result, which only the command can substitute");
        }

        var resolved = new List<(uint First, uint Last)>(_ranges.Length);
        foreach (var range in _ranges)
        {
            var a = range.First == SequenceRange.Star ? largest : range.First;
            var b = range.Last == SequenceRange.Star ? largest : range.Last;
            var low = Math.Max(1, Math.Min(a, b));
            var high = Math.Min(largest, Math.Max(a, b));
            if (low <= high)
            {
                resolved.Add((low, high));
            }
        }

        return ResolvedSequenceSet.FromRanges(resolved);
    }

    /// <summary>Whether the set names <paramref name="number"/> when <c>*</c> is <paramref name="largest"/>; see <see cref="Resolve"/>.</summary>
    public bool Contains(uint number, uint largest)
    {
        if (IsSavedResult)
        {
            throw new InvalidOperationException("$ names the saved search result, which only the command can substitute");
        }

        if (number == 0 || number > largest)
        {
            return false;
        }

        foreach (var range in _ranges)
        {
            var a = range.First == SequenceRange.Star ? largest : range.First;
            var b = range.Last == SequenceRange.Star ? largest : range.Last;
            if (number >= Math.Min(a, b) && number <= Math.Max(a, b))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes numbers in the order given, runs of consecutive ascending numbers as ranges:
    /// <c>304,319:320</c> (COPYUID's uid-sets, RFC 9051 §7.1, whose order pairs source and copy).
    /// </summary>
    public static string FormatCompact(IEnumerable<uint> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var text = new StringBuilder();
        uint start = 0;
        uint previous = 0;
        var any = false;
        foreach (var number in numbers)
        {
            if (any && previous != uint.MaxValue && number == previous + 1)
            {
                previous = number;
                continue;
            }

            if (any)
            {
                AppendRun(text, start, previous);
                text.Append(',');
            }

            start = previous = number;
            any = true;
        }

        if (any)
        {
            AppendRun(text, start, previous);
        }

        return text.ToString();
    }

    /// <summary>The set as the client wrote it.</summary>
    public override string ToString() => IsSavedResult ? "$" : string.Join(",", _ranges);

    public bool Equals(SequenceSet? other) =>
        other is not null && IsSavedResult == other.IsSavedResult && _ranges.AsSpan().SequenceEqual(other._ranges);

    public override bool Equals(object? obj) => Equals(obj as SequenceSet);

    public override int GetHashCode() => HashCode.Combine(IsSavedResult, _ranges.Length, _ranges.Length > 0 ? _ranges[0] : default);

    internal static void AppendRun(StringBuilder text, uint first, uint last)
    {
        text.Append(first.ToString(CultureInfo.InvariantCulture));
        if (last != first)
        {
            text.Append(':').Append(last.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>RFC 9051 §9 <c>seq-number</c>: nz-number (32 bits, no leading zero) or "*".</summary>
    private static bool TryNumber(ReadOnlySpan<byte> text, ref int i, out uint number, out string error)
    {
        number = 0;
        error = "";
        if (i < text.Length && text[i] == '*')
        {
            i++;
            number = SequenceRange.Star;
            return true;
        }

        if (i >= text.Length || text[i] is < (byte)'1' or > (byte)'9')
        {
            error = i < text.Length && text[i] == '0'
                ? "bad sequence set: message numbers start at 1"
                : i < text.Length && text[i] == '$'
                    ? "bad sequence set: $ stands alone"
                    : "bad sequence set: expected a number or '*'";
            return false;
        }

        ulong value = 0;
        while (i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9')
        {
            value = (value * 10) + (uint)(text[i++] - '0');
            if (value > uint.MaxValue)
            {
                error = "bad sequence set: a number is larger than 4294967295";
                return false;
            }
        }

        number = (uint)value;
        return true;
    }
}

/// <summary>
/// The numbers a <see cref="SequenceSet"/> names once <c>*</c> is known: ascending, disjoint
/// ranges. Enumerating yields each number once, in ascending order (RFC 9051 §9 lets a server
/// coalesce overlaps and reorder).
/// </summary>
internal sealed class ResolvedSequenceSet : IEnumerable<uint>
{
    private readonly (uint First, uint Last)[] _ranges;

    private ResolvedSequenceSet((uint First, uint Last)[] ranges) => _ranges = ranges;

    public static ResolvedSequenceSet Empty { get; } = new([]);

    /// <summary>Ascending, disjoint, non-adjacent ranges.</summary>
    public IReadOnlyList<(uint First, uint Last)> Ranges => _ranges;

    /// <summary>How many numbers the set holds.</summary>
    public long Count => _ranges.Sum(r => (long)r.Last - r.First + 1);

    public bool IsEmpty => _ranges.Length == 0;

    /// <summary>The smallest number, or null for an empty set.</summary>
    public uint? Min => _ranges.Length == 0 ? null : _ranges[0].First;

    /// <summary>The largest number, or null for an empty set.</summary>
    public uint? Max => _ranges.Length == 0 ? null : _ranges[^1].Last;

    /// <summary>Sorts and merges ranges (each with First ≤ Last).</summary>
    public static ResolvedSequenceSet FromRanges(IEnumerable<(uint First, uint Last)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var sorted = ranges.OrderBy(r => r.First).ToList();
        var merged = new List<(uint First, uint Last)>(sorted.Count);
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && (ulong)range.First <= (ulong)merged[^1].Last + 1)
            {
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, range.Last));
            }
            else
            {
                merged.Add(range);
            }
        }

        return new ResolvedSequenceSet([.. merged]);
    }

    /// <summary>The set of the given numbers, in any order, duplicates allowed.</summary>
    public static ResolvedSequenceSet FromNumbers(IEnumerable<uint> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        return FromRanges(numbers.Select(n => (n, n)));
    }

    /// <summary>Whether the set holds <paramref name="number"/>, by binary search.</summary>
    public bool Contains(uint number)
    {
        int low = 0, high = _ranges.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (number < _ranges[middle].First)
            {
                high = middle - 1;
            }
            else if (number > _ranges[middle].Last)
            {
                low = middle + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    public IEnumerator<uint> GetEnumerator()
    {
        foreach (var (first, last) in _ranges)
        {
            for (var n = (ulong)first; n <= last; n++)
            {
                yield return (uint)n;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The set written compactly, <c>1:3,5</c> (ESEARCH's ALL, RFC 9051 §7.3.4); empty for none.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (first, last) in _ranges)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            SequenceSet.AppendRun(text, first, last);
        }

        return text.ToString();
    }
}
