using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>What LIST selects and returns (RFC 5258 §3, RFC 6154 §5, RFC 5819).</summary>
[Flags]
internal enum ListOptions
{
    None = 0,
    SelectSubscribed = 1,
    SelectSpecialUse = 2,
    RecursiveMatch = 4,
    ReturnSubscribed = 8,
    ReturnChildren = 16,
    ReturnSpecialUse = 32,
}

/// <summary>
/// LIST [(select-options)] reference pattern(s) [RETURN (return-options)] (RFC 9051 §6.3.9 with
/// LIST-EXTENDED RFC 5258, SPECIAL-USE RFC 6154, LIST-STATUS RFC 5819) and LSUB (RFC 3501 §6.3.9).
/// Attributes are computed for every name listed: \Noselect placeholders, \HasChildren or
/// \HasNoChildren (always, as CHILDREN clients expect), the special use (always: RFC 6154 §2 allows
/// it, and clients look for it), \Subscribed when asked, \NonExistent for a subscription without a
/// mailbox. An empty pattern asks for the hierarchy delimiter (§6.3.9).
/// </summary>
internal sealed record ListCommand(string Reference, IReadOnlyList<string> Patterns, ListOptions Options, IReadOnlyList<string>? Status, bool Lsub)
    : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session)
    {
        var options = ListOptions.None;
        if (!reader.TrySpace())
        {
            return "Syntax: LIST [(options)] reference pattern [RETURN (options)]";
        }

        if (reader.Peek() == '(')
        {
            var selection = ListOptions.None;
            if (!reader.TryReadList(r => ReadSelectOption(r, ref selection)) || !reader.TrySpace())
            {
                return "LIST selection options are SUBSCRIBED, REMOTE, RECURSIVEMATCH and SPECIAL-USE.";
            }

            if (selection == ListOptions.RecursiveMatch)
            {
                return "RECURSIVEMATCH needs another selection option (RFC 5258 §3.1).";
            }

            options |= selection;
        }

        if (!reader.TryReadMailbox(session.Utf8, out var reference) || !reader.TrySpace())
        {
            return "Syntax: LIST [(options)] reference pattern [RETURN (options)]";
        }

        var patterns = new List<string>();
        if (reader.Peek() == '(')
        {
            if (!reader.TryReadList(r => ReadPattern(r, session, patterns), allowEmpty: false))
            {
                return "Syntax: LIST reference (pattern ...)";
            }
        }
        else if (!ReadPattern(reader, session, patterns))
        {
            return "Syntax: LIST reference pattern";
        }

        List<string>? status = null;
        if (reader.TrySpace())
        {
            var returned = ListOptions.None;
            if (!reader.TryReadKeyword("RETURN") || !reader.TrySpace() || !reader.TryReadList(r => ReadReturnOption(r, ref returned, ref status)))
            {
                return "LIST return options are SUBSCRIBED, CHILDREN, SPECIAL-USE and STATUS (items).";
            }

            options |= returned;
        }

        return reader.AtEnd
            ? new ListCommand(reference, patterns, options, status, Lsub: false)
            : "Syntax: LIST [(options)] reference pattern [RETURN (options)]";
    }

    public static ParseResult ParseLsub(ImapReader reader, ImapSession session)
    {
        var patterns = new List<string>();
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var reference) || !reader.TrySpace()
            || !ReadPattern(reader, session, patterns) || !reader.AtEnd)
        {
            return "Syntax: LSUB reference pattern";
        }

        return new ListCommand(reference, patterns, ListOptions.SelectSubscribed, null, Lsub: true);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var verb = Lsub ? "LSUB" : "LIST";
        if (Patterns.All(p => p.Length == 0))
        {
            // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root of the reference.
            session.WriteLine($"* {verb} (\\Noselect) \"/\" \"\"");
            return ImapResult.Ok($"{verb} completed.");
        }

        var accountId = session.Account!.Id;
        var mailboxes = await session.Store.ListMailboxesAsync(accountId, cancellationToken);
        var byName = mailboxes.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var subscriptions = new HashSet<string>(await session.Store.ListSubscriptionsAsync(accountId, cancellationToken), StringComparer.Ordinal);
        var pattern = ListPattern.Create(Reference, Patterns, '/');
        var selectSubscribed = (Options & ListOptions.SelectSubscribed) != 0;
        var recursive = (Options & ListOptions.RecursiveMatch) != 0;
        var names = selectSubscribed ? subscriptions.AsEnumerable() : mailboxes.Select(m => m.Name);
        var ancestorsOnly = new HashSet<string>(StringComparer.Ordinal);
        if (selectSubscribed && (recursive || (Lsub && Patterns.Any(p => p.Contains('%', StringComparison.Ordinal)))))
        {
            // RFC 5258 §3.1 RECURSIVEMATCH, and RFC 3501 §6.3.9's LSUB with "%": a name that is not
            // subscribed but has subscribed names below it is listed too (with CHILDINFO, or \Noselect).
            foreach (var subscribed in subscriptions.Where(s => !pattern.IsMatch(s) || Lsub))
            {
                for (var slash = subscribed.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = subscribed.IndexOf('/', slash + 1))
                {
                    var ancestor = subscribed[..slash];
                    if (!subscriptions.Contains(ancestor))
                    {
                        ancestorsOnly.Add(ancestor);
                    }
                }
            }

            names = names.Concat(ancestorsOnly);
        }

        var returnSubscribed = (Options & (ListOptions.SelectSubscribed | ListOptions.ReturnSubscribed)) != 0 && !Lsub;
        var listed = new List<string>();
        foreach (var name in names.Distinct(StringComparer.Ordinal).Where(pattern.IsMatch).OrderBy(n => n == DefaultMailboxes.Inbox ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal))
        {
            byName.TryGetValue(name, out var mailbox);
            if ((Options & ListOptions.SelectSpecialUse) != 0 && mailbox?.SpecialUse is null)
            {
                continue;
            }

            var ancestor = ancestorsOnly.Contains(name);
            List<string> attributes;
            if (Lsub)
            {
                attributes = ancestor || mailbox is not { Selectable: true } ? [@"\Noselect"] : [];
            }
            else
            {
                attributes = mailbox is null
                    ? [@"\NonExistent"]
                    : MailboxAttributes.Of(mailbox, HasChildren(name, byName.Keys), subscribed: returnSubscribed && subscriptions.Contains(name));
                if (mailbox is null && returnSubscribed && !ancestor)
                {
                    attributes.Add(@"\Subscribed");
                }
            }

            var writer = session.ResponseWriter();
            writer.WriteText($"* {verb} ({string.Join(' ', attributes)}) \"/\" ");
            writer.WriteMailbox(name);
            if (recursive && selectSubscribed && subscriptions.Any(s => s.StartsWith(name + "/", StringComparison.Ordinal) && !pattern.IsMatch(s)))
            {
                writer.WriteText(" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
            }

            writer.WriteCrlf();
            listed.Add(name);
            if (Status is not null && mailbox is { Selectable: true })
            {
                var status = await session.Store.StatusAsync(accountId, name, cancellationToken);
                if (status is not null)
                {
                    StatusCommand.Write(session, name, status, Status);
                }
            }

            await session.FlushIfLargeAsync(cancellationToken);
        }

        return ImapResult.Ok($"{verb} completed.");
    }

    private static bool HasChildren(string name, IEnumerable<string> names) =>
        names.Any(n => n.Length > name.Length + 1 && n[name.Length] == '/' && n.StartsWith(name, StringComparison.Ordinal));

    private static bool ReadSelectOption(ImapReader reader, ref ListOptions options)
    {
        if (reader.TryReadKeyword("SUBSCRIBED"))
        {
            options |= ListOptions.SelectSubscribed;
        }
        else if (reader.TryReadKeyword("SPECIAL-USE"))
        {
            options |= ListOptions.SelectSpecialUse;
        }
        else if (reader.TryReadKeyword("RECURSIVEMATCH"))
        {
            options |= ListOptions.RecursiveMatch;
        }
        else if (!reader.TryReadKeyword("REMOTE"))
        {
            return reader.Refuse("unknown LIST selection option");
        }

        return true;
    }

    private static bool ReadReturnOption(ImapReader reader, ref ListOptions options, ref List<string>? status)
    {
        if (reader.TryReadKeyword("SUBSCRIBED"))
        {
            options |= ListOptions.ReturnSubscribed;
        }
        else if (reader.TryReadKeyword("CHILDREN"))
        {
            options |= ListOptions.ReturnChildren;
        }
        else if (reader.TryReadKeyword("SPECIAL-USE"))
        {
            options |= ListOptions.ReturnSpecialUse;
        }
        else if (reader.TryReadKeyword("STATUS") && reader.TrySpace() && StatusCommand.TryReadItems(reader, out var items))
        {
            status = items;
        }
        else
        {
            return reader.Refuse("unknown LIST return option");
        }

        return true;
    }

    private static bool ReadPattern(ImapReader reader, ImapSession session, List<string> patterns)
    {
        if (!reader.TryReadListMailbox(session.Utf8, out var pattern))
        {
            return false;
        }

        patterns.Add(pattern);
        return true;
    }
}
