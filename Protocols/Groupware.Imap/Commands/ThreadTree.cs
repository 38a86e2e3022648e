using Groupware.Storage.Mail;

namespace Groupware.Imap.Commands;

/// <summary>One node of a THREAD answer: a message, or a dummy (no message) that only groups its children.</summary>
internal sealed class ThreadNode
{
    public ThreadMessage? Message { get; set; }

    /// <summary>The message's place in UID order, which is the mailbox order: the tie-breaker of RFC 5256 §2.2.</summary>
    public int Order { get; set; }

    public ThreadNode? Parent { get; set; }

    public List<ThreadNode> Children { get; set; } = [];

    public bool IsDummy => Message is null;
}

/// <summary>
/// The threading algorithms of RFC 5256 §3, ORDEREDSUBJECT and REFERENCES, over messages given in UID
/// order. Written without recursion: a reply chain as deep as the mailbox is long must not exhaust
/// the stack.
/// </summary>
internal static class ThreadTree
{
    /// <summary>
    /// ORDEREDSUBJECT: messages grouped by base subject; each thread's first message (by sent date) at
    /// the root with the others as its children; threads in the order of their first message's sent date.
    /// </summary>
    public static List<ThreadNode> OrderedSubject(IReadOnlyList<ThreadMessage> messages)
    {
        var threads = new List<ThreadNode>();
        var ordered = messages.Select((m, i) => new ThreadNode { Message = m, Order = i })
            .OrderBy(n => n.Message!.Subject.Text, StringComparer.Ordinal).ThenBy(n => n.Message!.SentDate).ThenBy(n => n.Order);
        foreach (var node in ordered)
        {
            if (threads.Count > 0 && threads[^1].Message!.Subject.Text == node.Message!.Subject.Text)
            {
                node.Parent = threads[^1];
                threads[^1].Children.Add(node);
            }
            else
            {
                threads.Add(node);
            }
        }

        return [.. threads.OrderBy(n => n.Message!.SentDate).ThenBy(n => n.Order)];
    }

    /// <summary>REFERENCES: steps (1) to (6) of RFC 5256 §3.</summary>
    public static List<ThreadNode> References(IReadOnlyList<ThreadMessage> messages)
    {
        var byId = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        var all = new List<ThreadNode>();
        ThreadNode Find(string id)
        {
            if (!byId.TryGetValue(id, out var node))
            {
                node = new ThreadNode { Order = int.MaxValue };
                byId[id] = node;
                all.Add(node);
            }

            return node;
        }

        // (1) Links from each message's references, then from its last reference to the message.
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            ThreadNode node;
            if (message.MessageId is { } id && (!byId.TryGetValue(id, out var known) || known.IsDummy))
            {
                node = Find(id);
            }
            else
            {
                // No Message-ID, or one an earlier message has: an ID of its own.
                node = new ThreadNode();
                all.Add(node);
            }

            node.Message = message;
            node.Order = i;
            ThreadNode? previous = null;
            foreach (var reference in message.References)
            {
                var current = Find(reference);
                if (previous is not null && current.Parent is null && !IsAncestorOrSelf(current, previous))
                {
                    Link(previous, current);
                }

                previous = current;
            }

            if (node.Parent is not null)
            {
                Unlink(node);
            }

            if (previous is not null && !IsAncestorOrSelf(node, previous))
            {
                Link(previous, node);
            }
        }

        // (2) The messages without parents are the root's children.
        var roots = all.Where(n => n.Parent is null).ToList();

        // (3) Dummies go: a childless one entirely, another by promoting its children, but to the root
        // only when it has one child.
        foreach (var node in PostOrder(roots))
        {
            if (node.Children.Any(c => c.IsDummy))
            {
                node.Children = Splice(node, node.Children);
            }
        }

        roots = [.. roots.Where(r => !r.IsDummy || r.Children.Count > 0).Select(r => r.IsDummy && r.Children.Count == 1 ? Promote(r.Children[0]) : r)];

        // (4) The root's children by sent date, a dummy by its first child's.
        foreach (var root in roots.Where(r => r.IsDummy))
        {
            SortByDate(root.Children);
        }

        SortByDate(roots);

        // (5) Threads with the same base subject are gathered.
        roots = MergeSubjects(roots);

        // (6) Every set of siblings by sent date, the deepest first.
        foreach (var node in PostOrder(roots))
        {
            SortByDate(node.Children);
        }

