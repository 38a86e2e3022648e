using System.Globalization;
using Groupware.Connections;
using Groupware.Storage.Mail;

namespace Groupware.Lmtp.Commands;

/// <summary>
/// BDAT size [LAST] (RFC 3030 §2, CHUNKING; RFC 2033 §4.3). The chunk's octets follow the command
/// line and are always read, even when the command is refused, so the session stays in step. A
/// chunk without LAST gets one reply; BDAT LAST gets one reply per accepted recipient (none when
/// there is none). A size that cannot be read leaves the octets that follow indistinguishable
/// from commands, so the session replies and closes.
/// </summary>
internal sealed record BdatCommand(long? Size, bool Last) : LmtpCommand
{
    public static ParseResult Parse(string arguments)
    {
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var sizeOk = parts.Length is 1 or 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _);
        var last = parts.Length == 2 && parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase);
        return sizeOk && (parts.Length == 1 || last)
            ? new BdatCommand(long.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture), last)
            : new BdatCommand(null, false);
    }

    public override async ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken)
    {
        if (Size is not { } size)
        {
            return new LmtpResponse([new LmtpReply(501, "5.5.4", "Syntax: BDAT size [LAST]; closing, the chunk cannot be found")], SessionStep.Close);
        }

        var transaction = session.Transaction;
        if (transaction is null)
        {
            await session.ReadChunkAsync(size, null, cancellationToken);
            return LmtpReply.BadSequence(session.State == LmtpState.Connected ? "Send LHLO first" : "Send MAIL first");
        }

        if (transaction.Recipients.Count == 0)
        {
            await session.ReadChunkAsync(size, null, cancellationToken);
            if (Last)
            {
                await session.EndTransactionAsync();
                return LmtpResponse.None;
            }

            return LmtpReply.BadSequence("No valid recipients");
        }

        transaction.Chunks ??= IncomingMessage.Create(session.Options.SpoolDirectory, session.Options.MaxMessageSize);
        session.State = LmtpState.Chunking;
        await session.ReadChunkAsync(size, transaction.Chunks, cancellationToken);
        if (!Last)
        {
            return new LmtpReply(250, "2.0.0", string.Create(CultureInfo.InvariantCulture, $"{size} octets received"));
        }

        return await TransactionDelivery.CompleteAsync(session, transaction, transaction.Chunks, cancellationToken);
    }
}
