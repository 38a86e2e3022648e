using System.Globalization;
using System.Text;
using Groupware.Storage.Mail;

namespace Groupware.Server.Import;

/// <summary>One message file of a Maildir folder, with the UID Dovecot gave it (0 if none) and the flags in its name.</summary>
internal sealed record MaildirMessage(string Path, long Uid, SystemFlags Flags, IReadOnlyList<string> Keywords);

/// <summary>One folder of a Maildir++ tree: its mailbox name (<c>/</c>-separated, decoded), Dovecot's UIDVALIDITY and next UID, and its messages in UID order.</summary>
internal sealed record MaildirFolder(string Name, string Directory, long? UidValidity, long NextUid, IReadOnlyList<MaildirMessage> Messages);

/// <summary>
/// Reads a Dovecot Maildir++ tree as Dovecot 2.x writes it: the root is INBOX, each
/// <c>.Name.Sub</c> directory a folder (names in modified UTF-7, <c>.</c> between levels);
/// <c>dovecot-uidlist</c> gives UIDVALIDITY, the next UID and each file's UID; the letters after
/// <c>:2,</c> in a file name are its flags (D draft, F flagged, R replied, S seen, T trashed, and
/// <c>a</c>..<c>z</c> keywords numbered in <c>dovecot-keywords</c>); <c>subscriptions</c> lists the
/// subscribed names (version 2 files separate levels with a tab). Files in <c>new/</c> carry no
/// flags. Messages Dovecot has not listed yet come after the listed ones, in file-name order
/// (the name starts with the delivery time).
/// </summary>
internal static class Maildir
{
    /// <summary>Whether <paramref name="directory"/> looks like a Maildir (it has <c>cur/</c> or <c>new/</c>).</summary>
    public static bool IsMaildir(string directory) =>
        System.IO.Directory.Exists(Path.Combine(directory, "cur")) || System.IO.Directory.Exists(Path.Combine(directory, "new"));

    /// <summary>Every folder of the tree rooted at <paramref name="root"/>, INBOX first, then by name.</summary>
    public static IReadOnlyList<MaildirFolder> ReadFolders(string root)
    {
        var folders = new List<MaildirFolder> { ReadFolder(DefaultMailboxes.Inbox, root) };
        foreach (var directory in System.IO.Directory.EnumerateDirectories(root, ".*").Order(StringComparer.Ordinal))
        {
            var leaf = Path.GetFileName(directory);
            if (leaf is "." or ".." || !IsMaildir(directory))
            {
                continue;
            }

            folders.Add(ReadFolder(FolderName(leaf), directory));
        }

        return folders;
    }

    /// <summary>The mailbox name of a Maildir++ directory: <c>.Projects.2024</c> is <c>Projects/2024</c>, each level decoded from modified UTF-7.</summary>
    public static string FolderName(string directoryName) => Decode(directoryName.TrimStart('.').Split('.'));

    /// <summary>A mailbox name of these levels, each decoded from modified UTF-7 where it is valid as such.</summary>
    private static string Decode(IEnumerable<string> levels) =>
        string.Join(MailboxNames.Separator, levels.Select(level => ModifiedUtf7.TryDecode(level, out var decoded) ? decoded : level));

    /// <summary>The subscribed mailbox names in <c>subscriptions</c> at the root (none if there is no such file).</summary>
    public static IReadOnlyList<string> ReadSubscriptions(string root, IReadOnlyCollection<string> folderNames)
    {
        var path = Path.Combine(root, "subscriptions");
        if (!File.Exists(path))
        {
            return [];
        }

        var lines = File.ReadAllLines(path, Encoding.UTF8);
        var names = new List<string>();
        var version2 = lines is [var first, ..] && first == "V\t2";
        foreach (var line in version2 ? lines.Skip(1).SkipWhile(l => l.Length > 0).Skip(1) : lines)
        {
            if (line.Length == 0)
            {
                continue;
            }

            // Version 2 separates levels with a tab; version 1 writes the namespace's own
            // separator, "." for Maildir++ unless the configuration chose "/".
            var dotted = line.Split('.');
            var levels = version2 ? line.Split('\t') : folderNames.Contains(Decode(dotted)) ? dotted : line.Split(MailboxNames.Separator);
            names.Add(Decode(levels));
        }

        return names;
    }

