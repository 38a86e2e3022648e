using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>Flags as the client names them, split into the store's system flags and keywords (RFC 9051 §2.3.2).</summary>
internal static class Flagging
{
    /// <summary><c>\Recent</c> cannot be set by a client (RFC 3501 §2.3.2) and is dropped; other backslash names are system flags.</summary>
    public static (SystemFlags System, List<string> Keywords) Split(IEnumerable<string> flags)
    {
        var system = SystemFlags.None;
        var keywords = new List<string>();
        foreach (var flag in flags)
        {
            switch (flag.ToUpperInvariant())
            {
                case @"\SEEN":
                    system |= SystemFlags.Seen;
                    break;
                case @"\ANSWERED":
                    system |= SystemFlags.Answered;
                    break;
                case @"\FLAGGED":
                    system |= SystemFlags.Flagged;
                    break;
                case @"\DELETED":
                    system |= SystemFlags.Deleted;
                    break;
                case @"\DRAFT":
                    system |= SystemFlags.Draft;
                    break;
                case @"\RECENT":
                    break;
                default:
                    if (!flag.StartsWith('\\'))
                    {
                        keywords.Add(flag);
                    }

                    break;
            }
        }

        return (system, keywords);
    }
}
