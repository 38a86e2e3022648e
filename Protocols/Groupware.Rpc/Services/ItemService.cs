using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Groupware.Rpc.Submission;
using Groupware.Rpc.V1;
using Groupware.Storage.Accounts;
using Groupware.Storage.Calendar;
using Groupware.Storage.Mail;
using Groupware.Storage.Tables;
using MimeKit;

namespace Groupware.Rpc.Services;

/// <summary>
/// Items: tables in one call (Kopano's tableMulti: set-columns, restrict, sort, query-rows), whole
/// items with streamed content, saves with a change key for optimistic concurrency (RFC 7162's
/// UNCHANGEDSINCE under the mailbox lock), batches, MIME upload, and submit. Every write is one of
/// the mail store's IMAP operations, so IMAP, POP3 and RPC clients see one store.
/// </summary>
internal sealed class ItemService(FolderCatalog catalog, MailStore mail, CalendarStore calendars, ItemTableStore tables, AccountStore accounts,
    SmtpRelay relay, RpcOptions options) : V1.Items.ItemsBase
{
    public override async Task<QueryReply> Query(QueryRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        var limit = PageLimit.Of(request.Limit, options);
        var calendar = await catalog.CalendarAsync(accountId, request.FolderId, ct);
        var mailbox = calendar is null ? await catalog.MailboxAsync(accountId, request.FolderId, ct) : null;
        var table = new ItemTables(options, calendar is null ? TableKind.Mail : TableKind.Calendar);
        var columns = request.Columns.Select((tag, i) => table.Column(tag, $"columns[{i}]")).ToList();
        var sort = request.Sort.Select((s, i) => new TableSort(table.Column(s.Tag, $"sort[{i}].tag"), s.Descending)).ToList();
        var folderId = calendar?.Id ?? mailbox!.Id;
        var scope = CursorScope.Of(table.Kind, folderId, mailbox?.UidValidity ?? 0, request);
        // A cursor continues after its row (offset is ignored then); without one, the page starts offset rows in.
        var after = request.Cursor.Length > 0 ? QueryCursor.Decode(request.Cursor, scope, sort.Count) : null;
        var offset = after is null ? (int)Math.Min(request.Offset, int.MaxValue) : 0;
        var page = await tables.QueryAsync(new TableQuery(table.Kind, accountId, folderId, columns, table.Restriction(request.Restriction), sort, offset, limit, after), ct);
        Func<string, string> itemId = calendar is null
            ? key => RpcIds.MailItem(mailbox!.Id, mailbox.UidValidity, long.Parse(key, CultureInfo.InvariantCulture))
            : key => RpcIds.CalendarItem(calendar.Id, key);
        var reply = new QueryReply { TotalCount = page.Total };
        foreach (var row in page.Rows)
        {
            var output = new Row { ItemId = itemId(row.Key) };
            for (var i = 0; i < columns.Count; i++)
            {
                output.Values.Add(ItemTables.Output(request.Columns[i], row.Values[i], itemId));
            }

            reply.Rows.Add(output);
        }

        if (page.More && page.Rows is [.., var last])
        {
            reply.NextCursor = QueryCursor.Encode(scope, new TableKeyset(last.SortKeys, last.Key));
        }

        return reply;
    }

    public override async Task Get(GetItemRequest request, IServerStreamWriter<GetItemReply> responseStream, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        if (RpcIds.TryParseCalendarItem(request.ItemId, out var calendarItem) && request.ItemId[0] == 'c')
        {
            await GetCalendarItemAsync(accountId, calendarItem, request, responseStream, ct);
            return;
        }

        var (mailbox, uid) = await MailItemAsync(accountId, request.ItemId, "item_id", ct);
        var table = new ItemTables(options, TableKind.Mail);
        var columns = request.Properties.Select((tag, i) => table.Column(tag, $"properties[{i}]")).ToList();
        List<TableColumn> all = [.. columns, TableColumn.ModSeq, TableColumn.Size];
        var page = await tables.QueryAsync(new TableQuery(TableKind.Mail, accountId, mailbox.Id, all,
            new PropertyCompare(TableColumn.Uid, Storage.Tables.Relation.Equal, uid), [], 0, 1), ct);
        if (page.Rows is not [var row])
        {
            throw RpcErrors.NoSuchItem();
        }

        var properties = new ItemProperties
        {
            ItemId = request.ItemId,
            ChangeKey = RpcIds.ChangeKey((long)row.Values[columns.Count]!),
            ContentSize = request.IncludeContent ? (long)row.Values[columns.Count + 1]! : 0,
        };
        for (var i = 0; i < columns.Count; i++)
        {
            properties.Values.Add(ItemTables.Output(request.Properties[i], row.Values[i], _ => request.ItemId));
        }

        await responseStream.WriteAsync(new GetItemReply { Properties = properties }, ct);
        if (request.IncludeContent)
        {
            Stream content;
            try
            {
                content = await mail.OpenMessageAsync(accountId, mailbox.Id, uid, ct);
            }
            catch (MessageNotFoundException)
            {
                throw RpcErrors.NoSuchItem();
            }

            await using (content)
            {
                await StreamAsync(content, responseStream, ct);
            }
        }
    }

    public override async Task<ItemRef> Create(CreateItemRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var mailbox = await catalog.MailboxAsync(accountId, request.FolderId, context.CancellationToken);
        await using var message = IncomingMessage.Create(options.SpoolDirectory, options.MaxMessageSize);
        await message.WriteAsync(request.Mime.Memory, context.CancellationToken);
        return await AppendAsync(accountId, mailbox, message, request, context.CancellationToken);
    }

    public override async Task<ItemRef> Upload(IAsyncStreamReader<UploadChunk> requestStream, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct) || requestStream.Current.Header is not { } header)
        {
            throw RpcErrors.BadRequest("no-header", "header", "the first chunk of an upload names the folder (header)");
        }

        var mailbox = await catalog.MailboxAsync(accountId, header.FolderId, ct, "header.folder_id");
        await using var message = IncomingMessage.Create(options.SpoolDirectory, options.MaxMessageSize);
        await message.WriteAsync(header.Mime.Memory, ct);
        do
        {
            await message.WriteAsync(requestStream.Current.Data.Memory, ct);
            if (message.TooBig)
            {
                throw RpcErrors.OverLimit("message-too-big", "Mail:MaxMessageSize", options.MaxMessageSize, "data", "the message is too big");
            }
        }
        while (await requestStream.MoveNext(ct));

        return await AppendAsync(accountId, mailbox, message, header, ct);
    }

    public override async Task<ItemRef> Update(UpdateItemRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        var (mailbox, uid) = await MailItemAsync(accountId, request.ItemId, "item_id", ct);
        if (!RpcIds.TryParseChangeKey(request.ChangeKey, out var changeKey))
        {
            throw RpcErrors.BadRequest("invalid-change-key", "change_key", "the change key is missing or not one the server gave");
        }

        if ((await mail.FetchAsync(accountId, mailbox.Id, [uid], withStructure: false, ct)) is not [var current])
        {
            throw RpcErrors.NoSuchItem();
        }

        if (current.ModSeq != changeKey)
        {
            throw Conflict(current.ModSeq);
        }

        var flags = (SystemFlags)((((int)current.Flags) | (int)(request.SetFlags & 31)) & ~(int)(request.ClearFlags & 31));
        var keywords = current.Keywords.Union(request.AddKeywords, StringComparer.OrdinalIgnoreCase)
            .Except(request.RemoveKeywords, StringComparer.OrdinalIgnoreCase).ToList();
        if (flags == current.Flags && keywords.Count == current.Keywords.Count && !keywords.Except(current.Keywords, StringComparer.OrdinalIgnoreCase).Any())
        {
            return new ItemRef { ItemId = request.ItemId, ChangeKey = RpcIds.ChangeKey(current.ModSeq) };
        }

        // UNCHANGEDSINCE (RFC 7162 §3.1.3): the store compares under the mailbox's lock; a change in between is a conflict, not an overwrite.
        var result = await mail.StoreFlagsAsync(accountId, mailbox.Id, [uid], FlagChange.Replace, flags, keywords, changeKey, ct);
        if (result.Modified.Count > 0)
        {
            var now = await mail.FetchAsync(accountId, mailbox.Id, [uid], withStructure: false, ct);
            throw Conflict(now is [var after] ? after.ModSeq : 0);
        }

        if (result.RefusedKeywords.Count > 0)
        {
            throw RpcErrors.BadRequest("invalid-keyword", "add_keywords", $"not stored: {string.Join(' ', result.RefusedKeywords)}");
        }

        return result.Updated is [var updated]
            ? new ItemRef { ItemId = request.ItemId, ChangeKey = RpcIds.ChangeKey(updated.ModSeq) }
            : throw RpcErrors.NoSuchItem();
    }

    public override async Task<BatchReply> Delete(ItemBatchRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var reply = new BatchReply();
        foreach (var (mailbox, uids) in await GroupAsync(accountId, request.ItemIds, context.CancellationToken))
        {
            var present = await mail.FetchAsync(accountId, mailbox.Id, uids, withStructure: false, context.CancellationToken);
            await mail.ExpungeAsync(accountId, mailbox.Id, [.. present.Select(m => m.Uid)], context.CancellationToken);
            reply.DoneItemIds.AddRange(present.Select(m => RpcIds.MailItem(mailbox.Id, mailbox.UidValidity, m.Uid)));
        }

        return reply;
    }

    public override Task<BatchReply> Move(MoveItemsRequest request, ServerCallContext context) => TransferAsync(request, move: true, context);

    public override Task<BatchReply> Copy(MoveItemsRequest request, ServerCallContext context) => TransferAsync(request, move: false, context);

    public override async Task<BatchReply> SetRead(SetReadRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var reply = new BatchReply();
        foreach (var (mailbox, uids) in await GroupAsync(accountId, request.ItemIds, context.CancellationToken))
        {
            await mail.StoreFlagsAsync(accountId, mailbox.Id, uids, request.Read ? FlagChange.Add : FlagChange.Remove, SystemFlags.Seen, [], null,
                context.CancellationToken);
            var present = await mail.FetchAsync(accountId, mailbox.Id, uids, withStructure: false, context.CancellationToken);
            reply.DoneItemIds.AddRange(present.Select(m => RpcIds.MailItem(mailbox.Id, mailbox.UidValidity, m.Uid)));
        }

        return reply;
    }

    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        if (!relay.Configured)
        {
            throw RpcErrors.Refusal(StatusCode.FailedPrecondition, "no-relay", "this node has no relay for outgoing mail (option Rpc:RelayHost); the message was not sent");
        }

        MimeMessage message;
        try
        {
            using var input = new MemoryStream(request.Mime.ToByteArray(), writable: false);
            message = await MimeMessage.LoadAsync(input, ct);
        }
        catch (FormatException e)
        {
            throw RpcErrors.BadRequest("invalid-message", "mime", $"the message cannot be parsed: {e.Message}");
        }

        var account = await accounts.FindByIdAsync(accountId, ct) ?? throw RpcErrors.Refusal(StatusCode.Unauthenticated, "session-ended", "the account is gone");
        var own = new HashSet<string>([account.PrimaryAddress, .. account.Aliases], StringComparer.OrdinalIgnoreCase);
        var from = message.From.Mailboxes.ToList();
        if (from.Count == 0 || from.Any(m => !own.Contains(m.Address)))
        {
            throw RpcErrors.Refusal(StatusCode.PermissionDenied, "not-your-address", "the From field must name only addresses of your account", "mime");
        }

        var recipients = request.Recipients.Count > 0
            ? request.Recipients.Select(r => MailboxAddress.TryParse(r, out var address) ? address : throw RpcErrors.BadRequest("invalid-recipient", "recipients", $"\"{r}\" is not an address")).ToList()
            : [.. message.To.Mailboxes, .. message.Cc.Mailboxes, .. message.Bcc.Mailboxes];
        if (recipients.Count == 0)
        {
            throw RpcErrors.BadRequest("no-recipients", "recipients", "the message has no recipients");
        }

        var (outcome, detail) = await relay.SendAsync(message, new MailboxAddress("", account.PrimaryAddress), recipients, ct);
        if (outcome != RelayOutcome.Sent)
        {
            throw outcome == RelayOutcome.Refused
                ? RpcErrors.Refusal(StatusCode.FailedPrecondition, "relay-refused", $"the relay refused the message: {detail}")
                : RpcErrors.Refusal(StatusCode.Unavailable, "relay-unavailable", $"the relay could not take the message; try again: {detail}");
        }

        var reply = new SubmitReply();
        reply.AcceptedRecipients.AddRange(recipients.Select(r => r.Address));
        if (!request.SkipSentCopy)
        {
            var sent = (await mail.ListMailboxesAsync(accountId, ct)).FirstOrDefault(m => m.SpecialUse == @"\Sent");
            if (sent is not null)
            {
                await using var copy = IncomingMessage.Create(options.SpoolDirectory, options.MaxMessageSize);
                await copy.WriteAsync(request.Mime.Memory, ct);
                var stored = await AppendAsync(accountId, sent, copy, new CreateItemRequest { Flags = (uint)SystemFlags.Seen }, ct);
                reply.SentItemId = stored.ItemId;
            }
        }

        return reply;
    }

    private async Task<ItemRef> AppendAsync(long accountId, Mailbox mailbox, IncomingMessage message, CreateItemRequest request, CancellationToken ct)
    {
        await message.CompleteAsync(ct);
        if (message.TooBig)
        {
            throw RpcErrors.OverLimit("message-too-big", "Mail:MaxMessageSize", options.MaxMessageSize, "mime", "the message is too big");
        }

        if (message.Size == 0)
        {
            throw RpcErrors.BadRequest("empty-message", "mime", "the message is empty");
        }

        if (message.SpoolError is { } error)
        {
            throw RpcErrors.Refusal(StatusCode.Unavailable, "spool-unavailable", $"the message could not be spooled: {error.Message}");
        }

        var date = request.ReceivedDate?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow;
        var result = await mail.AppendAsync(accountId, mailbox.Name, message, (SystemFlags)(request.Flags & 31), [.. request.Keywords], date, ct);
        switch (result.Status)
        {
            case AppendStatus.Appended:
                var stored = await mail.FetchAsync(accountId, mailbox.Id, [result.Uid], withStructure: false, ct);
                return new ItemRef
                {
                    ItemId = RpcIds.MailItem(mailbox.Id, result.UidValidity, result.Uid),
                    ChangeKey = stored is [var m] ? RpcIds.ChangeKey(m.ModSeq) : "",
                };
            case AppendStatus.OverQuota:
                throw RpcErrors.Refusal(StatusCode.ResourceExhausted, "over-quota", "the message would take the account over its quota");
            default:
                throw RpcErrors.NoSuchFolder();
        }
    }

    private async Task<BatchReply> TransferAsync(MoveItemsRequest request, bool move, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        var target = await catalog.MailboxAsync(accountId, request.TargetFolderId, ct, "target_folder_id");
        var reply = new BatchReply();
        foreach (var (mailbox, uids) in await GroupAsync(accountId, request.ItemIds, ct))
        {
            var result = move ? await mail.MoveAsync(accountId, mailbox.Id, uids, target.Name, ct) : await mail.CopyAsync(accountId, mailbox.Id, uids, target.Name, ct);
            switch (result.Status)
            {
                case CopyStatus.Copied:
                    reply.DoneItemIds.AddRange(result.SourceUids.Select(uid => RpcIds.MailItem(mailbox.Id, mailbox.UidValidity, uid)));
                    reply.NewItemIds.AddRange(result.TargetUids.Select(uid => RpcIds.MailItem(target.Id, result.UidValidity, uid)));
                    break;
                case CopyStatus.OverQuota:
                    throw RpcErrors.Refusal(StatusCode.ResourceExhausted, "over-quota", "the copies would take the account over its quota");
                default:
                    throw RpcErrors.NoSuchFolder("target_folder_id");
            }
        }

        return reply;
    }

    /// <summary>The items of a batch by mailbox; ids of other UIDVALIDITYs or of gone mailboxes name nothing and are left out.</summary>
    private async Task<List<(Mailbox Mailbox, IReadOnlyList<long> Uids)>> GroupAsync(long accountId, Google.Protobuf.Collections.RepeatedField<string> itemIds, CancellationToken ct)
    {
        if (itemIds.Count > options.MaxBatchItems)
        {
            throw RpcErrors.OverLimit("batch-too-large", "Rpc:MaxBatchItems", options.MaxBatchItems, "item_ids", $"{itemIds.Count} items in one call are too many");
        }

        var refs = itemIds.Select((id, i) => RpcIds.TryParseMailItem(id, out var item) ? item
            : throw RpcErrors.BadRequest("invalid-item-id", $"item_ids[{i}]", "not an item id of a mail item")).ToList();
        var mailboxes = (await mail.ListMailboxesAsync(accountId, ct)).Where(m => m.Selectable).ToDictionary(m => m.Id);
        return [.. refs.GroupBy(r => r.MailboxId)
            .Where(g => mailboxes.TryGetValue(g.Key, out var m) && g.Any(r => r.UidValidity == m.UidValidity))
            .Select(g => (mailboxes[g.Key], (IReadOnlyList<long>)[.. g.Where(r => r.UidValidity == mailboxes[g.Key].UidValidity).Select(r => r.Uid).Distinct().Order()]))];
    }

    private async Task<(Mailbox Mailbox, long Uid)> MailItemAsync(long accountId, string itemId, string field, CancellationToken ct)
    {
        if (!RpcIds.TryParseMailItem(itemId, out var item))
        {
            throw RpcErrors.BadRequest("invalid-item-id", field, "not an item id");
        }

        var mailbox = (await mail.ListMailboxesAsync(accountId, ct)).FirstOrDefault(m => m.Id == item.MailboxId && m.Selectable);
        return mailbox is null || mailbox.UidValidity != item.UidValidity ? throw RpcErrors.NoSuchItem(field) : (mailbox, item.Uid);
    }

    private async Task GetCalendarItemAsync(long accountId, CalendarItemRef item, GetItemRequest request, IServerStreamWriter<GetItemReply> responseStream,
        CancellationToken ct)
    {
        if (!(await calendars.ListCalendarsAsync(accountId, ct)).Any(c => c.Id == item.CalendarId)
            || await calendars.GetObjectAsync(accountId, item.CalendarId, item.Name, ct) is not { } found)
        {
            throw RpcErrors.NoSuchItem();
        }

        var table = new ItemTables(options, TableKind.Calendar);
        var columns = request.Properties.Select((tag, i) => table.Column(tag, $"properties[{i}]")).ToList();
        var page = await tables.QueryAsync(new TableQuery(TableKind.Calendar, accountId, item.CalendarId, columns,
            new PropertyCompare(TableColumn.ObjectName, Storage.Tables.Relation.Equal, item.Name), [], 0, 1), ct);
        var text = System.Text.Encoding.UTF8.GetBytes(found.Ical);
        var properties = new ItemProperties { ItemId = request.ItemId, ChangeKey = found.ETag, ContentSize = request.IncludeContent ? text.Length : 0 };
        if (page.Rows is [var row])
        {
            for (var i = 0; i < columns.Count; i++)
            {
                properties.Values.Add(ItemTables.Output(request.Properties[i], row.Values[i], _ => request.ItemId));
            }
        }

        await responseStream.WriteAsync(new GetItemReply { Properties = properties }, ct);
        if (request.IncludeContent)
        {
            await using var content = new MemoryStream(text, writable: false);
            await StreamAsync(content, responseStream, ct);
        }
    }

    private async Task StreamAsync(Stream content, IServerStreamWriter<GetItemReply> responseStream, CancellationToken ct)
    {
        var buffer = new byte[options.ContentChunkSize];
        int read;
        while ((read = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct)) > 0)
        {
            await responseStream.WriteAsync(new GetItemReply { ContentChunk = ByteString.CopyFrom(buffer, 0, read) }, ct);
        }
    }

    private static RpcException Conflict(long current) => RpcErrors.Refusal(StatusCode.FailedPrecondition, "change-key-mismatch",
        $"the item changed since you read it (its change key is now {current}); read it again and reapply your change", "change_key");
}
