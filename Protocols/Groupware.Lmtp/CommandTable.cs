using Groupware.Lmtp.Commands;

namespace Groupware.Lmtp;

/// <summary>One command of the table: its argument parser, the states it is allowed in, and the refusal elsewhere.</summary>
internal sealed record CommandEntry(string Verb, LmtpState AllowedIn, Func<string, ParseResult> Parse, Func<LmtpState, LmtpReply> OutOfSequence);

/// <summary>
/// Every LMTP command this server knows and the session states it is allowed in (RFC 2033 §4,
/// RFC 5321 §4.1.4 for the order, RFC 3030 §2 for BDAT, RFC 3207 §4 for STARTTLS). BDAT is allowed
/// everywhere because its chunk must be read even when it is refused.
/// </summary>
internal static class CommandTable
{
    private static readonly Func<LmtpState, LmtpReply> NeverOutOfSequence = _ => LmtpReply.BadSequence("Bad sequence of commands");

    public static IReadOnlyDictionary<string, CommandEntry> Entries { get; } = new Dictionary<string, CommandEntry>(StringComparer.OrdinalIgnoreCase)
    {
        ["LHLO"] = new("LHLO", LmtpState.Any, LhloCommand.Parse, NeverOutOfSequence),
        ["HELO"] = new("HELO", LmtpState.Any, HeloCommand.Parse, NeverOutOfSequence),
        ["EHLO"] = new("EHLO", LmtpState.Any, HeloCommand.Parse, NeverOutOfSequence),
        ["STARTTLS"] = new("STARTTLS", LmtpState.Connected | LmtpState.Ready, StartTlsCommand.Parse,
            _ => LmtpReply.BadSequence("STARTTLS is not allowed inside a mail transaction")),
        ["MAIL"] = new("MAIL", LmtpState.Ready, MailCommand.Parse, state => state == LmtpState.Connected
            ? LmtpReply.BadSequence("Send LHLO first")
            : LmtpReply.BadSequence("Nested MAIL command")),
        ["RCPT"] = new("RCPT", LmtpState.Mail, RcptCommand.Parse, state => state == LmtpState.Chunking
            ? LmtpReply.BadSequence("RCPT is not allowed after BDAT")
            : LmtpReply.BadSequence("Send MAIL first")),
        ["DATA"] = new("DATA", LmtpState.Mail, DataCommand.Parse, state => state == LmtpState.Chunking
            ? LmtpReply.BadSequence("DATA is not allowed after BDAT; send RSET")
            : LmtpReply.BadSequence("Send MAIL first")),
        ["BDAT"] = new("BDAT", LmtpState.Any, BdatCommand.Parse, NeverOutOfSequence),
        ["RSET"] = new("RSET", LmtpState.Any, RsetCommand.Parse, NeverOutOfSequence),
        ["NOOP"] = new("NOOP", LmtpState.Any, NoopCommand.Parse, NeverOutOfSequence),
        ["VRFY"] = new("VRFY", LmtpState.Any, VrfyCommand.Parse, NeverOutOfSequence),
        ["QUIT"] = new("QUIT", LmtpState.Any, QuitCommand.Parse, NeverOutOfSequence),
    };
}
