using Groupware.CalDav;
using Groupware.CalDav.Reports;
using Groupware.Storage.Calendar;
using IcalCalendar = Ical.Net.Calendar;
using static Groupware.Tests.CalDav.CalDavFixture;

namespace Groupware.Tests.CalDav;

/// <summary>
/// The remembered occurrences that answer a calendar-query of one time range (RFC 4791 §9.9) without
/// parsing: for every object whose expansion ends, the overlap test on its occurrence list gives what
/// the parsing test gives, for ranges before, across and between its instances (overrides, EXDATE,
/// all-day, floating, to-dos with only DUE or no time, the RFC's Appendix B); an open-ended rule has
/// no list; and the cache stays within its size.
/// </summary>
public sealed class OccurrenceCacheTests
{
    private static IEnumerable<(string Name, string Text)> Objects()
    {
        foreach (var (name, text) in Rfc4791AppendixB.Objects)
        {
            yield return (name, ICalendarText(text));
        }

        yield return ("weekly-with-override-and-exdate", ICalendarText("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//groupware tests//EN
            BEGIN:VEVENT
            UID:w1
            DTSTAMP:20240101T000000Z
            DTSTART:20300107T090000Z
            DURATION:PT1H
            RRULE:FREQ=WEEKLY;COUNT=6
            EXDATE:20300121T090000Z
            END:VEVENT
            BEGIN:VEVENT
            UID:w1
            DTSTAMP:20240101T000000Z
            RECURRENCE-ID:20300114T090000Z
            DTSTART:20300115T150000Z
            DURATION:PT2H
            END:VEVENT
            END:VCALENDAR
            """));
        yield return ("all-day", CalendarObject("VEVENT", "a1", "DTSTART;VALUE=DATE:20300110\nDTEND;VALUE=DATE:20300111"));
        yield return ("floating", CalendarObject("VEVENT", "f1", "DTSTART:20300110T200000\nDTEND:20300110T210000"));
        yield return ("instant", CalendarObject("VEVENT", "i1", "DTSTART:20300110T200000Z"));
        yield return ("due-only", CalendarObject("VTODO", "t1", "DUE:20300110T120000Z"));
        yield return ("no-time", CalendarObject("VTODO", "t2", "SUMMARY:whenever"));
    }

    [Test]
    public void The_occurrence_list_answers_every_range_as_parsing_does()
    {
        var checkedRanges = 0;
        foreach (var (name, text) in Objects())
        {
            var calendar = IcalCalendar.Load(text)!;
            var component = calendar.Children.First(c => c.Name is "VEVENT" or "VTODO" or "VJOURNAL").Name!;
            var occurrences = CalendarTime.AllOccurrences(calendar, component);
            Assert.That(occurrences, Is.Not.Null, name);
            var first = occurrences!.Count > 0 && occurrences[0].Start > DateTime.MinValue ? occurrences[0].Start : new DateTime(2006, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            for (var hours = -48; hours < 24 * 45; hours += 7)
            {
                foreach (var length in new[] { 1, 25, 24 * 8 })
                {
                    var start = first.AddHours(hours);
                    var end = start.AddHours(length);
                    var parsed = CalendarTime.Overlapping(calendar, component, start, end).Count > 0;
                    var remembered = occurrences.Any(o => CalendarTime.Overlaps(o.Start, o.End, start, end));
                    Assert.That(remembered, Is.EqualTo(parsed), $"{name}: {start:O} to {end:O}");
                    checkedRanges++;
                }
            }
        }

        Assert.That(checkedRanges, Is.GreaterThan(1000));
    }

    [Test]
    public void A_rule_without_end_has_no_occurrence_list()
    {
        var calendar = IcalCalendar.Load(CalendarObject("VEVENT", "d1", "DTSTART:20000101T080000Z\nDURATION:PT15M\nRRULE:FREQ=DAILY"))!;
        Assert.That(CalendarTime.AllOccurrences(calendar, "VEVENT"), Is.Null);
    }

    [Test]
    public void The_cache_stays_within_its_size()
    {
        var cache = new OccurrenceCache(new CalDavOptions { OccurrenceCacheSize = 10_000 });
        var span = new OccurrenceSpan(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2030, 1, 1, 1, 0, 0, DateTimeKind.Utc));
        for (var i = 0; i < 1000; i++)
        {
            cache.Add($"\"tag{i}\"", [span, span]);
            Assert.That(cache.Count, Is.LessThanOrEqualTo(10_000 / 160));
        }

        Assert.That(cache.TryGet("\"tag999\"", out var found), Is.True, "the newest entry is kept");
        Assert.That(found, Has.Count.EqualTo(2));
        cache.Add("\"huge\"", [.. Enumerable.Repeat(span, 1000)]);
        Assert.That(cache.TryGet("\"huge\"", out _), Is.False, "an entry larger than the whole cache is not kept");
        cache.Add("\"open\"", null);
        Assert.That(cache.TryGet("\"open\"", out _), Is.False);
    }
}
