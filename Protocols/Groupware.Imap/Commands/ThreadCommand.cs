using System.Globalization;
using System.Text;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>
/// THREAD algorithm charset criteria and UID THREAD (RFC 5256 §3) with ORDEREDSUBJECT and REFERENCES:
/// the criteria are searched as SEARCH does, the store gives each match's Message-ID, references, base
/// subject and sent date (computed when it was stored), and <see cref="ThreadTree"/> builds the
/// threads. Answers <c>* THREAD</c> in the thread-list syntax of RFC 5256 §5; no EXPUNGE is announced
/// during THREAD by number.
/// </summary>
internal sealed record ThreadCommand(bool References, SearchProgram Program, bool ByUid) : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session, bool byUid)
    {
        if (!reader.TrySpace() || !reader.TryReadAtom(out var algorithm) || !reader.TrySpace())
        {
            return "Syntax: THREAD algorithm charset search-criteria, e.g. THREAD REFERENCES UTF-8 ALL";
        }

        bool references;
        if (algorithm.Equals("REFERENCES", StringComparison.OrdinalIgnoreCase))
        {
            references = true;
        }
        else if (algorithm.Equals("ORDEREDSUBJECT", StringComparison.OrdinalIgnoreCase))
        {
            references = false;
        }
        else
        {
            return $"{algorithm} is not a threading algorithm here (ORDEREDSUBJECT, REFERENCES).";
        }

        if (!SearchProgram.TryParseCriteria(reader, out var program, out var error, out var badCharset))
        {
            return badCharset ? new SearchCommand.UnsupportedCharset() : error;
        }

        return new ThreadCommand(references, program, byUid);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var selected = session.Selected!;
        var (known, error) = await SearchCommand.FindKnownAsync(session, Program, ByUid, cancellationToken);
        if (error is not null)
        {
            return ImapResult.Bad(error);
        }

        var messages = await session.Store.ThreadMessagesAsync(session.Account!.Id, selected.MailboxId, known, cancellationToken);
        var threads = References ? ThreadTree.References(messages) : ThreadTree.OrderedSubject(messages);
        var text = new StringBuilder("* THREAD");
        if (threads.Count > 0)
        {
            text.Append(' ');
        }

        foreach (var thread in threads)
        {
            Write(text, thread, uid => ByUid ? uid : selected.SequenceOf(uid));
        }

        session.WriteLine(text.ToString());
        return ImapResult.Ok("Thread completed.");
    }

    /// <summary>
    /// One <c>thread-list</c> (RFC 5256 §5): a message's number followed by its only child's members, or
    /// by one parenthesised list per child when it has several; a dummy has no number of its own.
    /// </summary>
    private static void Write(StringBuilder text, ThreadNode root, Func<long, long> number)
    {
        // Pending work, next on top: text to append, or a node whose members come next.
        var pending = new Stack<object>();
        text.Append('(');
        pending.Push(")");
        pending.Push(root);
        while (pending.TryPop(out var item))
        {
            if (item is string literal)
            {
                text.Append(literal);
                continue;
            }

            var node = (ThreadNode)item;
            if (node.Message is { } message)
            {
                text.Append(number(message.Uid).ToString(CultureInfo.InvariantCulture));
                if (node.Children.Count > 0)
                {
                    text.Append(' ');
                }
            }

            if (node.Children.Count == 1)
            {
                pending.Push(node.Children[0]);
                continue;
            }

            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                pending.Push(")");
                pending.Push(node.Children[i]);
                pending.Push("(");
            }
        }
    }
}
