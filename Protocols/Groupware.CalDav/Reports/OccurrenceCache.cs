using System.Collections.Concurrent;
using Groupware.Storage.Calendar;

namespace Groupware.CalDav.Reports;

/// <summary>
/// The occurrences of calendar objects by entity tag, so that a calendar-query whose filter is only
/// a time range on one component type (RFC 4791 §9.9; what every client's "show this week" sends)
/// tests the candidates the index pre-selected without parsing each with Ical.Net again, which took
/// most of such a query's time (about 0.6 ms per object, 60 ms for a week of a busy calendar). The
/// tag is the SHA-256 of the object's text, so an entry can never describe other text: a changed
/// object has a new tag, and the old entry is simply no longer asked for. Filled by PUT (the
/// expansion the index bounds come from) and by the first query that parses an object; only
/// objects whose expansion ends are kept. Bounded by <see cref="CalDavOptions.OccurrenceCacheSize"/>:
/// when full, it is emptied and fills again from the next queries.
/// </summary>
internal sealed class OccurrenceCache(CalDavOptions options)
{
    private readonly ConcurrentDictionary<string, OccurrenceSpan[]> _entries = new(StringComparer.Ordinal);
    /// <summary>What an entry costs besides its spans: the tag's string, the array's header, the dictionary's node.</summary>
    private const int EntryOverhead = 160;

    private long _size;

    public int Count => _entries.Count;

    public bool TryGet(string etag, out IReadOnlyList<OccurrenceSpan> occurrences)
    {
        var found = _entries.TryGetValue(etag, out var spans);
        occurrences = spans ?? [];
        return found;
    }

    /// <summary>Remembers the occurrences of the object with this tag (nothing for an expansion that did not end).</summary>
    public void Add(string etag, IReadOnlyList<OccurrenceSpan>? occurrences)
    {
        if (occurrences is null)
        {
            return;
        }

        var cost = EntryOverhead + (16L * occurrences.Count);
        if (cost > options.OccurrenceCacheSize)
        {
            return;
        }

        if (Interlocked.Add(ref _size, cost) > options.OccurrenceCacheSize)
        {
            // Emptying at once keeps the bound without bookkeeping per entry; the next queries fill it again.
            _entries.Clear();
            Interlocked.Exchange(ref _size, cost);
        }

        if (!_entries.TryAdd(etag, [.. occurrences]))
        {
            Interlocked.Add(ref _size, -cost);
        }
    }
}
