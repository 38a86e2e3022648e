using Groupware.Storage.Mail;

namespace Groupware.Pop3;

/// <summary>What a message-number argument refers to.</summary>
internal enum MessageLookup
{
    Found,
    NotANumber,
    NoSuchMessage,
    Deleted,
}

/// <summary>
/// The maildrop as one POP3 session sees it: a snapshot of the INBOX taken when the session enters
/// the TRANSACTION state, numbered from 1 (RFC 1939 §5: numbers do not change during the session),
/// with the session's deletion marks, which only QUIT commits (RFC 1939 §6).
/// </summary>
internal sealed class Maildrop(IReadOnlyList<MaildropMessage> messages)
{
    private readonly bool[] _deleted = new bool[messages.Count];

    /// <summary>Messages not marked as deleted.</summary>
    public int LiveCount => _deleted.Count(d => !d);

    /// <summary>Octets of the messages not marked as deleted.</summary>
    public long LiveSize => messages.Where((_, i) => !_deleted[i]).Sum(m => m.Size);

    /// <summary>The live messages with their numbers, in order.</summary>
    public IEnumerable<(int Number, MaildropMessage Message)> Live =>
        messages.Select((m, i) => (Number: i + 1, Message: m)).Where(e => !_deleted[e.Number - 1]);

    /// <summary>The live messages from number <paramref name="number"/> on, in order.</summary>
    public IEnumerable<(int Number, MaildropMessage Message)> LiveFrom(int number) =>
        Enumerable.Range(number, Math.Max(0, messages.Count - number + 1)).Where(n => !_deleted[n - 1]).Select(n => (n, messages[n - 1]));

    /// <summary>The messages marked as deleted, for the UPDATE state.</summary>
    public IEnumerable<MaildropMessage> Deleted => messages.Where((_, i) => _deleted[i]);

    public MessageLookup Find(string argument, out int number, out MaildropMessage? message)
    {
        message = null;
        if (!Syntax.MessageNumber.TryParse(argument, out number))
        {
            return MessageLookup.NotANumber;
        }

        if (number > messages.Count)
        {
            return MessageLookup.NoSuchMessage;
        }

        if (_deleted[number - 1])
        {
            return MessageLookup.Deleted;
        }

        message = messages[number - 1];
        return MessageLookup.Found;
    }

    public void Delete(int number) => _deleted[number - 1] = true;

    /// <summary>RSET (RFC 1939 §5): every deletion mark is removed.</summary>
    public void Reset() => Array.Clear(_deleted);
}
