using System.Globalization;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;
using SortKey = Groupware.Storage.Mail.SortKey;

namespace Groupware.Imap.Commands;

/// <summary>
/// SORT (sort-criteria) charset criteria and UID SORT (RFC 5256 §3), with RFC 5957's DISPLAYFROM and
/// DISPLAYTO: the criteria are searched as SEARCH does (one store query), then the store orders the
/// matches by keys that were computed when each message was stored (base subject, sent date, the
/// ENVELOPE's first addresses). Answers <c>* SORT</c> with message numbers, or UIDs for UID SORT; no
/// EXPUNGE is announced during SORT by number. With ESORT's RETURN (RFC 5267 §3) the answer is
/// <c>* ESEARCH</c>: MIN and MAX the first and the last message in the sort order, ALL every one in
/// that order (ranges only where the order ascends by one), COUNT; SAVE keeps the result as <c>$</c>
/// (RFC 5182 §2.4).
/// </summary>
internal sealed record SortCommand(IReadOnlyList<SortCriterion> Criteria, SearchProgram Program, bool ByUid, SearchReturnOptions? Return = null)
    : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session, bool byUid)
    {
        var criteria = new List<SortCriterion>();
        if (!reader.TrySpace())
        {
            return "Syntax: SORT [RETURN (options)] (sort-criteria) charset search-criteria, e.g. SORT (REVERSE DATE) UTF-8 ALL";
        }

        if (!SearchProgram.TryParseReturn(reader, out var options, out var returnError))
        {
            return returnError;
        }

        if (!reader.TryReadList(r => TryReadCriterion(r, criteria), allowEmpty: false) || !reader.TrySpace())
        {
            return "Syntax: SORT (sort-criteria) charset search-criteria, e.g. SORT (REVERSE DATE) UTF-8 ALL";
        }

        if (!SearchProgram.TryParseCriteria(reader, out var program, out var error, out var badCharset))
        {
            return badCharset ? new SearchCommand.UnsupportedCharset() : error;
        }

        return new SortCommand(criteria, program, byUid, options);
    }

    /// <summary>RFC 5256 §5 <c>sort-criterion</c>: <c>["REVERSE" SP] sort-key</c>.</summary>
    private static bool TryReadCriterion(ImapReader reader, List<SortCriterion> criteria)
    {
        var reverse = false;
        if (!reader.TryReadAtom(out var word))
        {
            return false;
        }

        if (word.Equals("REVERSE", StringComparison.OrdinalIgnoreCase))
        {
            reverse = true;
            if (!reader.TrySpace() || !reader.TryReadAtom(out word))
            {
                return false;
            }
        }

        SortKey? key = word.ToUpperInvariant() switch
        {
            "ARRIVAL" => SortKey.Arrival,
            "CC" => SortKey.Cc,
            "DATE" => SortKey.Date,
            "FROM" => SortKey.From,
            "SIZE" => SortKey.Size,
            "SUBJECT" => SortKey.Subject,
            "TO" => SortKey.To,
            "DISPLAYFROM" => SortKey.DisplayFrom,
            "DISPLAYTO" => SortKey.DisplayTo,
            _ => null,
        };
        if (key is null)
        {
            return reader.Refuse($"{word} is not a sort key (ARRIVAL CC DATE FROM SIZE SUBJECT TO DISPLAYFROM DISPLAYTO)");
        }

        criteria.Add(new SortCriterion(key.Value, reverse));
        return true;
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        var (known, error) = await SearchCommand.FindKnownAsync(session, Program, ByUid, cancellationToken);
        if (error is not null)
        {
            return ImapResult.Bad(error);
        }

        var sorted = await session.Store.SortAsync(session.Account!.Id, selected.MailboxId, known, Criteria, cancellationToken);
        var numbers = sorted.Select(uid => ByUid ? uid : selected.SequenceOf(uid)).Where(n => n > 0).ToList();
        if (Return is null)
        {
            session.WriteLine("* SORT" + string.Concat(numbers.Select(n => " " + n.ToString(CultureInfo.InvariantCulture))));
            return ImapResult.Ok("Sort completed.");
        }

        var options = Return.Value == SearchReturnOptions.None ? SearchReturnOptions.All : Return.Value;
        if ((options & SearchReturnOptions.Save) != 0)
        {
            session.SavedSearch = sorted.Where(uid => selected.SequenceOf(uid) > 0).ToList();
            if (options == SearchReturnOptions.Save)
            {
                return ImapResult.Ok("Sort completed; result saved.");
            }
        }

        var all = (options & SearchReturnOptions.All) != 0 && numbers.Count > 0 ? InOrder(numbers) : "";
        SearchCommand.WriteESearch(session, tag, ByUid, options, numbers.Count, numbers.Count > 0 ? numbers[0] : 0, numbers.Count > 0 ? numbers[^1] : 0,
            all, modSeq: 0);
        return ImapResult.Ok("Sort completed.");
    }

    /// <summary>A sequence-set that keeps the sort order (RFC 5267 §3.1): runs that ascend by one as ranges, the rest one by one.</summary>
    private static string InOrder(List<long> numbers)
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < numbers.Count; i++)
        {
            var end = i;
            while (end + 1 < numbers.Count && numbers[end + 1] == numbers[end] + 1)
            {
                end++;
            }

            text.Append(text.Length == 0 ? "" : ",").Append(numbers[i].ToString(CultureInfo.InvariantCulture));
            if (end > i)
            {
                text.Append(':').Append(numbers[end].ToString(CultureInfo.InvariantCulture));
                i = end;
            }
        }

        return text.ToString();
    }
}
