using System.Text;

namespace Groupware.Storage.Mail;

/// <summary>
/// PREVIEW (RFC 8970 §3): the start of a message's text as a client shows it under the subject, made
/// once when the content is stored, from the text SEARCH keeps (the text parts, HTML without its
/// markup): white space collapsed to single spaces, at most <see cref="MaxLength"/> characters.
/// </summary>
public static class MessagePreview
{
    /// <summary>RFC 8970 §3: a preview is no longer than 256 characters.</summary>
    public const int MaxLength = 256;

    /// <summary>The preview of <paramref name="text"/>; empty when it has no text.</summary>
    public static string Of(string? text)
    {
        var preview = new StringBuilder(MaxLength);
        var space = false;
        foreach (var rune in (text ?? "").EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                space = preview.Length > 0;
                continue;
            }

            var needed = (space ? 1 : 0) + rune.Utf16SequenceLength;
            if (preview.Length + needed > MaxLength)
            {
                break;
            }

            if (space)
            {
                preview.Append(' ');
                space = false;
            }

            preview.Append(rune.ToString());
        }

        return preview.ToString();
    }
}
