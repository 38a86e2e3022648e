using Groupware.Storage.Mail;

namespace Groupware.Lmtp.Commands;

/// <summary>
/// DATA (RFC 5321 §4.1.1.4 with RFC 2033 §4.2): refused with 503 without an accepted recipient;
/// otherwise 354, then the dot-stuffed body is streamed to a spool file until CRLF.CRLF, stored,
/// and answered with one reply per accepted recipient, in RCPT order, each positive only after the
/// store has committed. A body over the size limit is read to its end and refused (552 5.3.4).
/// </summary>
internal sealed record DataCommand : LmtpCommand
{
    private static readonly DataCommand Instance = new();

    public static ParseResult Parse(string arguments) =>
        arguments.Trim().Length == 0 ? Instance : LmtpReply.SyntaxError("Syntax: DATA (no parameters)");

    public override async ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken)
    {
        var transaction = session.Transaction!;
        if (transaction.Recipients.Count == 0)
        {
            return LmtpReply.BadSequence("No valid recipients");
        }

        await using var message = IncomingMessage.Create(session.Options.SpoolDirectory, session.Options.MaxMessageSize);
        await session.SendNowAsync(new LmtpReply(354, null, "Start mail input; end with <CRLF>.<CRLF>"), cancellationToken);
        await session.ReadDataAsync(message, cancellationToken);
        return await TransactionDelivery.CompleteAsync(session, transaction, message, cancellationToken);
    }
}
