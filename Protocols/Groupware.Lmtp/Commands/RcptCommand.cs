using System.Globalization;
using Groupware.Storage;
using Groupware.Storage.Mail;

namespace Groupware.Lmtp.Commands;

/// <summary>
/// RCPT TO:&lt;forward-path&gt; (RFC 5321 §4.1.1.3). The address resolves through the primary
/// address, the aliases and subaddresses (<c>user+tag@domain</c>); each refusal has its RFC 3463
/// code: unknown 550 5.1.1, disabled 550 5.2.1, a declared SIZE larger than the whole quota
/// 552 5.3.4, over quota 552 5.2.2 (Dovecot's default, quota_full_tempfail = no), too many
/// recipients 452 4.5.3 (RFC 5321 §4.5.3.1.10).
/// </summary>
internal sealed record RcptCommand(string Address) : LmtpCommand
{
    public static ParseResult Parse(string arguments)
    {
        if (!arguments.StartsWith("TO:", StringComparison.OrdinalIgnoreCase))
        {
            return LmtpReply.SyntaxError("Syntax: RCPT TO:<address>");
        }

        if (!Syntax.MailPath.TryParse(arguments[3..].TrimStart(), out var address, out var rest) || address.Length == 0)
        {
            return new LmtpReply(501, "5.1.3", "Bad recipient address syntax");
        }

        return rest.Trim().Length > 0
            ? new LmtpReply(555, "5.5.4", "RCPT parameters are not supported")
            : new RcptCommand(address);
    }

    public override async ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken)
    {
        var transaction = session.Transaction!;
        if (transaction.Recipients.Count >= session.Options.MaxRecipients)
        {
            return new LmtpReply(452, "4.5.3", "Too many recipients");
        }

        RecipientLookup lookup;
        try
        {
            lookup = await session.Resolver.ResolveAsync(Address, cancellationToken);
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            session.LogStoreUnavailable(e);
            return LmtpReply.TemporaryFailure($"<{Address}> Temporary failure, try again later");
        }

        var account = lookup.Account;
        var reply = lookup.Status switch
        {
            RecipientStatus.Unknown => new LmtpReply(550, "5.1.1", $"<{Address}> No such user here"),
            RecipientStatus.Disabled => new LmtpReply(550, "5.2.1", $"<{Address}> Mailbox disabled, not accepting messages"),
            _ when account!.QuotaBytes is { } quota && transaction.DeclaredSize > quota =>
                new LmtpReply(552, "5.3.4", string.Create(CultureInfo.InvariantCulture,
                    $"<{Address}> Message too big for this mailbox (quota {quota} octets)")),
            _ when account!.QuotaBytes is { } quota
                && (account.UsedBytes >= quota || account.UsedBytes + (transaction.DeclaredSize ?? 0) > quota) =>
                new LmtpReply(552, "5.2.2", $"<{Address}> Mailbox full: quota exceeded"),
            _ => null,
        };
        if (reply is not null)
        {
            session.CountRefusal();
            return reply;
        }

        transaction.Recipients.Add(new AcceptedRecipient(Address, account!.Id));
        return new LmtpReply(250, "2.1.5", $"<{Address}> Recipient OK");
    }
}
