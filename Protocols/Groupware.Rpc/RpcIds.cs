using System.Globalization;

namespace Groupware.Rpc;

/// <summary>A folder as an id names it: a mailbox or a calendar, by its installation-wide id.</summary>
internal readonly record struct FolderRef(bool IsCalendar, long Id);

/// <summary>A mail item: mailbox, the mailbox's UIDVALIDITY when the id was made, and UID (RFC 9051 §2.3.1.1: together unique forever).</summary>
internal readonly record struct MailItemRef(long MailboxId, long UidValidity, long Uid);

/// <summary>A calendar item: the calendar and the object's name in it.</summary>
internal readonly record struct CalendarItemRef(long CalendarId, string Name);

/// <summary>
/// The opaque identifiers of groupware.rpc.v1. Folders: <c>m</c> or <c>c</c> and the mailbox's or
/// calendar's id (which a rename keeps). Mail items: <c>m{mailbox}.{uidvalidity}.{uid}</c>, so an id
/// never names another message after the mailbox got a new UIDVALIDITY. Calendar items:
/// <c>c{calendar}.{name}</c>. Change keys are the item's MODSEQ (RFC 7162) or the object's ETag.
/// </summary>
internal static class RpcIds
{
    public static string Mailbox(long id) => string.Create(CultureInfo.InvariantCulture, $"m{id}");

    public static string Calendar(long id) => string.Create(CultureInfo.InvariantCulture, $"c{id}");

    public static string MailItem(long mailboxId, long uidValidity, long uid) =>
        string.Create(CultureInfo.InvariantCulture, $"m{mailboxId}.{uidValidity}.{uid}");

    public static string CalendarItem(long calendarId, string name) => string.Create(CultureInfo.InvariantCulture, $"c{calendarId}.{name}");

    public static string ChangeKey(long modSeq) => modSeq.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseFolder(string id, out FolderRef folder)
    {
        folder = default;
        if (id.Length < 2 || id[0] is not ('m' or 'c') || !TryNumber(id.AsSpan(1), out var number))
        {
            return false;
        }

        folder = new FolderRef(id[0] == 'c', number);
        return true;
    }

    public static bool TryParseMailItem(string id, out MailItemRef item)
    {
        item = default;
        if (id.Length < 2 || id[0] != 'm')
        {
            return false;
        }

        var parts = id[1..].Split('.');
        if (parts.Length != 3 || !TryNumber(parts[0], out var mailbox) || !TryNumber(parts[1], out var validity) || !TryNumber(parts[2], out var uid))
        {
            return false;
        }

        item = new MailItemRef(mailbox, validity, uid);
        return true;
    }

    public static bool TryParseCalendarItem(string id, out CalendarItemRef item)
    {
        item = default;
        var dot = id.IndexOf('.', StringComparison.Ordinal);
        if (id.Length < 4 || id[0] != 'c' || dot < 2 || !TryNumber(id.AsSpan(1, dot - 1), out var calendar) || dot == id.Length - 1)
        {
            return false;
        }

        item = new CalendarItemRef(calendar, id[(dot + 1)..]);
        return true;
    }

    public static bool TryParseChangeKey(string key, out long modSeq) => TryNumber(key, out modSeq);

    private static bool TryNumber(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}
