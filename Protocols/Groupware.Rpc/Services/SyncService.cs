using Grpc.Core;
using Groupware.Rpc.V1;
using Groupware.Storage.Mail;

namespace Groupware.Rpc.Services;

/// <summary>
/// Incremental change sync (Kopano's ICS, MAPI's IExchangeExportChanges) over the same MODSEQ and
/// expunge log as IMAP's CONDSTORE and QRESYNC (RFC 7162 §3.1.4.1, §3.2.5): a token says up to which
/// MODSEQ the client holds the folder; the reply has what changed after it, paged in (MODSEQ, UID)
/// order. A token from before the expunge log's horizon (<see cref="MailboxChanges.ExpungedPrunedModSeq"/>,
/// option Mail:ExpungedUidRetentionDays), or from an earlier UIDVALIDITY, is answered with a full
/// resync signal, never with a list that may lack deletions.
/// </summary>
internal sealed class SyncService(FolderCatalog catalog, MailStore mail, RpcOptions options) : V1.Sync.SyncBase
{
    public override async Task<SyncHierarchyReply> Hierarchy(SyncHierarchyRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var held = request.SyncToken.Length == 0 ? new Dictionary<string, string>(StringComparer.Ordinal)
            : SyncTokens.ParseHierarchy(request.SyncToken) ?? throw RpcErrors.BadRequest("invalid-token", "sync_token", "this is not a hierarchy sync token");
        var folders = await catalog.ListAsync(accountId, context.CancellationToken);
        var reply = new SyncHierarchyReply();
        var now = new List<(string, string)>(folders.Count);
        foreach (var folder in folders)
        {
            var digest = SyncTokens.Digest(folder);
            now.Add((folder.FolderId, digest));
            if (!held.TryGetValue(folder.FolderId, out var before) || before != digest)
            {
                reply.Changed.Add(folder);
            }
        }

        var present = folders.Select(f => f.FolderId).ToHashSet(StringComparer.Ordinal);
        reply.DeletedFolderIds.AddRange(held.Keys.Where(id => !present.Contains(id)).Order(StringComparer.Ordinal));
        reply.SyncToken = SyncTokens.Hierarchy(now);
        return reply;
    }

    public override async Task<SyncContentsReply> Contents(SyncContentsRequest request, ServerCallContext context)
    {
        var accountId = RpcCaller.Of(context).AccountId;
        var ct = context.CancellationToken;
        var limit = PageLimit.Of(request.Limit, options);
        var mailbox = await catalog.MailboxAsync(accountId, request.FolderId, ct);
        ContentsToken? token = null;
        if (request.SyncToken.Length > 0)
        {
            token = SyncTokens.ParseContents(request.SyncToken);
            if (token is null || token.MailboxId != mailbox.Id)
            {
                throw RpcErrors.BadRequest("invalid-token", "sync_token", "this is not a contents sync token of this folder");
            }
        }

        var changes = await mail.ChangesSinceAsync(accountId, mailbox.Id, token?.ModSeq ?? 0, ct) ?? throw RpcErrors.NoSuchFolder();
        if (token is not null && (token.UidValidity != changes.UidValidity || token.ModSeq < changes.ExpungedPrunedModSeq))
        {
            return new SyncContentsReply { FullResync = true };
        }

        var pending = changes.Changed
            .Where(c => token is null || (c.ModSeq, c.Uid).CompareTo((token.ResumeModSeq, token.ResumeUid)) > 0)
            .OrderBy(c => c.ModSeq).ThenBy(c => c.Uid)
            .ToList();
        var reply = new SyncContentsReply();
        var uidNext = token?.UidNext ?? 0;
        foreach (var state in pending.Take(limit))
        {
            var change = new ItemChange
            {
                ItemId = RpcIds.MailItem(mailbox.Id, changes.UidValidity, state.Uid),
                Kind = token is null || state.Uid >= uidNext ? ChangeKind.Added : ChangeKind.Changed,
                ChangeKey = RpcIds.ChangeKey(state.ModSeq),
                Flags = (uint)state.Flags,
            };
            change.Keywords.AddRange(state.Keywords);
            reply.Changes.Add(change);
        }

        if (pending.Count > limit)
        {
            // More to come: the same base MODSEQ, resuming after the last change sent.
            var last = pending[limit - 1];
            reply.More = true;
            reply.SyncToken = SyncTokens.Contents(new ContentsToken(mailbox.Id, changes.UidValidity, token?.ModSeq ?? 0, uidNext, last.ModSeq, last.Uid));
            return reply;
        }

        // The last page: the deletions since the base, and a token at the folder's HIGHESTMODSEQ read in the same snapshot.
        if (token is not null)
        {
            reply.DeletedItemIds.AddRange(changes.Expunged.Select(uid => RpcIds.MailItem(mailbox.Id, changes.UidValidity, uid)));
        }

        reply.SyncToken = SyncTokens.Contents(new ContentsToken(mailbox.Id, changes.UidValidity, changes.HighestModSeq, changes.UidNext, 0, 0));
        return reply;
    }
}

/// <summary>The page size of a request: its limit, the default for 0, refused above Rpc:MaxPageSize.</summary>
internal static class PageLimit
{
    public static int Of(uint requested, RpcOptions options, string field = "limit") =>
        requested == 0 ? options.DefaultPageSize
        : requested > options.MaxPageSize
            ? throw RpcErrors.OverLimit("page-too-large", "Rpc:MaxPageSize", options.MaxPageSize, field, $"a page of {requested} is too large")
            : (int)requested;
}
