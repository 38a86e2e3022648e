namespace Groupware.Imap.Syntax;

/// <summary>What STORE does with the flags it is given (RFC 9051 §6.4.6).</summary>
internal enum StoreOperation
{
    /// <summary><c>FLAGS</c>: replace the flags with these.</summary>
    Replace,

    /// <summary><c>+FLAGS</c>: add these.</summary>
    Add,

    /// <summary><c>-FLAGS</c>: remove these.</summary>
    Remove,
}

/// <summary>
/// STORE's arguments after the sequence set (RFC 9051 §6.4.6 and §9 <c>store-att-flags</c>): the
/// store modifier UNCHANGEDSINCE (RFC 7162 §3.1.3, RFC 4466 §2.5), FLAGS, +FLAGS or -FLAGS with or
/// without .SILENT, and the flags as a list or bare.
/// </summary>
/// <param name="Operation">Replace, add or remove.</param>
/// <param name="Silent">True for <c>.SILENT</c>: no untagged FETCH for the change itself.</param>
/// <param name="Flags">The flags, system flags in their RFC spelling, keywords as sent, duplicates removed.</param>
/// <param name="UnchangedSince">UNCHANGEDSINCE's mod-sequence (0 allowed), or null.</param>
internal sealed record StoreArguments(StoreOperation Operation, bool Silent, IReadOnlyList<string> Flags, long? UnchangedSince)
{
    /// <summary>Reads the rest of a STORE command after its sequence set and SP, to the end of the command.</summary>
    public static bool TryParse(ImapReader reader, out StoreArguments arguments, out string error)
    {
        ArgumentNullException.ThrowIfNull(reader);
        arguments = new StoreArguments(StoreOperation.Replace, false, [], null);
        long? unchangedSince = null;
        if (reader.Peek() == '(')
        {
            if (!reader.TryReadList(r => TryReadModifier(r, ref unchangedSince), allowEmpty: false) || !reader.TrySpace())
            {
                error = reader.Error;
                return false;
            }
        }

        var start = reader.Position;
        if (!reader.TryReadAtom(out var item))
        {
            error = "expected FLAGS, +FLAGS or -FLAGS";
            return false;
        }

        var upper = item.ToUpperInvariant();
        var silent = upper.EndsWith(".SILENT", StringComparison.Ordinal);
        StoreOperation? operation = (silent ? upper[..^".SILENT".Length] : upper) switch
        {
            "FLAGS" => StoreOperation.Replace,
            "+FLAGS" => StoreOperation.Add,
            "-FLAGS" => StoreOperation.Remove,
            _ => null,
        };
        if (operation is null)
        {
            reader.Restore(start);
            error = $"unknown STORE data item {item}: expected FLAGS, +FLAGS or -FLAGS, with or without .SILENT";
            return false;
        }

        if (!reader.TrySpace())
        {
            error = $"{item} needs flags";
            return false;
        }

        IReadOnlyList<string> flags;
        if (reader.Peek() == '(')
        {
            if (!reader.TryReadFlagList(out flags))
            {
                error = reader.Error;
                return false;
            }
        }
        else
        {
            var bare = new List<string>();
            while (true)
            {
                if (!reader.TryReadFlag(out var flag))
                {
                    error = reader.Error;
                    return false;
                }

                if (!bare.Contains(flag, StringComparer.OrdinalIgnoreCase))
                {
                    bare.Add(flag);
                }

                if (reader.AtEnd)
                {
                    break;
                }

                if (!reader.TrySpace())
                {
                    error = reader.Error;
                    return false;
                }
            }

            flags = bare;
        }

        if (!reader.TryEnd())
        {
            error = reader.Error;
            return false;
        }

        arguments = new StoreArguments(operation.Value, silent, flags, unchangedSince);
        error = "";
        return true;
    }

    public bool Equals(StoreArguments? other) =>
        other is not null && Operation == other.Operation && Silent == other.Silent && UnchangedSince == other.UnchangedSince &&
        Flags.SequenceEqual(other.Flags, StringComparer.OrdinalIgnoreCase);

    public override int GetHashCode() => HashCode.Combine(Operation, Silent, UnchangedSince, Flags.Count);

    /// <summary>RFC 4466 §2.5 <c>store-modifier</c>: UNCHANGEDSINCE mod-sequence-valzer, given once (RFC 7162 §7).</summary>
    private static bool TryReadModifier(ImapReader reader, ref long? unchangedSince)
    {
        var start = reader.Position;
        if (!reader.TryReadAtom(out var name))
        {
            return reader.Refuse("expected a STORE modifier");
        }

        if (!name.Equals("UNCHANGEDSINCE", StringComparison.OrdinalIgnoreCase))
        {
            reader.Restore(start);
            return reader.Refuse($"unknown STORE modifier {name}");
        }

        if (unchangedSince is not null)
        {
            reader.Restore(start);
            return reader.Refuse("UNCHANGEDSINCE is given twice");
        }

        if (!reader.TrySpace() || !reader.TryReadNumber64(out var modSeq))
        {
            reader.Restore(start);
            return reader.Refuse("UNCHANGEDSINCE needs a mod-sequence");
        }

        unchangedSince = modSeq;
        return true;
    }
}
