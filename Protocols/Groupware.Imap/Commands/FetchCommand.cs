using System.Globalization;
using Groupware.Imap.Responses;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// FETCH set items and UID FETCH (RFC 9051 §6.4.5, §6.4.9; RFC 3501's RFC822 items; BINARY RFC 3516).
/// Metadata (flags, dates, sizes, ENVELOPE, BODYSTRUCTURE) comes from the store in one query per
/// batch; a section is read as the octet range its part offsets give (stored at delivery), never by
/// re-parsing the message; a whole message or a large part streams as a literal. Fetching a section
/// without .PEEK sets \Seen (FLAGS is then part of the answer). No EXPUNGE is announced during FETCH
/// by number. CONDSTORE (RFC 7162 §3.1.4): MODSEQ and CHANGEDSINCE (which only answers messages whose
/// MODSEQ is higher, and implies MODSEQ) enable it; QRESYNC's VANISHED modifier (§3.2.6, UID FETCH
/// only, after ENABLE QRESYNC, with CHANGEDSINCE) answers the UIDs of the set expunged since first,
/// as VANISHED (EARLIER).
/// </summary>
internal sealed record FetchCommand(SequenceSet Set, FetchItems Items, bool ByUid) : ImapCommand
{
    /// <summary>Messages whose metadata one query reads.</summary>
    private const int BatchSize = 256;

    private enum FetchOutcome
    {
        Written,
        Expunged,
        UnknownEncoding,
    }

    public static ParseResult Parse(ImapReader reader, ImapSession session, bool byUid)
    {
        if (!reader.TrySpace() || !reader.TryReadSequenceSet(out var set) || !reader.TrySpace())
        {
            return "Syntax: FETCH set (items)";
        }

        if (!FetchItems.TryParse(reader, out var items, out var error))
        {
            return error;
        }

        // RFC 7162 §3.2.6: each of these is a BAD.
        if (items.Vanished && !byUid)
        {
            return "VANISHED is a modifier of UID FETCH only.";
        }

        if (items.Vanished && items.ChangedSince is null)
        {
            return "VANISHED needs CHANGEDSINCE.";
        }

        if (items.Vanished && !session.QResync)
        {
            return "VANISHED is a FETCH modifier only after ENABLE QRESYNC.";
        }

        return new FetchCommand(set, items, byUid);
    }

    /// <summary>Whether MODSEQ is part of each answer: asked for, or implied by CHANGEDSINCE (RFC 7162 §3.1.4.1).</summary>
    private bool WritesModSeq => Items.ChangedSince is not null || Items.Attributes.Any(a => a is FetchItemAttribute { Item: FetchItem.ModSeq });

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        if (WritesModSeq)
        {
            session.EnableCondStore();
        }

        await session.HoldOrAnnounceExpungesAsync(ByUid, cancellationToken);

        if (!selected.TryResolve(Set, ByUid, session.SavedSearch, out var messages, out var error, changedSince: Items.ChangedSince))
        {
            return ImapResult.Bad(error!);
        }

        if (Items is { ChangedSince: { } changedSince, Vanished: true } && !await WriteVanishedAsync(session, selected, changedSince, cancellationToken))
        {
            return ImapResult.No("The mailbox is gone.", "NONEXISTENT");
        }

        var accountId = session.Account!.Id;
        var seenChanged = new HashSet<long>();
        if (Items.SetsSeen && !selected.ReadOnly)
        {
            var unseen = messages.Where(m => (m.Message.Flags & SystemFlags.Seen) == 0).Select(m => m.Message.Uid).ToList();
            if (unseen.Count > 0)
            {
                var stored = await session.Store.StoreFlagsAsync(accountId, selected.MailboxId, unseen, FlagChange.Add, SystemFlags.Seen, [], null,
                    cancellationToken);
                selected.Stored(stored);
                seenChanged.UnionWith(stored.Updated.Select(s => s.Uid));
            }
        }

