using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Groupware.Rpc.V1;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>
/// Items.Query paged by cursor (keyset): a walk gives the rows of one whole query in its order, ties
/// of the sort key broken by the item, with no row twice or missed when a row arrives mid-walk; a
/// cursor of another order or a garbled one is refused with its reason.
/// </summary>
public sealed class RpcQueryCursorTests
{
    [Test]
    public async Task A_cursor_walk_gives_the_rows_of_the_whole_query_and_survives_an_insert()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var inbox = await FolderAsync(channel, session);
        var items = new Items.ItemsClient(channel);
        // Received dates with ties (two per day), sizes with ties by subject length.
        for (var i = 0; i < 9; i++)
        {
            await items.CreateAsync(new CreateItemRequest
            {
                FolderId = inbox.FolderId,
                Mime = ByteString.CopyFrom(Mime(login, i % 2 == 0 ? "even" : $"odd {i}")),
                ReceivedDate = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 1, 1 + (i / 2), 12, 0, 0, TimeSpan.Zero)),
            }, session);
        }

        foreach (var sort in new[]
                 {
                     new SortOrder { Tag = PropTag.ReceivedDate, Descending = true },
                     new SortOrder { Tag = PropTag.Size, Descending = false },
                 })
        {
            var whole = await items.QueryAsync(new QueryRequest { FolderId = inbox.FolderId, Sort = { sort }, Limit = 100 }, session);
            Assert.That(whole.Rows, Has.Count.EqualTo(9));
            var walked = new List<string>();
            var query = new QueryRequest { FolderId = inbox.FolderId, Sort = { sort }, Limit = 2 };
            for (var page = 0; page < 10; page++)
            {
                var answer = await items.QueryAsync(query, session);
                walked.AddRange(answer.Rows.Select(r => r.ItemId));
                if (answer.NextCursor.Length == 0)
                {
                    break;
                }

                query.Cursor = answer.NextCursor;
            }

            Assert.That(walked, Is.EqualTo(whole.Rows.Select(r => r.ItemId)), $"walk by {sort.Tag}");
        }

        // Newest first: a row arriving after the first page sorts before the cursor and is not seen by this walk,
        // and no row already returned comes again.
        var newest = new QueryRequest { FolderId = inbox.FolderId, Sort = { new SortOrder { Tag = PropTag.ReceivedDate, Descending = true } }, Limit = 4 };
        var first = await items.QueryAsync(newest, session);
        await items.CreateAsync(new CreateItemRequest
        {
            FolderId = inbox.FolderId,
            Mime = ByteString.CopyFrom(Mime(login, "late")),
            ReceivedDate = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 2, 1, 12, 0, 0, TimeSpan.Zero)),
        }, session);
        newest.Cursor = first.NextCursor;
        newest.Limit = 100;
        var rest = await items.QueryAsync(newest, session);
        Assert.That(first.Rows.Select(r => r.ItemId).Concat(rest.Rows.Select(r => r.ItemId)), Is.Unique);
        Assert.That(first.Rows.Count + rest.Rows.Count, Is.EqualTo(9), "the nine rows that were there, each once");

        var (code, detail) = await RefusedAsync(() => items.QueryAsync(new QueryRequest
        {
            FolderId = inbox.FolderId, Sort = { new SortOrder { Tag = PropTag.Size } }, Cursor = first.NextCursor, Limit = 2,
        }, session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.InvalidArgument, "cursor-mismatch")));
        (code, detail) = await RefusedAsync(() => items.QueryAsync(new QueryRequest
        {
            FolderId = inbox.FolderId, Sort = { new SortOrder { Tag = PropTag.ReceivedDate, Descending = true } }, Cursor = first.NextCursor[..^3] + "xyz", Limit = 2,
        }, session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.InvalidArgument, "invalid-cursor")));
    }
}
