using System.Text;

namespace Groupware.Storage.Mail;

/// <summary>
/// Mailbox names as the store keeps them (RFC 9051 §5.1): levels separated by
/// <see cref="Separator"/>, NFC-normalised, and INBOX, in any case, as the first level stored as
/// <c>INBOX</c> ("iNbOx" and "inbox/Sub" name the inbox and its inferior). Other names are
/// case-sensitive.
/// </summary>
public static class MailboxNames
{
    /// <summary>The hierarchy separator LIST reports.</summary>
    public const char Separator = '/';

    /// <summary>
    /// Longest name in UTF-8 octets: 4096, Dovecot's MAILBOX_LIST_NAME_MAX_LENGTH (PATH_MAX), which
    /// clients migrated from Dovecot already fit in.
    /// </summary>
    public const int MaxLength = 4096;

    /// <summary>Longest level of a name in UTF-8 octets: 255, Dovecot's MAILBOX_MAX_HIERARCHY_NAME_LENGTH.</summary>
    public const int MaxLevelLength = 255;

    /// <summary>
    /// Deepest name: 20 levels, Dovecot's MAILBOX_MAX_HIERARCHY_LEVELS, which stops "a/a/a/..."
    /// names from outgrowing <see cref="MaxLength"/> through renames, and bounds the superiors one
    /// CREATE adds.
    /// </summary>
    public const int MaxLevels = 20;

    /// <summary>The stored form of <paramref name="name"/>: NFC, and a first level of any case of INBOX as <c>INBOX</c>.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.IsNormalized(NormalizationForm.FormC))
        {
            name = name.Normalize(NormalizationForm.FormC);
        }

        if (name.StartsWith(DefaultMailboxes.Inbox, StringComparison.OrdinalIgnoreCase)
            && (name.Length == DefaultMailboxes.Inbox.Length || name[DefaultMailboxes.Inbox.Length] == Separator)
            && !name.StartsWith(DefaultMailboxes.Inbox, StringComparison.Ordinal))
        {
            name = string.Concat(DefaultMailboxes.Inbox, name.AsSpan(DefaultMailboxes.Inbox.Length));
        }

        return name;
    }

    /// <summary>Whether <paramref name="name"/> is the inbox (any case).</summary>
    public static bool IsInbox(string name) => string.Equals(name, DefaultMailboxes.Inbox, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a normalised name may name a mailbox: not empty, no empty level (so no leading or
    /// trailing separator), no control characters (Dovecot refuses them too), no LIST wildcards
    /// <c>*</c> and <c>%</c> (a pattern could not name such a mailbox alone), and within
    /// <see cref="MaxLength"/>, <see cref="MaxLevelLength"/> and <see cref="MaxLevels"/>.
    /// </summary>
    public static bool IsValid(string name)
    {
        if (string.IsNullOrEmpty(name) || Encoding.UTF8.GetByteCount(name) > MaxLength)
        {
            return false;
        }

        var levels = name.Split(Separator);
        return levels.Length <= MaxLevels
            && levels.All(level => level.Length > 0 && Encoding.UTF8.GetByteCount(level) <= MaxLevelLength)
            && !name.Any(c => char.IsControl(c) || c is '*' or '%');
    }

    /// <summary>The superior names of <paramref name="name"/>, outermost first: <c>a</c> and <c>a/b</c> for <c>a/b/c</c>.</summary>
    public static IReadOnlyList<string> Superiors(string name)
    {
        var superiors = new List<string>();
        for (var at = name.IndexOf(Separator, StringComparison.Ordinal); at > 0; at = name.IndexOf(Separator, at + 1))
        {
            superiors.Add(name[..at]);
        }

        return superiors;
    }

    /// <summary>Whether <paramref name="name"/> is <paramref name="ancestor"/> itself or one of its inferiors.</summary>
    public static bool IsWithin(string name, string ancestor) =>
        name == ancestor || (name.Length > ancestor.Length && name.StartsWith(ancestor, StringComparison.Ordinal) && name[ancestor.Length] == Separator);

    /// <summary>
    /// The bounds of the inferiors of <paramref name="name"/> in the byte order of text_pattern_ops:
    /// every inferior is at least <c>name/</c> and below <c>name0</c> ('0' follows '/').
    /// </summary>
    internal static (string From, string To) InferiorRange(string name) => (name + Separator, name + (char)(Separator + 1));
}
