using Grpc.Core;
using Groupware.Rpc.V1;
using Groupware.Storage.Calendar;
using Groupware.Storage.Mail;
using Groupware.Storage.Tables;

namespace Groupware.Rpc;

/// <summary>
/// An account's folders as groupware.rpc.v1 shows them: mailboxes (RFC 6154 special use as the
/// role) and calendars, with their counts; and the lookup of a folder id for the other services.
/// </summary>
internal sealed class FolderCatalog(MailStore mail, CalendarStore calendars, ItemTableStore tables)
{
    /// <summary>Every folder: mailboxes in name order (a parent before its children), then calendars.</summary>
    public async Task<IReadOnlyList<Folder>> ListAsync(long accountId, CancellationToken cancellationToken)
    {
        var mailboxes = await mail.ListMailboxesAsync(accountId, cancellationToken);
        var mailCounts = await tables.MailCountsAsync(accountId, cancellationToken);
        var byName = mailboxes.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var folders = new List<Folder>(mailboxes.Count);
        foreach (var mailbox in mailboxes)
        {
            folders.Add(MailFolder(mailbox, byName, mailCounts.GetValueOrDefault(mailbox.Id)));
        }

        var calendarCounts = await tables.CalendarCountsAsync(accountId, cancellationToken);
        foreach (var calendar in await calendars.ListCalendarsAsync(accountId, cancellationToken))
        {
            var counts = calendarCounts.GetValueOrDefault(calendar.Id);
            folders.Add(new Folder
            {
                FolderId = RpcIds.Calendar(calendar.Id),
                DisplayName = calendar.DisplayName.Length > 0 ? calendar.DisplayName : calendar.Name,
                Path = calendar.Name,
                Kind = FolderKind.Calendar,
                Role = FolderRole.Calendar,
                TotalCount = counts?.Total ?? 0,
                Size = counts?.Size ?? 0,
                ChangeKey = RpcIds.ChangeKey(calendar.Revision + 1),
            });
        }

        return folders;
    }

    /// <summary>The mailbox a folder id names; NOT_FOUND when it names none of the account's (or a calendar).</summary>
    public async Task<Mailbox> MailboxAsync(long accountId, string folderId, CancellationToken cancellationToken, string field = "folder_id",
        bool selectable = true)
    {
        if (!RpcIds.TryParseFolder(folderId, out var folder) || folder.IsCalendar)
        {
            throw folder.IsCalendar
                ? RpcErrors.Refusal(StatusCode.FailedPrecondition, "not-a-mail-folder", "this works on mail folders only", field)
                : RpcErrors.NoSuchFolder(field);
        }

        var mailbox = (await mail.ListMailboxesAsync(accountId, cancellationToken)).FirstOrDefault(m => m.Id == folder.Id)
            ?? throw RpcErrors.NoSuchFolder(field);
        return selectable && !mailbox.Selectable
            ? throw RpcErrors.Refusal(StatusCode.FailedPrecondition, "placeholder", "the folder is a placeholder for its subfolders and holds no items", field)
            : mailbox;
    }

    /// <summary>The calendar a folder id names, or null when it names a mailbox; NOT_FOUND when it names none of the account's.</summary>
    public async Task<CalendarCollection?> CalendarAsync(long accountId, string folderId, CancellationToken cancellationToken, string field = "folder_id")
    {
        if (!RpcIds.TryParseFolder(folderId, out var folder))
        {
            throw RpcErrors.NoSuchFolder(field);
        }

        if (!folder.IsCalendar)
        {
            return null;
        }

        return (await calendars.ListCalendarsAsync(accountId, cancellationToken)).FirstOrDefault(c => c.Id == folder.Id)
            ?? throw RpcErrors.NoSuchFolder(field);
    }

    public static Folder MailFolder(Mailbox mailbox, IReadOnlyDictionary<string, Mailbox> byName, FolderCounts? counts)
    {
        var cut = mailbox.Name.LastIndexOf(MailboxNames.Separator);
        var parent = cut > 0 && byName.TryGetValue(mailbox.Name[..cut], out var superior) ? RpcIds.Mailbox(superior.Id) : "";
        return new Folder
        {
            FolderId = RpcIds.Mailbox(mailbox.Id),
            ParentId = parent,
            DisplayName = cut > 0 ? mailbox.Name[(cut + 1)..] : mailbox.Name,
            Path = mailbox.Name,
            Kind = mailbox.Selectable ? FolderKind.Mail : FolderKind.MailPlaceholder,
            Role = RoleOf(mailbox),
            TotalCount = counts?.Total ?? 0,
            UnreadCount = counts?.Unread ?? 0,
            Size = counts?.Size ?? 0,
            ChangeKey = RpcIds.ChangeKey(mailbox.HighestModSeq),
        };
    }

    public static FolderRole RoleOf(Mailbox mailbox) => mailbox.Name == DefaultMailboxes.Inbox ? FolderRole.Inbox : mailbox.SpecialUse switch
    {
        @"\Drafts" => FolderRole.Drafts,
        @"\Sent" => FolderRole.Sent,
        @"\Trash" => FolderRole.Trash,
        @"\Junk" => FolderRole.Junk,
        @"\Archive" => FolderRole.Archive,
        @"\All" => FolderRole.All,
        @"\Flagged" => FolderRole.Flagged,
        _ => FolderRole.None,
    };

    /// <summary>The RFC 6154 attribute of a role, or null for none; refuses roles a mailbox cannot have.</summary>
    public static string? SpecialUseOf(FolderRole role) => role switch
    {
        FolderRole.None => null,
        FolderRole.Drafts => @"\Drafts",
        FolderRole.Sent => @"\Sent",
        FolderRole.Trash => @"\Trash",
        FolderRole.Junk => @"\Junk",
        FolderRole.Archive => @"\Archive",
        FolderRole.All => @"\All",
        FolderRole.Flagged => @"\Flagged",
        _ => throw RpcErrors.BadRequest("invalid-role", "role", $"a new mail folder cannot have the role {role}"),
    };
}
