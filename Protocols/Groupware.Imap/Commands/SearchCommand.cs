using System.Globalization;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;
using StorageDates = Groupware.Storage.Mail.DateComparison;

namespace Groupware.Imap.Commands;

/// <summary>
/// SEARCH [RETURN (options)] [CHARSET c] criteria and UID SEARCH (RFC 9051 §6.4.4, ESEARCH RFC 4731,
/// SEARCHRES RFC 5182). The criteria become one store query (SQL stays in Storage): message numbers
/// and UIDs are turned into UID ranges against this session's view, \Recent into this session's
/// recent UIDs. Answers with <c>* SEARCH</c> for an IMAP4rev1 client that asked for no return
/// options, with <c>* ESEARCH</c> otherwise (always under IMAP4rev2); SAVE keeps the result as
/// <c>$</c>. Only messages the client knows of are answered (new ones are announced first).
/// The MODSEQ criterion (RFC 7162 §3.1.5) enables CONDSTORE, and a search that has it answers the
/// highest MODSEQ of what it found: <c>(MODSEQ n)</c> after SEARCH's numbers (§3.1.6), ESEARCH's
/// MODSEQ result (§3.1.10, RFC 4731 §3.2).
/// </summary>
internal sealed record SearchCommand(SearchProgram Program, bool ByUid) : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session, bool byUid)
    {
        if (!reader.TrySpace())
        {
            return "Syntax: SEARCH [RETURN (options)] [CHARSET charset] criteria";
        }

        if (!SearchProgram.TryParse(reader, out var program, out var error, out var badCharset))
        {
            return badCharset ? new UnsupportedCharset() : error;
        }

        return new SearchCommand(program, byUid);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        var byModSeq = HasModSeq(Program.Criteria);
        if (byModSeq)
        {
            session.EnableCondStore();
        }

        session.ExpungesHeld = !ByUid;
        if (!TryTranslate(Program.Criteria, session, selected, out var query, out var error))
        {
            return ImapResult.Bad(error!);
        }

        var found = await session.Store.SearchAsync(session.Account!.Id, selected.MailboxId, query, cancellationToken);
        var known = found.Select(uid => (Uid: uid, Sequence: selected.SequenceOf(uid))).Where(m => m.Sequence > 0).ToList();
        var numbers = known.Select(m => (uint)(ByUid ? m.Uid : m.Sequence)).Order().ToList();
        var options = Program.EffectiveReturn;
        if ((options & SearchReturnOptions.Save) != 0)
        {
            session.SavedSearch = known.Select(m => m.Uid).ToList();
        }

        if (Program.Return is null && !session.Rev2)
        {
            var modSeq = byModSeq && known.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $" (MODSEQ {known.Max(m => selected.At(m.Sequence).ModSeq)})")
                : "";
            session.WriteLine("* SEARCH" + string.Concat(numbers.Select(n => " " + n.ToString(CultureInfo.InvariantCulture))) + modSeq);
            return ImapResult.Ok("Search completed.");
        }

        if (options == SearchReturnOptions.Save)
        {
            // RFC 5182 §2.1: SAVE alone gives no ESEARCH response.
            return ImapResult.Ok("Search completed; result saved.");
        }

        var highest = byModSeq && known.Count > 0 ? HighestModSeqReturned(selected, known, options, ByUid) : 0;
        var all = (options & SearchReturnOptions.All) != 0 && numbers.Count > 0 ? SequenceSet.FormatCompact(numbers) : "";
        WriteESearch(session, tag, ByUid, options, numbers.Count, numbers.Count > 0 ? numbers[0] : 0, numbers.Count > 0 ? numbers[^1] : 0, all, highest);
        return ImapResult.Ok("Search completed.");
    }

    /// <summary>
    /// The ESEARCH response (RFC 4731 §3.1, RFC 9051 §7.3.4) of SEARCH and of ESORT's SORT (RFC 5267 §3.1):
    /// MIN and MAX are the <paramref name="first"/> and the <paramref name="last"/> of the <paramref name="count"/>
    /// results (ascending for SEARCH, in the sort order for SORT), ALL is <paramref name="all"/>, and
    /// MODSEQ comes when above 0. MIN, MAX and ALL are left out when nothing was found.
    /// </summary>
    internal static void WriteESearch(ImapSession session, string tag, bool byUid, SearchReturnOptions options, int count, long first, long last,
        string all, long modSeq)
    {
        var writer = session.ResponseWriter();
        writer.WriteText("* ESEARCH (TAG ");
        writer.WriteString(tag);
        writer.WriteText(byUid ? ") UID" : ")");
        if ((options & SearchReturnOptions.Min) != 0 && count > 0)
        {
            writer.WriteText(string.Create(CultureInfo.InvariantCulture, $" MIN {first}"));
        }

        if ((options & SearchReturnOptions.Max) != 0 && count > 0)
        {
            writer.WriteText(string.Create(CultureInfo.InvariantCulture, $" MAX {last}"));
        }

        if ((options & SearchReturnOptions.All) != 0 && count > 0)
        {
            writer.WriteText(" ALL " + all);
        }

        if ((options & SearchReturnOptions.Count) != 0)
        {
            writer.WriteText(string.Create(CultureInfo.InvariantCulture, $" COUNT {count}"));
        }

        if (modSeq > 0)
        {
            writer.WriteText(string.Create(CultureInfo.InvariantCulture, $" MODSEQ {modSeq}"));
        }

        writer.WriteCrlf();
    }

    /// <summary>Whether the criteria have a MODSEQ key anywhere (RFC 7162 §3.1.5).</summary>
    private static bool HasModSeq(SearchKey key) => key switch
    {
        ModSeqKey => true,
        NotKey { Key: var inner } => HasModSeq(inner),
        OrKey { Left: var left, Right: var right } => HasModSeq(left) || HasModSeq(right),
        AndKey { Keys: var keys } => keys.Any(HasModSeq),
        _ => false,
    };

    /// <summary>
    /// ESEARCH's MODSEQ (RFC 4731 §3.2): the highest MODSEQ of the messages the result returns, which
    /// for MIN and MAX alone is those two, and for ALL or COUNT all that were found.
    /// </summary>
    private static long HighestModSeqReturned(SelectedMailbox selected, List<(long Uid, int Sequence)> found, SearchReturnOptions options, bool byUid)
    {
        if ((options & (SearchReturnOptions.All | SearchReturnOptions.Count)) != 0)
        {
            return found.Max(m => selected.At(m.Sequence).ModSeq);
        }

        var ordered = found.OrderBy(m => byUid ? m.Uid : m.Sequence).ToList();
        var returned = new List<(long Uid, int Sequence)>();
        if ((options & SearchReturnOptions.Min) != 0)
        {
            returned.Add(ordered[0]);
        }

        if ((options & SearchReturnOptions.Max) != 0)
        {
            returned.Add(ordered[^1]);
        }

        return returned.Count == 0 ? 0 : returned.Max(m => selected.At(m.Sequence).ModSeq);
    }

    /// <summary>
    /// SORT's and THREAD's search (RFC 5256 §3): the UIDs, ascending, of the messages that match and that the
    /// client knows of; or why the criteria cannot be searched. No EXPUNGE is announced meanwhile unless by UID.
    /// </summary>
    internal static async ValueTask<(List<long> Uids, string? Error)> FindKnownAsync(ImapSession session, SearchProgram program, bool byUid,
        CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        session.ExpungesHeld = !byUid;
        if (!TryTranslate(program.Criteria, session, selected, out var query, out var error))
        {
            return ([], error);
        }

        var found = await session.Store.SearchAsync(session.Account!.Id, selected.MailboxId, query, cancellationToken);
        return (found.Where(uid => selected.SequenceOf(uid) > 0).Order().ToList(), null);
    }

    /// <summary>Turns the criteria into a store query; message numbers and UIDs by this session's view (also SORT's and THREAD's).</summary>
    internal static bool TryTranslate(SearchKey key, ImapSession session, SelectedMailbox selected, out MessageQuery query, out string? error)
    {
        error = null;
        query = MessageQuery.All;
        switch (key)
        {
            case AllKey:
                return true;
            case SequenceSetKey { Set: var set }:
                if (!selected.TryResolve(set, byUid: false, session.SavedSearch, out var bySequence, out error, lenient: true))
                {
                    return false;
                }

                query = UidsOf(bySequence.Select(m => m.Message.Uid));
                return true;
            case UidKey { Set: var uids }:
                if (uids.IsSavedResult)
                {
                    query = UidsOf(session.SavedSearch ?? []);
                }
                else
                {
                    var highest = selected.MaxUid == 0 ? (uint)Math.Min(selected.UidNext, uint.MaxValue) : (uint)selected.MaxUid;
                    query = MessageQuery.Uids([.. uids.Resolve(highest).Ranges.Select(r => new UidRange(r.First, r.Last))]);
                }

                return true;
            case FlagKey { Flag: var flag, Set: var set }:
                query = FlagQuery(flag, set, selected);
                return true;
            case TextKey { Field: var field, Value: var value }:
                query = field switch
                {
                    SearchTextField.Bcc => MessageQuery.Bcc(value),
                    SearchTextField.Body => MessageQuery.Body(value),
                    SearchTextField.Cc => MessageQuery.Cc(value),
                    SearchTextField.From => MessageQuery.From(value),
                    SearchTextField.Subject => MessageQuery.Subject(value),
                    SearchTextField.To => MessageQuery.To(value),
                    _ => MessageQuery.Text(value),
                };
                return true;
            case HeaderKey { FieldName: var name, Value: var value }:
                query = MessageQuery.Header(name, value);
                return true;
            case DateKey { Field: var field, Comparison: var comparison, Date: var date }:
                var storage = comparison switch
                {
                    Syntax.DateComparison.Before => StorageDates.Before,
                    Syntax.DateComparison.On => StorageDates.On,
                    _ => StorageDates.Since,
                };
                query = field switch
                {
                    SearchDateField.Internal => MessageQuery.Internal(storage, date),
                    SearchDateField.Saved => MessageQuery.Saved(storage, date),
                    _ => MessageQuery.Sent(storage, date),
                };
                return true;
            case SizeKey { Larger: var larger, Octets: var octets }:
                query = larger ? MessageQuery.Larger(octets) : MessageQuery.Smaller(octets);
                return true;
            case ModSeqKey { ModSeq: var modSeq }:
                query = MessageQuery.ModSeqAtLeast(modSeq);
                return true;
            case WithinKey { Younger: var younger, Seconds: var seconds }:
                // RFC 5032 §3: measured from now; an interval reaching before year 1 holds every message.
                var now = session.Time.GetUtcNow();
                if (seconds >= (now - DateTimeOffset.MinValue).TotalSeconds)
                {
                    query = younger ? MessageQuery.All : MessageQuery.Uids();
                    return true;
                }

                var cutoff = now.AddSeconds(-seconds);
                query = younger ? MessageQuery.ReceivedAtOrAfter(cutoff) : MessageQuery.ReceivedBefore(cutoff);
                return true;
            case ObjectIdKey { Thread: true }:
                // RFC 8474 §5.2: every message here has THREADID NIL, so no message has the identifier.
                query = MessageQuery.Uids();
                return true;
            case ObjectIdKey { ObjectId: var emailId }:
                query = MessageQuery.EmailId(emailId);
                return true;
            case NotKey { Key: var inner }:
                if (!TryTranslate(inner, session, selected, out var negated, out error))
                {
                    return false;
                }

                query = MessageQuery.Not(negated);
                return true;
            case OrKey { Left: var left, Right: var right }:
                if (!TryTranslate(left, session, selected, out var first, out error) || !TryTranslate(right, session, selected, out var second, out error))
                {
                    return false;
                }

                query = MessageQuery.Or(first, second);
                return true;
            case AndKey { Keys: var keys }:
                var parts = new List<MessageQuery>(keys.Count);
                foreach (var part in keys)
                {
                    if (!TryTranslate(part, session, selected, out var translated, out error))
                    {
                        return false;
                    }

                    parts.Add(translated);
                }

                query = parts.Count == 1 ? parts[0] : MessageQuery.And(parts);
                return true;
            default:
                error = $"{key} cannot be searched for.";
                return false;
        }
    }

    private static MessageQuery FlagQuery(string flag, bool set, SelectedMailbox selected)
    {
        SystemFlags? system = flag.ToUpperInvariant() switch
        {
            @"\SEEN" => SystemFlags.Seen,
            @"\ANSWERED" => SystemFlags.Answered,
            @"\FLAGGED" => SystemFlags.Flagged,
            @"\DELETED" => SystemFlags.Deleted,
            @"\DRAFT" => SystemFlags.Draft,
            _ => null,
        };
        if (system is { } flags)
        {
            return set ? MessageQuery.FlagSet(flags) : MessageQuery.FlagUnset(flags);
        }

        if (string.Equals(flag, @"\Recent", StringComparison.OrdinalIgnoreCase))
        {
            // \Recent lives in the session (RFC 3501 §2.3.2): the UIDs this session was first to see.
            var recent = UidsOf(selected.All.Where(m => selected.IsRecent(m.Message.Uid)).Select(m => m.Message.Uid));
            return set ? recent : MessageQuery.Not(recent);
        }

        return set ? MessageQuery.KeywordSet(flag) : MessageQuery.KeywordUnset(flag);
    }

    /// <summary>A UID query for these UIDs, runs of consecutive UIDs as ranges.</summary>
    private static MessageQuery UidsOf(IEnumerable<long> uids)
    {
        var ranges = new List<UidRange>();
        foreach (var uid in uids.Order())
        {
            if (ranges.Count > 0 && ranges[^1].Last + 1 >= uid)
            {
                ranges[^1] = ranges[^1] with { Last = Math.Max(ranges[^1].Last, uid) };
            }
            else
            {
                ranges.Add(UidRange.Only(uid));
            }
        }

        return MessageQuery.Uids([.. ranges]);
    }

    /// <summary>SEARCH (or SORT, THREAD) with a charset this server does not search in: NO [BADCHARSET (...)] (RFC 9051 §6.4.4).</summary>
    internal sealed record UnsupportedCharset : ImapCommand
    {
        public override ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ImapResult.No("That charset is not supported.", $"BADCHARSET ({string.Join(' ', SearchProgram.SupportedCharsets)})"));
    }
}
