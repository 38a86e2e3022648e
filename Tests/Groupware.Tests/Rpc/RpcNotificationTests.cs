using System.Diagnostics;
using Grpc.Core;
using Groupware.Rpc.V1;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>Notifications.Subscribe: events from the PostgreSQL change feed, from any node, within a second.</summary>
public sealed class RpcNotificationTests
{
    [Test]
    public async Task A_delivery_on_another_node_arrives_as_new_mail_with_the_folder_counts_within_a_second()
    {
        await using var rpcNode = await StartSecureNodeAsync();
        await using var deliveryNode = await StartSecureNodeAsync(n => n.Set("Node:Name", "test2"));
        var login = await CreateAccountAsync();
        using var channel = Channel(rpcNode);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = new Notifications.NotificationsClient(channel).Subscribe(new SubscribeRequest(), session, cancellationToken: timeout.Token);
        await stream.ResponseHeadersAsync;  // the subscription is in place once the headers arrive

        var sent = Stopwatch.StartNew();
        await DeliverAsync(deliveryNode, login, "hello");
        var delivered = sent.Elapsed;
        Assert.That(await stream.ResponseStream.MoveNext(timeout.Token), Is.True);
        var arrived = sent.Elapsed;
        var first = stream.ResponseStream.Current;
        Assert.That((first.Kind, first.FolderId, first.ItemIds.Count, first.TotalCount, first.UnreadCount),
            Is.EqualTo((NotificationKind.NewMail, inbox.FolderId, 1, 1L, 1L)));
        Assert.That(arrived - delivered, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(await stream.ResponseStream.MoveNext(timeout.Token), Is.True);
        Assert.That(stream.ResponseStream.Current.Kind, Is.EqualTo(NotificationKind.FolderCounts));

        var items = new Items.ItemsClient(channel);
        await items.SetReadAsync(new SetReadRequest { ItemIds = { first.ItemIds[0] }, Read = true }, session);
        Assert.That(await stream.ResponseStream.MoveNext(timeout.Token), Is.True);
        Assert.That((stream.ResponseStream.Current.Kind, stream.ResponseStream.Current.ItemIds.Single()), Is.EqualTo((NotificationKind.Modified, first.ItemIds[0])));
        Assert.That(await stream.ResponseStream.MoveNext(timeout.Token), Is.True);
        Assert.That((stream.ResponseStream.Current.Kind, stream.ResponseStream.Current.UnreadCount), Is.EqualTo((NotificationKind.FolderCounts, 0L)));

        await items.DeleteAsync(new ItemBatchRequest { ItemIds = { first.ItemIds[0] } }, session);
        Assert.That(await stream.ResponseStream.MoveNext(timeout.Token), Is.True);
        Assert.That((stream.ResponseStream.Current.Kind, stream.ResponseStream.Current.ItemIds.Single()), Is.EqualTo((NotificationKind.Deleted, first.ItemIds[0])));
    }

    [Test]
    public async Task Folder_creation_renaming_and_deletion_arrive_as_folder_events()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = new Notifications.NotificationsClient(channel).Subscribe(new SubscribeRequest(), session, cancellationToken: timeout.Token);
        await stream.ResponseHeadersAsync;
        var folders = new Folders.FoldersClient(channel);
        var made = await folders.CreateAsync(new CreateFolderRequest { DisplayName = "Receipts" }, session);
        await folders.RenameAsync(new RenameFolderRequest { FolderId = made.FolderId, NewDisplayName = "Invoices" }, session);
        await folders.DeleteAsync(new DeleteFolderRequest { FolderId = made.FolderId }, session);

        var kinds = new List<NotificationKind>();
        while (kinds.Count < 3 && await stream.ResponseStream.MoveNext(timeout.Token))
        {
            if (stream.ResponseStream.Current.FolderId == made.FolderId && stream.ResponseStream.Current.ItemIds.Count == 0
                && stream.ResponseStream.Current.Kind != NotificationKind.FolderCounts)
            {
                kinds.Add(stream.ResponseStream.Current.Kind);
            }
        }

        Assert.That(kinds, Is.EqualTo(new[] { NotificationKind.Created, NotificationKind.Moved, NotificationKind.Deleted }));
    }
}