        var unknownEncoding = false;
        var needsMetadata = Items.Attributes.Any(a => a is not FetchItemAttribute { Item: FetchItem.Flags or FetchItem.Uid or FetchItem.ModSeq });

        // The structure (with the part offsets) is what sections and BODY/BODYSTRUCTURE need; a mail
        // list's FETCH (UID FLAGS ENVELOPE) does without converting it from jsonb for every message.
        var needsStructure = Items.Attributes.Any(a => a is not FetchItemAttribute
        {
            Item: FetchItem.Flags or FetchItem.Uid or FetchItem.ModSeq or FetchItem.Envelope or FetchItem.InternalDate or FetchItem.Rfc822Size
                or FetchItem.Preview or FetchItem.SaveDate or FetchItem.EmailId or FetchItem.ThreadId,
        });
        var needsPreview = Items.Attributes.Any(a => a is FetchItemAttribute { Item: FetchItem.Preview });
        var missing = false;
        for (var start = 0; start < messages.Count; start += BatchSize)
        {
            var batch = messages.Skip(start).Take(BatchSize).ToList();
            var metadata = needsMetadata
                ? (await session.Store.FetchAsync(accountId, selected.MailboxId, batch.Select(m => m.Message.Uid).ToList(), needsStructure,
                    needsPreview, cancellationToken))
                    .ToDictionary(m => m.Uid)
                : null;
            foreach (var (_, message) in batch)
            {
                var sequence = selected.SequenceOf(message.Uid);
                MessageMetadata? meta = null;
                if (sequence == 0 || (metadata is not null && !metadata.TryGetValue(message.Uid, out meta)))
                {
                    // Expunged by another session since the client last heard: RFC 9051 §7.5.1 lets the server skip it.
                    missing = true;
                    continue;
                }

                var outcome = await WriteMessageAsync(session, selected, sequence, selected.At(sequence), meta, seenChanged.Contains(message.Uid),
                    cancellationToken);
                missing |= outcome == FetchOutcome.Expunged;
                unknownEncoding |= outcome == FetchOutcome.UnknownEncoding;
                await session.FlushIfLargeAsync(cancellationToken);
            }
        }

        if (unknownEncoding)
        {
            return ImapResult.No("A part has a content transfer encoding this server cannot decode; fetch it with BODY instead.", "UNKNOWN-CTE");
        }

        // RFC 5530 §3 EXPUNGEISSUED, RFC 2180 §4.1.3: what is left is answered, and the client is told
        // that another session expunged the rest. OK rather than NO, as RFC 5530's own example does: the
        // command did what could be done, and a client treating NO as failure would retry in vain.
        if (missing)
        {
            return ImapResult.Ok("Fetch completed; some messages were expunged meanwhile.", "EXPUNGEISSUED");
        }

