using MimeKit;

namespace Groupware.Storage.Mail;

/// <summary>
/// Message-IDs as THREAD REFERENCES compares them (RFC 5256 §3): without angle brackets and with a
/// quoted local part unquoted, so that <c>&lt;"01KF8JCEOCBS0045PS"@xxx.yyy.com&gt;</c> and
/// <c>&lt;01KF8JCEOCBS0045PS@xxx.yyy.com&gt;</c> are one ID; compared case-sensitively.
/// </summary>
public static class MessageIds
{
    /// <summary>
    /// Most references kept per message: 100. A References field grows by one ID per reply; mailing
    /// list threads stay far below, and RFC 5256's loop checks walk each one.
    /// </summary>
    public const int MaxReferences = 100;

    /// <summary>The normalised form of one msg-id (with or without its brackets); null when nothing is left.</summary>
    public static string? Normalize(string? id)
    {
        if (id is null)
        {
            return null;
        }

        var text = id.Trim();
        if (text.StartsWith('<') && text.EndsWith('>'))
        {
            text = text[1..^1].Trim();
        }

        var at = text.LastIndexOf('@');
        if (at > 1 && text[0] == '"' && text[at - 1] == '"')
        {
            text = text[1..(at - 1)].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal) + text[at..];
        }

        return text.Length == 0 || text.Contains('\0', StringComparison.Ordinal) ? null : text;
    }

    /// <summary>
    /// The references of RFC 5256 §3: the Message-IDs of the References field, or, without any, the
    /// first of In-Reply-To; the last <see cref="MaxReferences"/> when there are more (the nearest
    /// ancestors are the ones that matter).
    /// </summary>
    public static IReadOnlyList<string> ThreadReferences(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var references = message.References.Select(Normalize).OfType<string>().ToList();
        if (references.Count == 0 && Normalize(message.InReplyTo) is { } parent)
        {
            references.Add(parent);
        }

        return references.Count > MaxReferences ? references[^MaxReferences..] : references;
    }
}
