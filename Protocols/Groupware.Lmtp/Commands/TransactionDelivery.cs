using System.Data.Common;
using System.Globalization;
using Groupware.Storage;
using Groupware.Storage.Mail;

namespace Groupware.Lmtp.Commands;

/// <summary>
/// The end of DATA or BDAT LAST (RFC 2033 §4.2, §4.3): the spooled message is stored for every
/// accepted recipient in one transaction, and each RCPT gets its own reply, in order. A 250 is
/// sent only for a copy the store has committed (RFC 2033 §4.2: the server takes responsibility
/// with it); a database failure answers 451 4.3.0 for all, so the client tries again later, and so
/// does a spool that failed (452 4.3.1 when its disk is full, RFC 5321 §4.2.2 and RFC 3463).
/// Several RCPTs naming one account store one copy, addressed to the first of them.
/// </summary>
internal static class TransactionDelivery
{
    public static async ValueTask<LmtpResponse> CompleteAsync(LmtpSession session, MailTransaction transaction, IncomingMessage message,
        CancellationToken cancellationToken)
    {
        await message.CompleteAsync(cancellationToken);
        var recipients = transaction.Recipients;
        LmtpReply[] replies;
        if (message.TooBig)
        {
            replies = recipients.Select(r => new LmtpReply(552, "5.3.4", string.Create(CultureInfo.InvariantCulture,
                $"<{r.Address}> Message too big: the limit is {session.Options.MaxMessageSize} octets"))).ToArray();
            session.CountDeliveries("too-big", replies.Length);
        }
        else if (message.SpoolError is { } spoolError)
        {
            session.LogSpoolFailed(spoolError);
            replies = recipients.Select(r => message.SpoolFull
                ? new LmtpReply(452, "4.3.1", $"<{r.Address}> Insufficient system storage, try again later")
                : LmtpReply.TemporaryFailure($"<{r.Address}> Temporary local problem, try again later")).ToArray();
            session.CountDeliveries("tempfail", replies.Length);
        }
        else
        {
            replies = await StoreAsync(session, transaction, message, cancellationToken);
        }

        await session.EndTransactionAsync();
        return new LmtpResponse(replies);
    }

    private static async Task<LmtpReply[]> StoreAsync(LmtpSession session, MailTransaction transaction, IncomingMessage message,
        CancellationToken cancellationToken)
    {
        var recipients = transaction.Recipients;
        var copies = recipients.DistinctBy(r => r.AccountId).ToList();
        var received = new ReceivedField(session.ClientName, session.ClientAddress, session.Options.HostName,
            session.Security.IsTls ? "LMTPS" : "LMTP", transaction.Id, transaction.StartedAt);
        var deliveries = copies
            .Select(r => new MessageDelivery(r.AccountId, TraceFields.Build(transaction.ReversePath, r.Address, received)))
            .ToList();

        IReadOnlyList<DeliveryResult> results;
        try
        {
            results = await session.Store.DeliverAsync(message, deliveries, session.Time.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e) || e is DbException)
        {
            // Nothing was committed: the MTA keeps the message and retries. An IOException here is the
            // database connection or the spool failing to read back; a statement refused is a bug.
            if (DatabaseFailure.IsUnavailable(e))
            {
                session.LogStoreUnavailable(e);
            }
            else
            {
                session.LogStoreRefused(e);
            }

            session.CountDeliveries("tempfail", recipients.Count);
            return recipients.Select(r => LmtpReply.TemporaryFailure($"<{r.Address}> Temporary failure, try again later")).ToArray();
        }

        var byAccount = copies.Select((r, i) => (r.AccountId, Delivery: results[i])).ToDictionary(c => c.AccountId, c => c.Delivery);
        var replies = new LmtpReply[recipients.Count];
        for (var i = 0; i < recipients.Count; i++)
        {
            var recipient = recipients[i];
            var result = byAccount[recipient.AccountId];
            replies[i] = result.Status switch
            {
                DeliveryStatus.Delivered => new LmtpReply(250, "2.0.0", string.Create(CultureInfo.InvariantCulture,
                    $"<{recipient.Address}> Saved as UID {result.Uid}")),
                DeliveryStatus.MailboxFull => new LmtpReply(552, "5.2.2", $"<{recipient.Address}> Mailbox full: quota exceeded"),
                DeliveryStatus.Disabled => new LmtpReply(550, "5.2.1", $"<{recipient.Address}> Mailbox disabled, not accepting messages"),
                _ => new LmtpReply(550, "5.1.1", $"<{recipient.Address}> No such user here"),
            };
            session.LogDelivery(transaction.Id, recipient.Address, replies[i].ToString());
        }

        session.CountDeliveries("delivered", replies.Count(r => r.IsPositive));
        session.CountDeliveries("refused", replies.Count(r => !r.IsPositive));
        return replies;
    }
}
