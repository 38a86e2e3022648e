using Grpc.Core;
using Groupware.Rpc.V1;
using Groupware.Storage.Calendar;
using Groupware.Storage.Mail;

namespace Groupware.Rpc.Services;

/// <summary>
/// Folders: the hierarchy (Kopano's hierarchy table), and create, rename/move, delete and empty,
/// done by the mail store's operations of IMAP's CREATE, RENAME and DELETE (RFC 9051 §6.3.4-6.3.6)
/// and by the calendar store, so that every client sees one hierarchy.
/// </summary>
internal sealed class FolderService(FolderCatalog catalog, MailStore mail, CalendarStore calendars) : V1.Folders.FoldersBase
{
    public override async Task<ListFoldersReply> List(ListFoldersRequest request, ServerCallContext context)
    {
        var reply = new ListFoldersReply();
        reply.Folders.AddRange(await catalog.ListAsync(RpcCaller.Of(context).AccountId, context.CancellationToken));
        return reply;
    }

    public override async Task<Folder> Create(CreateFolderRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var parent = request.ParentId.Length == 0 ? null
            : await catalog.MailboxAsync(accountId, request.ParentId, context.CancellationToken, "parent_id", selectable: false);
        var name = Level(request.DisplayName, "display_name");
        var path = parent is null ? name : parent.Name + MailboxNames.Separator + name;
        var result = await mail.CreateMailboxAsync(accountId, path, FolderCatalog.SpecialUseOf(request.Role), context.CancellationToken);
        return result switch
        {
            CreateMailboxResult.Created => await FindAsync(accountId, path, context.CancellationToken),
            CreateMailboxResult.AlreadyExists => throw RpcErrors.Refusal(StatusCode.AlreadyExists, "folder-exists", $"a folder \"{path}\" exists", "display_name"),
            CreateMailboxResult.SpecialUseInUse => throw RpcErrors.Refusal(StatusCode.AlreadyExists, "role-in-use", $"another folder has the role {request.Role}", "role"),
            _ => throw RpcErrors.BadRequest("invalid-name", "display_name", $"\"{path}\" cannot name a folder"),
        };
    }

    public override async Task<Folder> Rename(RenameFolderRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        var mailbox = await catalog.MailboxAsync(accountId, request.FolderId, ct, selectable: false);
        var cut = mailbox.Name.LastIndexOf(MailboxNames.Separator);
        var level = request.NewDisplayName.Length > 0 ? Level(request.NewDisplayName, "new_display_name") : cut > 0 ? mailbox.Name[(cut + 1)..] : mailbox.Name;
        string? parentPath = request.MoveToTop ? null
            : request.NewParentId.Length > 0 ? (await catalog.MailboxAsync(accountId, request.NewParentId, ct, "new_parent_id", selectable: false)).Name
            : cut > 0 ? mailbox.Name[..cut] : null;
        var path = parentPath is null ? level : parentPath + MailboxNames.Separator + level;
        if (path == mailbox.Name)
        {
            return await FindAsync(accountId, path, ct);
        }

        return await mail.RenameMailboxAsync(accountId, mailbox.Name, path, ct) switch
        {
            RenameMailboxResult.Renamed => await FindAsync(accountId, path, ct),
            RenameMailboxResult.NoSuchMailbox => throw RpcErrors.NoSuchFolder(),
            RenameMailboxResult.TargetExists => throw RpcErrors.Refusal(StatusCode.AlreadyExists, "folder-exists", $"a folder \"{path}\" exists"),
            _ => throw RpcErrors.BadRequest("invalid-name", "new_parent_id", $"\"{path}\" cannot name the folder (a folder cannot move into itself)"),
        };
    }

    public override async Task<DeleteFolderReply> Delete(DeleteFolderRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        if (await catalog.CalendarAsync(accountId, request.FolderId, ct) is { } calendar)
        {
            return await calendars.DeleteCalendarAsync(accountId, calendar.Id, ct) ? new DeleteFolderReply() : throw RpcErrors.NoSuchFolder();
        }

        var mailbox = await catalog.MailboxAsync(accountId, request.FolderId, ct, selectable: false);
        return await mail.DeleteMailboxAsync(accountId, mailbox.Name, ct) switch
        {
            DeleteMailboxResult.Deleted => new DeleteFolderReply(),
            DeleteMailboxResult.BecamePlaceholder => new DeleteFolderReply { KeptAsPlaceholder = true },
            DeleteMailboxResult.NoSuchMailbox => throw RpcErrors.NoSuchFolder(),
            DeleteMailboxResult.IsInbox => throw RpcErrors.Refusal(StatusCode.FailedPrecondition, "inbox", "the inbox cannot be deleted"),
            _ => throw RpcErrors.Refusal(StatusCode.FailedPrecondition, "has-children", "a placeholder with subfolders cannot be deleted; delete them first"),
        };
    }

    public override async Task<EmptyFolderReply> Empty(EmptyFolderRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        if (await catalog.CalendarAsync(accountId, request.FolderId, ct) is { } calendar)
        {
            var deleted = 0L;
            foreach (var item in await calendars.ListObjectsAsync(accountId, calendar.Id, ct))
            {
                deleted += await calendars.DeleteObjectAsync(accountId, calendar.Id, item.Name, WriteCondition.None, ct) == DeleteOutcome.Deleted ? 1 : 0;
            }

            return new EmptyFolderReply { DeletedCount = deleted };
        }

        var mailbox = await catalog.MailboxAsync(accountId, request.FolderId, ct);
        var snapshot = await mail.SnapshotAsync(accountId, mailbox.Id, ct) ?? throw RpcErrors.NoSuchFolder();
        var removed = await mail.ExpungeAsync(accountId, mailbox.Id, [.. snapshot.Messages.Select(m => m.Uid)], ct);
        return new EmptyFolderReply { DeletedCount = removed };
    }

    private async Task<Folder> FindAsync(long accountId, string path, CancellationToken cancellationToken) =>
        (await catalog.ListAsync(accountId, cancellationToken)).FirstOrDefault(f => f.Path == MailboxNames.Normalize(path) && f.Kind != FolderKind.Calendar)
        ?? throw RpcErrors.NoSuchFolder();

    /// <summary>One level of a folder name: not empty, without the hierarchy separator.</summary>
    private static string Level(string name, string field) =>
        name.Length == 0 || name.Contains(MailboxNames.Separator, StringComparison.Ordinal)
            ? throw RpcErrors.BadRequest("invalid-name", field, $"a folder's name must be one level, not empty and without \"{MailboxNames.Separator}\"")
            : name;
}