    private static MaildirFolder ReadFolder(string name, string directory)
    {
        var (uidValidity, nextUid, uids) = ReadUidList(Path.Combine(directory, "dovecot-uidlist"));
        var keywords = ReadKeywords(Path.Combine(directory, "dovecot-keywords"));
        var listed = new List<MaildirMessage>();
        var unlisted = new List<MaildirMessage>();
        foreach (var sub in (string[])["cur", "new"])
        {
            var path = Path.Combine(directory, sub);
            if (!System.IO.Directory.Exists(path))
            {
                continue;
            }

            foreach (var file in System.IO.Directory.EnumerateFiles(path))
            {
                var fileName = Path.GetFileName(file);
                if (fileName.StartsWith('.'))
                {
                    continue;
                }

                var colon = fileName.IndexOf(':', StringComparison.Ordinal);
                var key = colon < 0 ? fileName : fileName[..colon];
                var info = colon >= 0 && fileName.AsSpan(colon).StartsWith(":2,") ? fileName[(colon + 3)..] : "";
                var (flags, names) = ParseFlags(info, keywords);
                var message = new MaildirMessage(file, uids.GetValueOrDefault(key), flags, names);
                (message.Uid > 0 ? listed : unlisted).Add(message);
            }
        }

        listed.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        unlisted.Sort((a, b) => string.CompareOrdinal(Path.GetFileName(a.Path), Path.GetFileName(b.Path)));
        return new MaildirFolder(name, directory, uidValidity, nextUid, [.. listed, .. unlisted]);
    }

    /// <summary>
    /// <c>dovecot-uidlist</c>: a header <c>3 V&lt;uidvalidity&gt; N&lt;next uid&gt; ...</c> (or version 1's
    /// <c>1 &lt;uidvalidity&gt; &lt;next uid&gt;</c>), then one line per message: its UID, extension
    /// fields and, after <c>:</c>, the file name up to its <c>:2,</c> (version 1: the name after a space).
    /// </summary>
    internal static (long? UidValidity, long NextUid, Dictionary<string, long> Uids) ReadUidList(string path)
    {
        var uids = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return (null, 1, uids);
        }

        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = reader.ReadLine()?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        long? uidValidity = null;
        long nextUid = 1;
        var version = header is [var v, ..] ? v : "";
        if (version == "1" && header.Length >= 3)
        {
            uidValidity = ParseNumber(header[1]);
            nextUid = ParseNumber(header[2]) ?? 1;
        }
        else if (version == "3")
        {
            foreach (var field in header.Skip(1))
            {
                if (field.StartsWith('V'))
                {
                    uidValidity = ParseNumber(field[1..]);
                }
                else if (field.StartsWith('N'))
                {
                    nextUid = ParseNumber(field[1..]) ?? 1;
                }
            }
        }
        else
        {
            throw new InvalidDataException($"{path}: unknown dovecot-uidlist version \"{version}\"");
        }

        while (reader.ReadLine() is { } line)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || ParseNumber(line[..space]) is not { } uid)
            {
                continue;
            }

            var rest = line[(space + 1)..];
            string key;
            if (version == "1")
            {
                key = rest;
            }
            else
            {
                var colon = rest.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                key = rest[(colon + 1)..];
            }

            var info = key.IndexOf(':', StringComparison.Ordinal);
            uids[info < 0 ? key : key[..info]] = uid;
            nextUid = Math.Max(nextUid, uid + 1);
        }

        return (uidValidity is > 0 and <= uint.MaxValue ? uidValidity : null, nextUid, uids);
    }

    /// <summary><c>dovecot-keywords</c>: lines <c>&lt;index&gt; &lt;keyword&gt;</c>; index 0 is the letter <c>a</c>.</summary>
    private static Dictionary<char, string> ReadKeywords(string path)
    {
        var keywords = new Dictionary<char, string>();
        if (!File.Exists(path))
        {
            return keywords;
        }

        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && ParseNumber(line[..space]) is { } index and < 26 && line.Length > space + 1)
            {
                keywords[(char)('a' + index)] = line[(space + 1)..];
            }
        }

        return keywords;
    }

    private static (SystemFlags Flags, IReadOnlyList<string> Keywords) ParseFlags(string info, Dictionary<char, string> keywords)
    {
        var flags = SystemFlags.None;
        var names = new List<string>();
        foreach (var letter in info)
        {
            flags |= letter switch
            {
                'D' => SystemFlags.Draft,
                'F' => SystemFlags.Flagged,
                'R' => SystemFlags.Answered,
                'S' => SystemFlags.Seen,
                'T' => SystemFlags.Deleted,
                _ => SystemFlags.None,
            };
            if (letter is >= 'a' and <= 'z' && keywords.TryGetValue(letter, out var keyword))
            {
                names.Add(keyword);
            }
        }

        return (flags, names);
    }

    private static long? ParseNumber(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