        return ImapResult.Ok("Fetch completed.");
    }

    /// <summary>
    /// UID FETCH's VANISHED (RFC 7162 §3.2.6): the UIDs of the set expunged after
    /// <paramref name="changedSince"/>, from the expunge records; when those may have been pruned, every
    /// UID of the set below UIDNEXT that the mailbox does not hold. False when the mailbox is gone.
    /// </summary>
    private async ValueTask<bool> WriteVanishedAsync(ImapSession session, SelectedMailbox selected, long changedSince, CancellationToken cancellationToken)
    {
        var found = await session.Store.VanishedSinceAsync(session.Account!.Id, selected.MailboxId, changedSince, cancellationToken);
        if (found is not { } vanished)
        {
            return false;
        }

        var highest = QuickResync.HighestUid(selected);
        var uids = Set.IsSavedResult
            ? ResolvedSequenceSet.FromNumbers((session.SavedSearch ?? []).Select(u => (uint)u))
            : Set.Resolve(Math.Max(highest, 1));
        var recorded = vanished.Uids.Where(u => u <= highest && uids.Contains((uint)u)).Select(u => (uint)u);
        QuickResync.WriteVanishedEarlier(session, changedSince >= vanished.ExpungedPrunedModSeq
            ? ResolvedSequenceSet.FromNumbers(recorded)
            : ResolvedSequenceSet.FromRanges(selected.Absent(uids, 0, highest).Concat(recorded.Select(u => (u, u)))));
        return true;
    }

    /// <summary>Writes one <c>* n FETCH (...)</c>, unless the message went away or a part cannot be decoded.</summary>
    private async ValueTask<FetchOutcome> WriteMessageAsync(ImapSession session, SelectedMailbox selected, int sequence, SelectedMailbox.Entry entry,
        MessageMetadata? meta, bool seenChanged, CancellationToken cancellationToken)
    {
        // Sections are read, and a whole message opened, before anything is written, so that a message
        // expunged meanwhile leaves no half response.
        var sections = new Dictionary<FetchAttribute, byte[]>();
        Stream? whole = null;
        foreach (var attribute in Items.Attributes)
        {
            if (IsWholeMessage(attribute))
            {
                try
                {
                    whole ??= await session.Store.OpenMessageAsync(session.Account!.Id, selected.MailboxId, entry.Uid, cancellationToken);
                }
                catch (MessageNotFoundException)
                {
                    return FetchOutcome.Expunged;
                }
            }
            else if (attribute is BodySectionAttribute or BinarySectionAttribute or BinarySizeAttribute
                or FetchItemAttribute { Item: FetchItem.Rfc822Header or FetchItem.Rfc822Text })
            {
                var octets = await MessageSections.ReadAsync(session, selected.MailboxId, meta!, attribute, cancellationToken);
                if (octets is not { } read)
                {
                    await (whole?.DisposeAsync() ?? ValueTask.CompletedTask);
                    return FetchOutcome.Expunged;
                }

                if (read.Refusal is not null)
                {
                    await (whole?.DisposeAsync() ?? ValueTask.CompletedTask);
                    return FetchOutcome.UnknownEncoding;
                }

                sections[attribute] = read.Octets;
            }
        }

        await using var wholeMessage = whole;
        var writer = session.ResponseWriter();
        writer.WriteText(string.Create(CultureInfo.InvariantCulture, $"* {sequence} FETCH ("));
        var first = true;
        void Separate()
        {
            if (!first)
            {
                writer.WriteSpace();
            }

            first = false;
        }

        var flagsWritten = false;
        var modSeqWritten = false;

        // With CONDSTORE, a FETCH that set \Seen tells UID and MODSEQ too (RFC 7162 §3.2.4).
        var tellsSeen = seenChanged && session.CondStore;
        if ((ByUid || tellsSeen) && !Items.Attributes.Any(a => a is FetchItemAttribute { Item: FetchItem.Uid }))
        {
            Separate();
            writer.WriteText(string.Create(CultureInfo.InvariantCulture, $"UID {entry.Uid}"));
        }

        foreach (var attribute in Items.Attributes)
        {
            Separate();
            switch (attribute)
            {
                case FetchItemAttribute { Item: FetchItem.Uid }:
                    writer.WriteText(string.Create(CultureInfo.InvariantCulture, $"UID {entry.Uid}"));
                    break;
                case FetchItemAttribute { Item: FetchItem.Flags }:
                    writer.WriteText($"FLAGS ({SelectedMailbox.FlagList(entry, session.Rev2 ? null : selected.IsRecent(entry.Uid))})");
                    flagsWritten = true;
                    break;
                case FetchItemAttribute { Item: FetchItem.ModSeq }:
                    writer.WriteText(string.Create(CultureInfo.InvariantCulture, $"MODSEQ ({entry.ModSeq})"));
                    modSeqWritten = true;
                    break;
                case FetchItemAttribute { Item: FetchItem.InternalDate }:
                    writer.WriteText("INTERNALDATE ");
                    writer.WriteDateTime(meta!.InternalDate);
                    break;
                case FetchItemAttribute { Item: FetchItem.SaveDate }:
                    writer.WriteText("SAVEDATE ");
                    writer.WriteDateTime(meta!.SaveDate);
                    break;
                case FetchItemAttribute { Item: FetchItem.EmailId }:
                    writer.WriteText($"EMAILID ({meta!.EmailId})");
                    break;
                case FetchItemAttribute { Item: FetchItem.ThreadId }:
                    // RFC 8474 §5.2: NIL where the server keeps no thread identifiers.
                    writer.WriteText("THREADID NIL");
                    break;
                case FetchItemAttribute { Item: FetchItem.Preview }:
                    writer.WriteText("PREVIEW ");
                    writer.WriteNString(meta!.Preview);
                    break;
                case FetchItemAttribute { Item: FetchItem.Rfc822Size }:
                    writer.WriteText(string.Create(CultureInfo.InvariantCulture, $"RFC822.SIZE {meta!.Size}"));
                    break;
                case FetchItemAttribute { Item: FetchItem.Envelope }:
                    writer.WriteText("ENVELOPE ");
                    writer.WriteEnvelope(meta!.EnvelopeJson);
                    break;
                case FetchItemAttribute { Item: FetchItem.Body or FetchItem.BodyStructure } structure:
                    var extensible = structure.Item == FetchItem.BodyStructure;
                    writer.WriteText(extensible ? "BODYSTRUCTURE " : "BODY ");
                    writer.WriteBodyStructure(meta!.BodyStructureJson, extensible);
                    break;
                case FetchItemAttribute { Item: FetchItem.Rfc822 }:
                    writer.WriteText("RFC822 ");
                    await StreamAsync(session, wholeMessage!, meta!.Size, writer, cancellationToken);
                    break;
                case BinarySizeAttribute:
                    writer.WriteText(string.Create(CultureInfo.InvariantCulture, $"{attribute.ResponseName} {sections[attribute]!.Length}"));
                    break;
                case BinarySectionAttribute:
                    writer.WriteText(attribute.ResponseName + " ");
                    writer.WriteBinary(sections[attribute]!);
                    break;
                case var _ when IsWholeMessage(attribute):
                    writer.WriteText(attribute.ResponseName + " ");
                    await StreamAsync(session, wholeMessage!, meta!.Size, writer, cancellationToken);
                    break;
                default:
                    writer.WriteText(attribute.ResponseName + " ");
                    writer.WriteLiteral(sections[attribute]!);
                    break;
            }
        }

        if (seenChanged && !flagsWritten)
        {
            Separate();
            writer.WriteText($"FLAGS ({SelectedMailbox.FlagList(entry, session.Rev2 ? null : selected.IsRecent(entry.Uid))})");
        }

        if ((tellsSeen || Items.ChangedSince is not null) && !modSeqWritten)
        {
            Separate();
            writer.WriteText(string.Create(CultureInfo.InvariantCulture, $"MODSEQ ({entry.ModSeq})"));
        }

        writer.WriteClose();
        writer.WriteCrlf();
        return FetchOutcome.Written;
    }

    /// <summary>BODY[] and RFC822 without a partial: the whole message, streamed rather than read into memory.</summary>
    private static bool IsWholeMessage(FetchAttribute attribute) =>
        attribute is FetchItemAttribute { Item: FetchItem.Rfc822 } or BodySectionAttribute { Section: { Part.IsMessage: true, Text: SectionText.None }, Partial: null };

    /// <summary>The whole message as a literal, streamed from the store a chunk at a time.</summary>
    private static async ValueTask StreamAsync(ImapSession session, Stream content, long size, ImapResponseWriter writer, CancellationToken cancellationToken)
    {
        writer.WriteLiteralHeader(size);
        var left = size;
        var buffer = new byte[64 * 1024];
        while (left > 0)
        {
            var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (read == 0)
            {
                throw new IOException($"a stored message ended {left} octets early");
            }

            writer.WriteRaw(buffer.AsSpan(0, read));
            left -= read;
            await session.FlushIfLargeAsync(cancellationToken);
        }
    }
}
