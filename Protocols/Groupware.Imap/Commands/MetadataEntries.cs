namespace Groupware.Imap.Commands;

/// <summary>The entry names of METADATA (RFC 5464 §3.2) and their values on the wire.</summary>
internal static class MetadataEntries
{
    /// <summary>
    /// RFC 5464 §3.2.1: a name under <c>/private</c> or <c>/shared</c>, its components separated by
    /// single <c>/</c>, without a trailing one, <c>*</c>, <c>%</c> or control characters. GETMETADATA
    /// may name a prefix itself (<c>/private</c>) to list what is below it.
    /// </summary>
    public static bool IsValid(string entry, bool allowPrefix)
    {
        var lower = entry.ToLowerInvariant();
        var rest = lower.StartsWith("/private", StringComparison.Ordinal) ? lower["/private".Length..]
            : lower.StartsWith("/shared", StringComparison.Ordinal) ? lower["/shared".Length..]
            : null;
        if (rest is null || (rest.Length == 0 && !allowPrefix))
        {
            return false;
        }

        return (rest.Length == 0 || rest[0] == '/')
            && !rest.EndsWith('/')
            && !rest.Contains("//", StringComparison.Ordinal)
            && !rest.Any(c => c is '*' or '%' || char.IsControl(c));
    }

    /// <summary>The answer to a command naming an entry that is none.</summary>
    public static string Invalid(string entry) =>
        $"\"{entry}\" is not a metadata entry name (RFC 5464 §3.2.1: /private/... or /shared/..., without *, % or empty components)";
}
