using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Groupware.Rpc;

/// <summary>
/// Where a contents sync stands: the folder's UIDVALIDITY and, of the changes after MODSEQ
/// <see cref="ModSeq"/>, those up to (<see cref="ResumeModSeq"/>, <see cref="ResumeUid"/>) in
/// (MODSEQ, UID) order already sent (0, 0: none; the page ended with everything); UIDs at or above
/// <see cref="UidNext"/> are new to the client.
/// </summary>
internal sealed record ContentsToken(long MailboxId, long UidValidity, long ModSeq, long UidNext, long ResumeModSeq, long ResumeUid);

/// <summary>
/// The opaque sync tokens of groupware.rpc.v1 (URL-safe base64 of a versioned text; clients must
/// not parse them). Contents: <see cref="ContentsToken"/>, over RFC 7162's MODSEQ and the expunge
/// log. Hierarchy: every folder id with a digest of what a hierarchy sync reports of it (name,
/// role, kind), so changes and deletions are found by comparing with the folders now.
/// </summary>
internal static class SyncTokens
{
    public static string Contents(ContentsToken token) => Encode(string.Create(CultureInfo.InvariantCulture,
        $"c1 {token.MailboxId} {token.UidValidity} {token.ModSeq} {token.UidNext} {token.ResumeModSeq} {token.ResumeUid}"));

    public static ContentsToken? ParseContents(string text)
    {
        var parts = Decode(text)?.Split(' ');
        if (parts is not { Length: 7 } || parts[0] != "c1")
        {
            return null;
        }

        var numbers = new long[6];
        for (var i = 0; i < 6; i++)
        {
            if (!long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return null;
            }
        }

        return new ContentsToken(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5]);
    }

    public static string Hierarchy(IEnumerable<(string FolderId, string Digest)> folders) =>
        Encode("h1" + string.Concat(folders.Select(f => " " + f.FolderId + "=" + f.Digest)));

    public static Dictionary<string, string>? ParseHierarchy(string text)
    {
        var parts = Decode(text)?.Split(' ');
        if (parts is null || parts[0] != "h1")
        {
            return null;
        }

        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 1)
            {
                return null;
            }

            folders[part[..equals]] = part[(equals + 1)..];
        }

        return folders;
    }

    /// <summary>A short digest of what a hierarchy sync reports of a folder.</summary>
    public static string Digest(V1.Folder folder) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{folder.ParentId}\n{folder.Path}\n{folder.DisplayName}\n{(int)folder.Role}\n{(int)folder.Kind}"))), 0, 8);

    private static string Encode(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Decode(string text)
    {
        if (text.Length is 0 or > 1_000_000)
        {
            return null;
        }

        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
