using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Groupware.Rpc.V1;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>Items: tables with columns, restrictions, sort and paging; get with streamed content; save with change keys; batches; upload.</summary>
public sealed class RpcItemTests
{
    private static Restriction Compare(PropTag tag, Relation relation, PropValue value) =>
        new() { Property = new PropertyRestriction { Tag = tag, Relation = relation, Value = value } };

    [Test]
    public async Task Query_returns_the_columns_of_the_rows_the_restriction_matches_sorted_paged_and_counted()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var items = new Items.ItemsClient(channel);
        for (var day = 1; day <= 9; day++)
        {
            var subject = day % 3 == 0 ? $"report {day}" : $"note {day}";
            await items.CreateAsync(new CreateItemRequest
            {
                FolderId = inbox.FolderId,
                Mime = ByteString.CopyFrom(Mime(login, subject, $"Mon, 0{day} Jan 2024 10:00:00 +0000")),
                Flags = day == 6 ? (uint)MessageFlag.Read : 0,
                ReceivedDate = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 1, day, 12, 0, 0, TimeSpan.Zero)),
            }, session);
        }

        // Unread items whose subject has "report" or that were received before 3 January, newest first, two per page.
        var restriction = new Restriction
        {
            AllOf = new RestrictionList
            {
                Restrictions =
                {
                    new Restriction { Bitmask = new BitmaskRestriction { Mask = (uint)MessageFlag.Read, AllSet = false } },
                    new Restriction
                    {
                        AnyOf = new RestrictionList
                        {
                            Restrictions =
                            {
                                new Restriction { Content = new ContentRestriction { Tag = PropTag.Subject, Substring = "REPORT", IgnoreCase = true } },
                                Compare(PropTag.ReceivedDate, Relation.Lt, new PropValue { Time = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 1, 3, 0, 0, 0, TimeSpan.Zero)) }),
                            },
                        },
                    },
                },
            },
        };
        var query = new QueryRequest
        {
            FolderId = inbox.FolderId,
            Columns = { PropTag.Subject, PropTag.Read, PropTag.SentDate, PropTag.Size, PropTag.From, PropTag.To, PropTag.ChangeKey },
            Restriction = restriction,
            Sort = { new SortOrder { Tag = PropTag.ReceivedDate, Descending = true } },
            Limit = 2,
        };
        var first = await items.QueryAsync(query, session);
        Assert.That(first.TotalCount, Is.EqualTo(4), "report 3, report 9, note 1, note 2 (report 6 is read)");
        Assert.That(first.Rows.Select(r => r.Values[0].Text), Is.EqualTo(new[] { "report 9", "report 3" }));
        Assert.That(first.Rows[0].Values[1].Boolean, Is.False);
        Assert.That(first.Rows[0].Values[2].Time.ToDateTimeOffset(), Is.EqualTo(new DateTimeOffset(2024, 1, 9, 10, 0, 0, TimeSpan.Zero)));
        Assert.That(first.Rows[0].Values[3].Integer, Is.GreaterThan(100));
        Assert.That(first.Rows[0].Values[4].Text, Is.EqualTo($"Test <{login}@example.test>"));
        Assert.That(first.Rows[0].Values[5].Text, Is.EqualTo("friend@example.org"));
        Assert.That(first.Rows[0].Values[6].Text, Is.Not.Empty);

        query.Cursor = first.NextCursor;
        var second = await items.QueryAsync(query, session);
        Assert.That(second.Rows.Select(r => r.Values[0].Text), Is.EqualTo(new[] { "note 2", "note 1" }));
        Assert.That(second.NextCursor, Is.Empty);
        query.Cursor = "";
        query.Offset = 10;
        Assert.That((await items.QueryAsync(query, session)).TotalCount, Is.EqualTo(4), "a page past the end still counts");

        var negated = await items.QueryAsync(new QueryRequest
        {
            FolderId = inbox.FolderId,
            Columns = { PropTag.Subject },
            Restriction = new Restriction { Negate = new Restriction { Content = new ContentRestriction { Tag = PropTag.Subject, Substring = "note" } } },
            Sort = { new SortOrder { Tag = PropTag.Subject } },
        }, session);
        Assert.That(negated.Rows.Select(r => r.Values[0].Text), Is.EqualTo(new[] { "report 3", "report 6", "report 9" }));
    }

    [Test]
    public async Task Requests_beyond_a_limit_or_with_an_unknown_property_are_refused_naming_it()
    {
        await using var node = await StartSecureNodeAsync(n => n.Set("Rpc:MaxRestrictionDepth", "4").Set("Rpc:MaxRestrictionNodes", "5").Set("Rpc:MaxPageSize", "50"));
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var items = new Items.ItemsClient(channel);
        var exists = new Restriction { Exists = new ExistsRestriction { Tag = PropTag.Subject } };
        var deep = exists;
        for (var i = 0; i < 4; i++)
        {
            deep = new Restriction { Negate = deep };
        }

        var wide = new Restriction { AnyOf = new RestrictionList { Restrictions = { exists, exists, exists, exists, exists } } };
        async Task<ErrorDetail> Refused(QueryRequest request)
        {
            var (code, detail) = await RefusedAsync(() => items.QueryAsync(request, session).ResponseAsync);
            Assert.That(code, Is.EqualTo(StatusCode.InvalidArgument));
            return detail;
        }

        var tooDeep = await Refused(new QueryRequest { FolderId = inbox.FolderId, Restriction = deep });
        Assert.That((tooDeep.Reason, tooDeep.Option, tooDeep.Limit), Is.EqualTo(("restriction-too-deep", "Rpc:MaxRestrictionDepth", 4L)));
        var tooBig = await Refused(new QueryRequest { FolderId = inbox.FolderId, Restriction = wide });
        Assert.That((tooBig.Reason, tooBig.Option, tooBig.Limit), Is.EqualTo(("restriction-too-big", "Rpc:MaxRestrictionNodes", 5L)));
        var tooLarge = await Refused(new QueryRequest { FolderId = inbox.FolderId, Limit = 51 });
        Assert.That((tooLarge.Reason, tooLarge.Option, tooLarge.Limit), Is.EqualTo(("page-too-large", "Rpc:MaxPageSize", 50L)));
        var unknown = await Refused(new QueryRequest { FolderId = inbox.FolderId, Columns = { PropTag.Subject, (PropTag)999 } });
        Assert.That((unknown.Reason, unknown.Field), Is.EqualTo(("unknown-property", "columns[1]")));
        var calendarOnly = await Refused(new QueryRequest { FolderId = inbox.FolderId, Columns = { PropTag.Start } });
        Assert.That(calendarOnly.Reason, Is.EqualTo("unknown-property"));
        var wrongType = await Refused(new QueryRequest { FolderId = inbox.FolderId, Restriction = Compare(PropTag.Size, Relation.Gt, new PropValue { Text = "big" }) });
        Assert.That(wrongType.Reason, Is.EqualTo("wrong-type"));
    }

    [Test]
    public async Task Get_streams_the_whole_message_in_chunks_after_its_projected_properties()
    {
        await using var node = await StartSecureNodeAsync(n => n.Set("Rpc:ContentChunkSize", "1024"));
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var items = new Items.ItemsClient(channel);
        var body = string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i} of a long attachment-like body\r\n"));
        var mime = Encoding.ASCII.GetBytes($"From: <{login}@example.test>\r\nSubject: big\r\n\r\n{body}");
        var created = await items.CreateAsync(new CreateItemRequest { FolderId = inbox.FolderId, Mime = ByteString.CopyFrom(mime) }, session);

        using var call = items.Get(new GetItemRequest { ItemId = created.ItemId, Properties = { PropTag.Subject, PropTag.Size }, IncludeContent = true }, session);
        var replies = new List<GetItemReply>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            replies.Add(reply);
        }

        var properties = replies[0].Properties;
        Assert.That((properties.ItemId, properties.ChangeKey, properties.Values[0].Text), Is.EqualTo((created.ItemId, created.ChangeKey, "big")));
        var chunks = replies.Skip(1).Select(r => r.ContentChunk).ToList();
        Assert.That(chunks, Has.Count.EqualTo((mime.Length + 1023) / 1024));
        Assert.That(chunks.SelectMany(c => c.ToByteArray()).ToArray(), Is.EqualTo(mime));
        Assert.That(properties.ContentSize, Is.EqualTo(mime.Length));
    }

    [Test]
    public async Task Update_with_a_stale_change_key_is_a_conflict_and_changes_nothing()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var items = new Items.ItemsClient(channel);
        var created = await items.CreateAsync(new CreateItemRequest { FolderId = inbox.FolderId, Mime = ByteString.CopyFrom(Mime(login, "x")) }, session);

        var flagged = await items.UpdateAsync(new UpdateItemRequest
        {
            ItemId = created.ItemId, ChangeKey = created.ChangeKey, SetFlags = (uint)(MessageFlag.Flagged | MessageFlag.Read), AddKeywords = { "$Important" },
        }, session);
        Assert.That(flagged.ChangeKey, Is.Not.EqualTo(created.ChangeKey));
        var (code, detail) = await RefusedAsync(() => items.UpdateAsync(new UpdateItemRequest
        {
            ItemId = created.ItemId, ChangeKey = created.ChangeKey, ClearFlags = (uint)MessageFlag.Flagged,
        }, session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.FailedPrecondition, "change-key-mismatch")));

        var row = (await items.QueryAsync(new QueryRequest { FolderId = inbox.FolderId, Columns = { PropTag.MessageFlags, PropTag.ChangeKey } }, session)).Rows.Single();
        Assert.That(row.Values[0].Integer, Is.EqualTo((long)(MessageFlag.Flagged | MessageFlag.Read)), "the stale update did not clear the flag");
        Assert.That(row.Values[1].Text, Is.EqualTo(flagged.ChangeKey));
        var cleared = await items.UpdateAsync(new UpdateItemRequest { ItemId = created.ItemId, ChangeKey = flagged.ChangeKey, ClearFlags = (uint)MessageFlag.Flagged }, session);
        Assert.That(cleared.ChangeKey, Is.Not.EqualTo(flagged.ChangeKey));
    }

    [Test]
    public async Task Batches_move_copy_set_read_and_delete_items()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        await DeliverAsync(node, login, "a", "b", "c");
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var archive = await FolderAsync(channel, session, FolderRole.Archive);
        var items = new Items.ItemsClient(channel);
        var ids = (await items.QueryAsync(new QueryRequest { FolderId = inbox.FolderId }, session)).Rows.Select(r => r.ItemId).ToList();

        var read = await items.SetReadAsync(new SetReadRequest { ItemIds = { ids }, Read = true }, session);
        Assert.That(read.DoneItemIds, Is.EqualTo(ids));
        Assert.That((await FolderAsync(channel, session)).UnreadCount, Is.Zero);
        var copied = await items.CopyAsync(new MoveItemsRequest { ItemIds = { ids[0] }, TargetFolderId = archive.FolderId }, session);
        var moved = await items.MoveAsync(new MoveItemsRequest { ItemIds = { ids[1], ids[2] }, TargetFolderId = archive.FolderId }, session);
        Assert.That((copied.NewItemIds.Count, moved.DoneItemIds.Count, moved.NewItemIds.Count), Is.EqualTo((1, 2, 2)));
        Assert.That((await FolderAsync(channel, session)).TotalCount, Is.EqualTo(1));
        Assert.That((await FolderAsync(channel, session, FolderRole.Archive)).TotalCount, Is.EqualTo(3));

        var deleted = await items.DeleteAsync(new ItemBatchRequest { ItemIds = { moved.NewItemIds[0], ids[1] } }, session);
        Assert.That(deleted.DoneItemIds, Is.EqualTo(new[] { moved.NewItemIds[0] }), "the moved-away original is gone already");
        Assert.That((await FolderAsync(channel, session, FolderRole.Archive)).TotalCount, Is.EqualTo(2));
        var (code, detail) = await RefusedAsync(() => items.Get(new GetItemRequest { ItemId = ids[1] }, session).ResponseStream.MoveNext());
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.NotFound, "no-such-item")));
    }

    [Test]
    public async Task Upload_stores_a_message_larger_than_one_grpc_message_in_chunks()
    {
        await using var node = await StartSecureNodeAsync(n => n.Set("Rpc:MaxReceiveMessageSize", "65536"));
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var drafts = await FolderAsync(channel, session, FolderRole.Drafts);
        var items = new Items.ItemsClient(channel);
        var body = new string('x', 76) + "\r\n";
        var mime = Encoding.ASCII.GetBytes($"From: <{login}@example.test>\r\nSubject: upload\r\n\r\n" + string.Concat(Enumerable.Repeat(body, 4000)));
        Assert.That(mime.Length, Is.GreaterThan(65536 * 4));

        var (tooBig, _) = await RefusedAsync(() => items.CreateAsync(new CreateItemRequest { FolderId = drafts.FolderId, Mime = ByteString.CopyFrom(mime) }, session).ResponseAsync);
        Assert.That(tooBig, Is.EqualTo(StatusCode.ResourceExhausted), "one message over Rpc:MaxReceiveMessageSize");
        using var upload = items.Upload(session);
        await upload.RequestStream.WriteAsync(new UploadChunk { Header = new CreateItemRequest { FolderId = drafts.FolderId, Flags = (uint)MessageFlag.Draft } });
        foreach (var chunk in mime.Chunk(32 * 1024))
        {
            await upload.RequestStream.WriteAsync(new UploadChunk { Data = ByteString.CopyFrom(chunk) });
        }

        await upload.RequestStream.CompleteAsync();
        var stored = await upload.ResponseAsync;
        var row = (await items.QueryAsync(new QueryRequest { FolderId = drafts.FolderId, Columns = { PropTag.Size, PropTag.MessageFlags, PropTag.Subject } }, session)).Rows.Single();
        Assert.That((row.ItemId, row.Values[0].Integer, row.Values[1].Integer, row.Values[2].Text),
            Is.EqualTo((stored.ItemId, (long)mime.Length, (long)MessageFlag.Draft, "upload")));
    }

    [Test]
    public async Task Submit_without_a_relay_is_refused_clearly_and_nothing_is_saved()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var (code, detail) = await RefusedAsync(() => new Items.ItemsClient(channel).SubmitAsync(new SubmitRequest { Mime = ByteString.CopyFrom(Mime(login, "out")) }, session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.FailedPrecondition, "no-relay")));
        Assert.That((await FolderAsync(channel, session, FolderRole.Sent)).TotalCount, Is.Zero);
    }
}