        SortByDate(roots);
        return roots;
    }

    /// <summary>Step (5) of REFERENCES: the subject table, then the merges.</summary>
    private static List<ThreadNode> MergeSubjects(List<ThreadNode> roots)
    {
        var table = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            var subject = SubjectOf(root);
            if (subject.Length == 0)
            {
                continue;
            }

            if (!table.TryGetValue(subject, out var listed))
            {
                table[subject] = root;
            }
            else if (!listed.IsDummy && (root.IsDummy || (IsReply(listed) && !IsReply(root))))
            {
                table[subject] = root;
            }
        }

        var result = new List<ThreadNode?>(roots);
        var position = new Dictionary<ThreadNode, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < roots.Count; i++)
        {
            position[roots[i]] = i;
        }

        for (var i = 0; i < roots.Count; i++)
        {
            var current = roots[i];
            var subject = SubjectOf(current);
            if (subject.Length == 0 || table[subject] == current || current.Parent is not null)
            {
                // No subject, the thread others join, or one that became a dummy's child by a merge already.
                continue;
            }

            var listed = table[subject];
            result[i] = null;
            if (listed.IsDummy && current.IsDummy)
            {
                foreach (var child in current.Children)
                {
                    child.Parent = listed;
                    listed.Children.Add(child);
                }
            }
            else if (listed.IsDummy || (IsReply(current) && !IsReply(listed)))
            {
                Link(listed, current);
            }
            else
            {
                var dummy = new ThreadNode { Order = int.MaxValue };
                Link(dummy, listed);
                Link(dummy, current);
                result[position[listed]] = dummy;
                position[dummy] = position[listed];
                table[subject] = dummy;
            }
        }

        return [.. result.OfType<ThreadNode>()];
    }

    /// <summary>A thread's subject: its message's base subject, or its first child's for a dummy.</summary>
    private static string SubjectOf(ThreadNode node) =>
        (node.Message ?? node.Children.FirstOrDefault()?.Message)?.Subject.Text ?? "";

    private static bool IsReply(ThreadNode node) => node.Message?.Subject.IsReplyOrForward ?? false;

    /// <summary>The children with every dummy among them replaced by its own children (already spliced themselves).</summary>
    private static List<ThreadNode> Splice(ThreadNode parent, List<ThreadNode> children)
    {
        var spliced = new List<ThreadNode>(children.Count);
        foreach (var child in children)
        {
            if (!child.IsDummy)
            {
                spliced.Add(child);
                continue;
            }

            foreach (var grandchild in child.Children)
            {
                grandchild.Parent = parent;
                spliced.Add(grandchild);
            }
        }

        return spliced;
    }

    private static ThreadNode Promote(ThreadNode node)
    {
        node.Parent = null;
        return node;
    }

    /// <summary>Sent date, then mailbox order; a dummy sorts as its first child.</summary>
    private static void SortByDate(List<ThreadNode> siblings)
    {
        if (siblings.Count > 1)
        {
            siblings.Sort((a, b) =>
            {
                var (x, y) = (Representative(a), Representative(b));
                var byDate = x.Message!.SentDate.CompareTo(y.Message!.SentDate);
                return byDate != 0 ? byDate : x.Order.CompareTo(y.Order);
            });
        }
    }

    private static ThreadNode Representative(ThreadNode node)
    {
        while (node.IsDummy && node.Children.Count > 0)
        {
            node = node.Children[0];
        }

        return node;
    }

    /// <summary>Whether <paramref name="node"/> is <paramref name="candidate"/> or one of its ancestors: linking them would make a loop.</summary>
    private static bool IsAncestorOrSelf(ThreadNode node, ThreadNode candidate)
    {
        if (node.Children.Count == 0)
        {
            // Nothing is below it (the usual case: a message or reference seen for the first time), so
            // there is no walk up a chain that may be as long as the mailbox.
            return ReferenceEquals(node, candidate);
        }

        for (var x = candidate; x is not null; x = x.Parent)
        {
            if (ReferenceEquals(x, node))
            {
                return true;
            }
        }

        return false;
    }

    private static void Link(ThreadNode parent, ThreadNode child)
    {
        child.Parent = parent;
        parent.Children.Add(child);
    }

    private static void Unlink(ThreadNode child)
    {
        child.Parent!.Children.Remove(child);
        child.Parent = null;
    }

    /// <summary>Every node below and including <paramref name="roots"/>, children before their parents.</summary>
    private static List<ThreadNode> PostOrder(List<ThreadNode> roots)
    {
        var order = new List<ThreadNode>();
        var stack = new Stack<ThreadNode>(roots);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            order.Add(node);
            foreach (var child in node.Children)
            {
                stack.Push(child);
            }
        }

        order.Reverse();
        return order;
    }
}
