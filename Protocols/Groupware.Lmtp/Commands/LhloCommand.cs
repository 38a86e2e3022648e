namespace Groupware.Lmtp.Commands;

/// <summary>
/// LHLO (RFC 2033 §4.1): EHLO's semantics under LMTP's own name. Any transaction is reset
/// (RFC 5321 §4.1.4) and the extensions are listed: PIPELINING (RFC 2920), ENHANCEDSTATUSCODES
/// (RFC 2034), 8BITMIME (RFC 6152), CHUNKING (RFC 3030), SIZE (RFC 1870) and, where the listener
/// offers it and the connection is still clear, STARTTLS (RFC 3207).
/// </summary>
internal sealed record LhloCommand(string ClientName) : LmtpCommand
{
    public static ParseResult Parse(string arguments)
    {
        var name = arguments.Trim();
        return name.Length == 0 || name.Contains(' ', StringComparison.Ordinal)
            ? LmtpReply.SyntaxError("Syntax: LHLO hostname")
            : new LhloCommand(name);
    }

    public override async ValueTask<LmtpResponse> ExecuteAsync(LmtpSession session, CancellationToken cancellationToken)
    {
        await session.EndTransactionAsync();
        session.ClientName = ClientName;
        session.State = LmtpState.Ready;
        List<string> lines =
        [
            session.Options.HostName,
            "PIPELINING",
            "ENHANCEDSTATUSCODES",
            "8BITMIME",
            "CHUNKING",
        ];
        if (session.StartTlsOffered)
        {
            lines.Add("STARTTLS");
        }

        lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SIZE {session.Options.MaxMessageSize}"));
        return new LmtpReply(250, null, lines);
    }
}
