using Groupware.Storage.Mail;

namespace Groupware.Pop3;

/// <summary>
/// Whole small messages fetched ahead of their RETR. Clients (fetchmail, printers, "download all")
/// fetch a maildrop in order, so a small message pulls the small ones after it into memory in the
/// same query: one database round trip serves several RETRs instead of one each.
/// </summary>
internal sealed class MessageReadAhead(MailStore store, long accountId)
{
    /// <summary>Messages read ahead at most per query.</summary>
    private const int ReadAheadMessages = 16;

    /// <summary>Largest message read ahead; larger ones stream chunk by chunk.</summary>
    private const int ReadAheadMessageSize = 64 * 1024;

    /// <summary>Octets a session holds read ahead at most, so that thousands of sessions stay cheap.</summary>
    private const int ReadAheadBytes = 256 * 1024;

    private readonly Dictionary<long, byte[]> _held = [];

    /// <summary>The content of message <paramref name="number"/>: from what was read ahead, else from the store.</summary>
    /// <exception cref="MessageNotFoundException">Another session removed it.</exception>
    public async ValueTask<Stream> OpenAsync(Maildrop maildrop, int number, MaildropMessage message, CancellationToken cancellationToken)
    {
        if (_held.Remove(message.Uid, out var held))
        {
            return new MemoryStream(held, writable: false);
        }

        if (message.Size <= ReadAheadMessageSize)
        {
            var batch = new List<long>();
            long bytes = 0;
            foreach (var (_, next) in maildrop.LiveFrom(number))
            {
                if (batch.Count == ReadAheadMessages || next.Size > ReadAheadMessageSize || next.MailboxId != message.MailboxId
                    || bytes + next.Size > ReadAheadBytes)
                {
                    break;
                }

                batch.Add(next.Uid);
                bytes += next.Size;
            }

            if (batch.Count > 1)
            {
                _held.Clear();
                foreach (var (uid, content) in await store.ReadSmallMessagesAsync(accountId, message.MailboxId, batch, cancellationToken))
                {
                    _held[uid] = content;
                }

                if (_held.Remove(message.Uid, out held))
                {
                    return new MemoryStream(held, writable: false);
                }
            }
        }

        return await store.OpenMessageAsync(accountId, message.MailboxId, message.Uid, cancellationToken);
    }
}
