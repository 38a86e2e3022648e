using System.Text;

namespace Groupware.Storage.Mail;

/// <summary>
/// The base subject of RFC 5256 §2.1, by which SORT (SUBJECT) orders and THREAD groups: the decoded
/// subject without reply and forward artifacts (<c>Re:</c>, <c>Fwd:</c>, <c>[list]</c> blobs,
/// <c>(fwd)</c>, <c>[fwd: ...]</c>), computed once when a content is stored. Kept case-folded, so
/// that the comparisons RFC 5256 §7 asks to be case-insensitive are plain ordinal ones: upper case
/// of the NFC form, an approximation of i;unicode-casemap that agrees with it on every script that
/// has case. <see cref="IsReplyOrForward"/> is what THREAD REFERENCES step 5 needs to know.
/// </summary>
public readonly record struct BaseSubject(string Text, bool IsReplyOrForward)
{
    /// <summary>The base subject of a decoded subject (null when the message has none: the empty base subject).</summary>
    public static BaseSubject Of(string? subject)
    {
        if (string.IsNullOrEmpty(subject))
        {
            return new BaseSubject("", false);
        }

        var s = Collapse(subject);
        var replyOrForward = false;
        while (true)
        {
            // (2) Trailers: "(fwd)" and white space, repeatedly.
            while (s.Length > 0)
            {
                if (s[^1] == ' ')
                {
                    s = s[..^1];
                }
                else if (s.EndsWith("(fwd)", StringComparison.OrdinalIgnoreCase))
                {
                    s = s[..^5];
                    replyOrForward = true;
                }
                else
                {
                    break;
                }
            }

            // (3)-(5) Leaders (white space, or blobs followed by re/fw/fwd), and a leading blob that
            // leaves something after it, until neither is there.
            var changed = true;
            while (changed && s.Length > 0)
            {
                changed = false;
                if (s[0] == ' ')
                {
                    s = s[1..];
                    changed = true;
                }
                else if (LeaderLength(s) is > 0 and var leader)
                {
                    s = s[leader..];
                    replyOrForward = true;
                    changed = true;
                }
                else if (BlobEnd(s, 0) is > 0 and var blob && blob < s.Length)
                {
                    s = s[blob..];
                    changed = true;
                }
            }

            // (6) "[fwd: ...]" around the rest: unwrap it and start again at (2).
            if (s.Length >= 6 && s.StartsWith("[fwd:", StringComparison.OrdinalIgnoreCase) && s[^1] == ']')
            {
                s = s[5..^1];
                replyOrForward = true;
                continue;
            }

            return new BaseSubject(s.Normalize(NormalizationForm.FormC).ToUpperInvariant(), replyOrForward);
        }
    }

    /// <summary>(1): tabs and line breaks as spaces, runs of spaces as one.</summary>
    private static string Collapse(string subject)
    {
        var text = new StringBuilder(subject.Length);
        foreach (var c in subject)
        {
            var space = c is ' ' or '\t' or '\r' or '\n';
            if (space && text.Length > 0 && text[^1] == ' ')
            {
                continue;
            }

            text.Append(space ? ' ' : c);
        }

        return text.ToString();
    }

    /// <summary>The length of a <c>subj-leader</c> of the form <c>*subj-blob subj-refwd</c> at the start, or 0.</summary>
    private static int LeaderLength(string s)
    {
        var i = 0;
        while (BlobEnd(s, i) is > 0 and var end)
        {
            i = end;
        }

        return RefwdEnd(s, i) is > 0 and var refwd ? refwd : 0;
    }

    /// <summary>Where <c>subj-refwd</c> (<c>("re" / "fw" ["d"]) *WSP [subj-blob] ":"</c>) that starts at <paramref name="i"/> ends, or 0.</summary>
    private static int RefwdEnd(string s, int i)
    {
        int j;
        if (string.Compare(s, i, "re", 0, 2, StringComparison.OrdinalIgnoreCase) == 0)
        {
            j = i + 2;
        }
        else if (string.Compare(s, i, "fw", 0, 2, StringComparison.OrdinalIgnoreCase) == 0)
        {
            j = i + 2;
            if (j < s.Length && s[j] is 'd' or 'D')
            {
                j++;
            }
        }
        else
        {
            return 0;
        }

        while (j < s.Length && s[j] == ' ')
        {
            j++;
        }

        if (BlobEnd(s, j) is > 0 and var blob)
        {
            j = blob;
        }

        return j < s.Length && s[j] == ':' ? j + 1 : 0;
    }

    /// <summary>Where <c>subj-blob</c> (<c>"[" *BLOBCHAR "]" *WSP</c>) that starts at <paramref name="i"/> ends, or 0.</summary>
    private static int BlobEnd(string s, int i)
    {
        if (i >= s.Length || s[i] != '[')
        {
            return 0;
        }

        var j = i + 1;
        while (j < s.Length && s[j] is not ('[' or ']'))
        {
            j++;
        }

        if (j >= s.Length || s[j] != ']')
        {
            return 0;
        }

        j++;
        while (j < s.Length && s[j] == ' ')
        {
            j++;
        }

        return j;
    }
}
