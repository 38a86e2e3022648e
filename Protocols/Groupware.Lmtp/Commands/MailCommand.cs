using System.Globalization;

namespace Groupware.Lmtp.Commands;

/// <summary>
/// MAIL FROM:&lt;reverse-path&gt; [SIZE=n] [BODY=7BIT|8BITMIME] (RFC 5321 §4.1.1.2, RFC 1870 §6,
/// RFC 6152 §2): starts a mail transaction. A declared size over the limit is refused here with
/// 552 5.3.4, before any octet of the message is sent. On a STARTTLS listener the transaction
/// waits for TLS (RFC 3207 §4: 530 5.7.0), so a listener reachable from the network never takes
/// mail in clear.
/// </summary>
internal sealed record MailCommand(string ReversePath, long? Size) : LmtpCommand
{
    public static ParseResult Parse(string arguments)
    {
        if (!arguments.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase))
        {
            return LmtpReply.SyntaxError("Syntax: MAIL FROM:<address> [SIZE=n] [BODY=7BIT|8BITMIME]");
        }

        if (!Syntax.MailPath.TryParse(arguments[5..].TrimStart(), out var address, out var rest))
        {
            return new LmtpReply(501, "5.1.7", "Bad sender address syntax");
        }

        long? size = null;
        foreach (var parameter in rest.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var keyword = equals < 0 ? parameter : parameter[..equals];
            var value = equals < 0 ? null : parameter[(equals + 1)..];
            if (keyword.Equals("SIZE", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var declared))
                {
                    return LmtpReply.SyntaxError("Syntax: SIZE=number of octets");
                }

                size = declared;
            }
            else if (keyword.Equals("BODY", StringComparison.OrdinalIgnoreCase))
            {
                if (!(value?.Equals("7BIT", StringComparison.OrdinalIgnoreCase) == true
                    || value?.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase) == true))
                {
                    return new LmtpReply(555, "5.5.4", "BODY must be 7BIT or 8BITMIME");
                }
            }
            else
            {
                return new LmtpReply(555, "5.5.4", $"Unsupported MAIL parameter {keyword}");
            }
        }

        return new MailCommand(address, size);
    }

    public override async ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken)
    {
        if (session.TlsRequired)
        {
            return new LmtpReply(530, "5.7.0", "Must issue a STARTTLS command first");
        }

        if (Size > session.Options.MaxMessageSize)
        {
            return new LmtpReply(552, "5.3.4", string.Create(CultureInfo.InvariantCulture,
                $"Message too big: the limit is {session.Options.MaxMessageSize} octets"));
        }

        await session.BeginTransactionAsync(new MailTransaction(ReversePath, Size, session.Time.GetUtcNow()));
        return new LmtpReply(250, "2.1.0", "Sender OK");
    }
}
