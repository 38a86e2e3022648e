namespace Groupware.Imap.Syntax;

/// <summary>
/// QRESYNC's select parameter (RFC 7162 §3.2.5, §7 <c>select-param</c>): what the client last knew of
/// the mailbox, so that SELECT can answer only what changed since.
/// </summary>
/// <param name="UidValidity">The UIDVALIDITY the client's cache belongs to; another one means no resynchronisation.</param>
/// <param name="ModSeq">The last mod-sequence the client knows.</param>
/// <param name="KnownUids">The UIDs the client knows (<c>known-uids</c>), or null for all below UIDNEXT.</param>
/// <param name="KnownSequences">The message numbers of <c>seq-match-data</c>, or null.</param>
/// <param name="KnownSequenceUids">The UIDs the client holds at <paramref name="KnownSequences"/>, pairwise, or null.</param>
internal sealed record QResyncParameters(long UidValidity, long ModSeq, SequenceSet? KnownUids, SequenceSet? KnownSequences,
    SequenceSet? KnownSequenceUids);

/// <summary>
/// The select parameters of SELECT and EXAMINE (RFC 4466 §2.1 <c>select-params</c>): CONDSTORE
/// (RFC 7162 §3.1.8) and QRESYNC (§3.2.5). Unknown parameters are refused, as is a parameter given twice.
/// </summary>
/// <param name="CondStore">Whether CONDSTORE was given.</param>
/// <param name="QResync">QRESYNC's arguments, or null.</param>
internal sealed record SelectParameters(bool CondStore, QResyncParameters? QResync)
{
    public static SelectParameters None { get; } = new(false, null);

    /// <summary>Reads <c>"(" select-param *(SP select-param) ")"</c>, after the mailbox name and a space.</summary>
    public static bool TryParse(ImapReader reader, out SelectParameters parameters, out string error)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var condStore = false;
        QResyncParameters? qresync = null;
        string? refusal = null;
        var ok = reader.TryReadList(r =>
        {
            if (!r.TryReadAtom(out var name))
            {
                return r.Refuse("expected a select parameter");
            }

            switch (name.ToUpperInvariant())
            {
                case "CONDSTORE" when !condStore:
                    condStore = true;
                    return true;
                case "QRESYNC" when qresync is null:
                    if (!r.TrySpace() || !TryReadQResync(r, out qresync, out refusal))
                    {
                        return r.Refuse(refusal ?? "QRESYNC needs (uidvalidity mod-sequence [known-uids [(sequences uids)]])");
                    }

                    return true;
                case "CONDSTORE" or "QRESYNC":
                    return r.Refuse($"{name} is given twice");
                default:
                    return r.Refuse($"unknown select parameter {name}");
            }
        }, allowEmpty: false);

        parameters = new SelectParameters(condStore, qresync);
        error = ok ? "" : reader.Error;
        return ok;
    }

    /// <summary>RFC 7162 §7: <c>"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"</c>.</summary>
    private static bool TryReadQResync(ImapReader reader, out QResyncParameters? parameters, out string? error)
    {
        parameters = null;
        error = null;
        if (!reader.TryRead('(') || !reader.TryReadNzNumber(out var uidValidity) || !reader.TrySpace() || !reader.TryReadNumber64(out var modSeq))
        {
            return false;
        }

        SequenceSet? knownUids = null;
        SequenceSet? sequences = null;
        SequenceSet? sequenceUids = null;
        if (reader.Peek() == ' ')
        {
            reader.TrySpace();
            if (reader.Peek() != '(')
            {
                if (!TryReadKnownSet(reader, "known-uids", out knownUids, out error))
                {
                    return false;
                }

                if (reader.Peek() == ' ')
                {
                    reader.TrySpace();
                    if (reader.Peek() != '(')
                    {
                        error = "seq-match-data is a parenthesised list";
                        return false;
                    }
                }
            }

            if (reader.Peek() == '(')
            {
                reader.TryRead('(');
                if (!TryReadKnownSet(reader, "known-sequence-set", out sequences, out error) || !reader.TrySpace()
                    || !TryReadKnownSet(reader, "known-uid-set", out sequenceUids, out error) || !reader.TryRead(')'))
                {
                    error ??= "seq-match-data is (known-sequence-set known-uid-set)";
                    return false;
                }

                if (Count(sequences!) != Count(sequenceUids!))
                {
                    error = "seq-match-data must name as many UIDs as message numbers";
                    return false;
                }
            }
        }

        if (!reader.TryRead(')'))
        {
            return false;
        }

        parameters = new QResyncParameters(uidValidity, modSeq, knownUids, sequences, sequenceUids);
        return true;
    }

    /// <summary>A sequence set of explicit numbers: RFC 7162 §7 allows neither <c>*</c> nor (by its grammar) <c>$</c> here.</summary>
    private static bool TryReadKnownSet(ImapReader reader, string what, out SequenceSet? set, out string? error)
    {
        error = null;
        if (!reader.TryReadSequenceSet(out var read))
        {
            set = null;
            return false;
        }

        set = read;
        if (read.IsSavedResult || read.HasStar)
        {
            error = $"{what} must not contain * or $";
            return false;
        }

        return true;
    }

    private static long Count(SequenceSet set) => set.Ranges.Sum(r => (long)Math.Max(r.First, r.Last) - Math.Min(r.First, r.Last) + 1);
}
