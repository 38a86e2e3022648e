using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Groupware.Rpc.V1;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>Calendar.GetFreeBusy from the calendar store, calendar tables by time range, and Directory.ResolveNames.</summary>
public sealed class RpcCalendarDirectoryTests
{
    private static Timestamp At(int day, int hour) => Timestamp.FromDateTimeOffset(new DateTimeOffset(2030, 3, day, hour, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task Free_busy_tells_only_busy_time_of_every_calendar_clipped_merged_and_typed()
    {
        await using var node = await StartSecureNodeAsync();
        var asker = await CreateAccountAsync();
        var owner = await CreateAccountAsync();
        await CreateCalendarAsync(node, owner, "work",
            Event("a", "20300304T090000Z", "20300304T110000Z"),
            Event("b", "20300304T100000Z", "20300304T120000Z"),
            Event("free", "20300304T130000Z", "20300304T140000Z", "TRANSP:TRANSPARENT"),
            Event("maybe", "20300305T090000Z", "20300305T100000Z", "STATUS:TENTATIVE"),
            Event("weekly", "20300301T070000Z", "20300301T080000Z", "RRULE:FREQ=DAILY;COUNT=10"));
        await CreateCalendarAsync(node, owner, "private", Event("late", "20300305T230000Z", "20300306T020000Z"));
        using var channel = Channel(node);
        var session = await LogonAsync(channel, asker);

        var reply = await new Calendar.CalendarClient(channel).GetFreeBusyAsync(new FreeBusyRequest
        {
            Users = { $"{owner}@example.test", "nobody@example.test" },
            Start = At(4, 0),
            End = At(6, 0),
        }, session);
        var busy = reply.Users[0].Busy.Select(p => (p.Start.ToDateTime().ToString("dd HH", System.Globalization.CultureInfo.InvariantCulture),
            p.End.ToDateTime().ToString("dd HH", System.Globalization.CultureInfo.InvariantCulture), p.Type)).ToList();
        Assert.That(busy, Is.EqualTo(new[]
        {
            ("04 07", "04 08", BusyType.Busy), ("04 09", "04 12", BusyType.Busy), ("05 07", "05 08", BusyType.Busy),
            ("05 09", "05 10", BusyType.Tentative), ("05 23", "06 00", BusyType.Busy),
        }));
        Assert.That((reply.Users[1].Resolved, reply.Users[1].Busy.Count), Is.EqualTo((false, 0)));
    }

    [Test]
    public async Task A_calendar_folder_is_a_table_restricted_by_time_range()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        var calendarId = await CreateCalendarAsync(node, login, "work",
            Event("early", "20300301T090000Z", "20300301T100000Z"),
            Event("inside", "20300304T090000Z", "20300304T100000Z"),
            Event("late", "20300310T090000Z", "20300310T100000Z"));
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var items = new Items.ItemsClient(channel);
        var page = await items.QueryAsync(new QueryRequest
        {
            FolderId = $"c{calendarId}",
            Columns = { PropTag.IcalUid, PropTag.Start, PropTag.Component },
            Restriction = new Restriction { TimeRange = new TimeRangeRestriction { Start = At(2, 0), End = At(9, 0) } },
            Sort = { new SortOrder { Tag = PropTag.Start } },
        }, session);
        Assert.That(page.Rows.Select(r => r.Values[0].Text), Is.EqualTo(new[] { "inside" }));
        Assert.That((page.Rows[0].Values[1].Time, page.Rows[0].Values[2].Text), Is.EqualTo((At(4, 9), "VEVENT")));

        using var get = items.Get(new GetItemRequest { ItemId = page.Rows[0].ItemId, IncludeContent = true }, session);
        var text = new System.Text.StringBuilder();
        await foreach (var part in get.ResponseStream.ReadAllAsync())
        {
            text.Append(part.ContentChunk.ToStringUtf8());
        }

        Assert.That(text.ToString(), Does.Contain("UID:inside"));
    }

    [Test]
    public async Task ResolveNames_finds_accounts_by_address_login_and_prefix()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        var other = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var reply = await new Groupware.Rpc.V1.Directory.DirectoryClient(channel).ResolveNamesAsync(new ResolveNamesRequest
        {
            Names = { $"{other}@EXAMPLE.test", other, other[..10], "no-such-name-anywhere" },
        }, session);
        Assert.That(reply.Resolutions[0].Matches.Single().PrimaryAddress, Is.EqualTo($"{other}@example.test"));
        Assert.That(reply.Resolutions[1].Matches.Single().Login, Is.EqualTo(other));
        Assert.That(reply.Resolutions[2].Matches.Select(m => m.Login), Does.Contain(other));
        Assert.That(reply.Resolutions[3].Matches, Is.Empty);
    }
}
