using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Groupware.Rpc.V1;
using Groupware.Storage.Accounts;
using Groupware.Storage.Calendar;
using Ical.Net.CalendarComponents;
using IcalCalendar = Ical.Net.Calendar;

namespace Groupware.Rpc.Services;

/// <summary>
/// Calendar.GetFreeBusy: the busy time of accounts of the installation from every calendar they
/// have, as CalDAV's free-busy-query (RFC 4791 §7.10) computes it for one calendar: candidates from
/// the indexed time columns, occurrences expanded (<see cref="CalendarTime.Overlapping(IcalCalendar, string, DateTime?, DateTime?)"/>),
/// transparent and cancelled events free, tentative ones BUSY-TENTATIVE, periods clipped to the
/// range and coalesced. Only busy time is told: no summaries, no UIDs.
/// </summary>
internal sealed class CalendarService(AccountStore accounts, CalendarStore calendars, RpcOptions options) : V1.Calendar.CalendarBase
{
    public override async Task<FreeBusyReply> GetFreeBusy(FreeBusyRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (request.Start is null || request.End is null || request.End.ToDateTime() <= request.Start.ToDateTime())
        {
            throw RpcErrors.BadRequest("invalid-range", "end", "a free/busy request needs a start and a later end");
        }

        if (request.Users.Count > options.MaxNamesPerCall)
        {
            throw RpcErrors.OverLimit("too-many-names", "Rpc:MaxNamesPerCall", options.MaxNamesPerCall, "users", $"{request.Users.Count} users in one call are too many");
        }

        var (start, end) = (request.Start.ToDateTime(), request.End.ToDateTime());
        var reply = new FreeBusyReply();
        foreach (var user in request.Users)
        {
            var account = await accounts.FindByAddressAsync(user, ct) ?? await accounts.FindByLoginAsync(user, ct);
            var answer = new UserFreeBusy { User = user, Resolved = account is { Disabled: false } };
            if (answer.Resolved)
            {
                answer.Busy.AddRange(await BusyAsync(account!.Id, start, end, ct));
            }

            reply.Users.Add(answer);
        }

        return reply;
    }

    private async Task<IEnumerable<BusyPeriod>> BusyAsync(long accountId, DateTime start, DateTime end, CancellationToken ct)
    {
        var busy = new Dictionary<BusyType, List<(DateTime Start, DateTime End)>>();
        foreach (var calendar in await calendars.ListCalendarsAsync(accountId, ct))
        {
            foreach (var item in await calendars.FindCandidatesAsync(accountId, calendar.Id, "VEVENT", start, end, ct))
            {
                if (IcalCalendar.Load(item.Ical) is not { } parsed)
                {
                    continue;
                }

                foreach (var occurrence in CalendarTime.Overlapping(parsed, "VEVENT", start, end))
                {
                    if (CalendarTime.FreeBusyKindOf(occurrence.Source) is not { } kind || occurrence.End <= occurrence.Start)
                    {
                        continue;
                    }

                    var type = kind == FreeBusyKind.Tentative ? BusyType.Tentative : BusyType.Busy;

                    var period = (occurrence.Start < start ? start : occurrence.Start, occurrence.End > end ? end : occurrence.End);
                    (busy.TryGetValue(type, out var list) ? list : busy[type] = []).Add(period);
                }
            }
        }

        return busy.SelectMany(b => CalendarTime.Coalesce(b.Value).Select(p => new BusyPeriod
        {
            Start = Timestamp.FromDateTime(DateTime.SpecifyKind(p.Start, DateTimeKind.Utc)),
            End = Timestamp.FromDateTime(DateTime.SpecifyKind(p.End, DateTimeKind.Utc)),
            Type = b.Key,
        })).OrderBy(p => p.Start).ThenBy(p => p.Type);
    }
}
