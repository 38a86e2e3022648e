using Grpc.Core;
using Groupware.Rpc.V1;
using Groupware.Storage.Mail;

namespace Groupware.Rpc.Services;

/// <summary>
/// Notifications.Subscribe (Kopano's notification long-poll, MAPI's Advise): one stream per call of
/// the account's events. They come from the PostgreSQL change feed that IMAP IDLE uses
/// (<see cref="MailChangeFeed"/>, NOTIFY on commit), so a change made on any node arrives; each wake-up
/// is turned into events by reading what changed since the stream's last view of that folder,
/// by the MODSEQ index (RFC 7162), so merged or dropped wake-ups lose nothing.
/// </summary>
internal sealed class NotificationService(MailChangeFeed feed, MailStore mail) : V1.Notifications.NotificationsBase
{
    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<Notification> responseStream, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        using var subscription = feed.Subscribe(accountId);
        await feed.WaitUntilListeningAsync(ct);

        // The view starts after subscribing, so nothing committed in between is missed.
        var known = (await mail.ListMailboxesAsync(accountId, ct)).ToDictionary(m => m.Id);
        await context.WriteResponseHeadersAsync([]);
        try
        {
            await foreach (var change in subscription.Changes.ReadAllAsync(ct))
            {
                foreach (var notification in await EventsAsync(accountId, change, known, ct))
                {
                    await responseStream.WriteAsync(notification, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client ended the stream.
        }
    }

    private async Task<List<Notification>> EventsAsync(long accountId, MailboxChange change, Dictionary<long, Mailbox> known, CancellationToken ct)
    {
        var events = new List<Notification>();
        var now = (await mail.ListMailboxesAsync(accountId, ct)).ToDictionary(m => m.Id);
        var ids = change.MailboxId == 0 ? known.Keys.Union(now.Keys).ToList() : [change.MailboxId];
        foreach (var id in ids)
        {
            var before = known.GetValueOrDefault(id);
            var after = now.GetValueOrDefault(id);
            var folderId = RpcIds.Mailbox(id);
            if (after is null)
            {
                if (before is not null)
                {
                    events.Add(new Notification { Kind = NotificationKind.Deleted, FolderId = folderId });
                    known.Remove(id);
                }

                continue;
            }

            if (before is null || (before.Selectable != after.Selectable))
            {
                events.Add(new Notification { Kind = after.Selectable ? NotificationKind.Created : NotificationKind.Deleted, FolderId = folderId });
            }
            else if (before.Name != after.Name)
            {
                events.Add(new Notification { Kind = NotificationKind.Moved, FolderId = folderId });
            }

            if (after.Selectable && (before is null || before.HighestModSeq != after.HighestModSeq || before.UidValidity != after.UidValidity))
            {
                await ItemEventsAsync(accountId, before?.UidValidity == after.UidValidity ? before : null, after, events, ct);
            }

            known[id] = after;
        }

        return events;
    }

    /// <summary>Items added, changed and expunged since the view's MODSEQ, then the folder's counts.</summary>
    private async Task ItemEventsAsync(long accountId, Mailbox? before, Mailbox after, List<Notification> events, CancellationToken ct)
    {
        var folderId = RpcIds.Mailbox(after.Id);
        if (await mail.ChangesSinceAsync(accountId, after.Id, before?.HighestModSeq ?? 0, ct) is not { } changes)
        {
            return;
        }

        var added = new Notification { Kind = after.Name == DefaultMailboxes.Inbox ? NotificationKind.NewMail : NotificationKind.Created, FolderId = folderId };
        var modified = new Notification { Kind = NotificationKind.Modified, FolderId = folderId };
        foreach (var state in changes.Changed)
        {
            var id = RpcIds.MailItem(after.Id, changes.UidValidity, state.Uid);
            (before is null || state.Uid >= before.UidNext ? added : modified).ItemIds.Add(id);
        }

        var deleted = new Notification { Kind = NotificationKind.Deleted, FolderId = folderId };
        if (before is not null)
        {
            deleted.ItemIds.AddRange(changes.Expunged.Select(uid => RpcIds.MailItem(after.Id, changes.UidValidity, uid)));
        }

        var status = await mail.StatusAsync(accountId, after.Name, ct);
        foreach (var notification in new[] { added, modified, deleted }.Where(n => n.ItemIds.Count > 0))
        {
            if (notification.Kind == NotificationKind.NewMail && status is not null)
            {
                (notification.TotalCount, notification.UnreadCount) = (status.Messages, status.Unseen);
            }

            events.Add(notification);
        }

        if (status is not null)
        {
            events.Add(new Notification { Kind = NotificationKind.FolderCounts, FolderId = folderId, TotalCount = status.Messages, UnreadCount = status.Unseen });
        }
    }
}
