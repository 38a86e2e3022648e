using System.Globalization;
using Groupware.Storage.Calendar;

namespace Groupware.CalDav;

/// <summary>
/// The sync token of a calendar (RFC 6578 §4: a URI): the collection's id and its revision, so
/// that a token of another collection, or one from before a calendar was made again under the
/// same name, is recognised as not valid here.
/// </summary>
internal static class SyncTokens
{
    private const string Prefix = "urn:x-groupware:sync:";

    public static string Format(CalendarCollection calendar) => Format(calendar.Id, calendar.Revision);

    public static string Format(long calendarId, long revision) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{calendarId}:{revision}");

    /// <summary>The revision in <paramref name="token"/> if it is a token of this calendar no newer than its revision; else null.</summary>
    public static long? RevisionOf(string token, CalendarCollection calendar)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = token[Prefix.Length..].Split(':');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id == calendar.Id
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision <= calendar.Revision
            ? revision
            : null;
    }
}
