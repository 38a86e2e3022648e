using Groupware.Storage.Calendar;

namespace Groupware.CalDav.Feeds;

/// <summary>A whole calendar (an /ical/ PUT, an iCalendar export to import) cut into calendar object resources.</summary>
public static class CalendarObjects
{
    /// <summary>
    /// The calendar object resources (RFC 4791 §4.1) of a whole iCalendar text: one per UID, with its
    /// components (a recurrence's overrides beside its master) and the time zones they use. A UID whose
    /// object does not parse, and components without a UID (named ""), are listed as invalid.
    /// </summary>
    public static (List<CalendarObjectContent> Objects, List<string> Invalid) Split(string text)
    {
        var (blocks, prodId) = CalendarText.TopLevel(text);
        var zones = blocks.Where(b => b.Name == "VTIMEZONE").ToList();
        var objects = new List<CalendarObjectContent>();
        var invalid = new List<string>();
        foreach (var group in blocks.Where(b => b.Name is "VEVENT" or "VTODO" or "VJOURNAL").GroupBy(b => b.Uid ?? ""))
        {
            var members = group.ToList();
            var objectText = CalendarText.Calendar(prodId ?? CalendarFeed.ProdId, [.. CalendarText.ZonesUsedBy(members, zones), .. members]);
            if ((group.Key.Length == 0 ? null : CalendarObjectContent.Parse(objectText, out _, out _)) is { } content)
            {
                objects.Add(content);
            }
            else
            {
                invalid.Add(group.Key);
            }
        }

        return (objects, invalid);
    }
}
