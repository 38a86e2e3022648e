using System.Globalization;
using Groupware.Connections.Framing;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;
using MimeKit;

namespace Groupware.Imap.Commands;

/// <summary>
/// APPEND mailbox [(flags)] [date-time] literal (RFC 9051 §6.3.12, UIDPLUS's APPENDUID RFC 4315 §3,
/// BINARY's literal8 RFC 3516 §4.4). The message arrives as a literal the engine spooled; it is
/// parsed once (MIME structure, part offsets, search fields) and stored in one transaction, and OK
/// comes only after the commit. A missing mailbox is NO [TRYCREATE]; over quota NO [OVERQUOTA].
/// </summary>
internal sealed record AppendCommand(string Mailbox, IReadOnlyList<string> Flags, DateTimeOffset? InternalDate, CommandLiteral Message)
    : ImapCommand
{
    public static ParseResult Parse(ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox) || !reader.TrySpace())
        {
            return "Syntax: APPEND mailbox [(flags)] [date-time] {size}";
        }

        IReadOnlyList<string> flags = [];
        if (reader.Peek() == '(')
        {
            if (!reader.TryReadFlagList(out flags) || !reader.TrySpace())
            {
                return "APPEND's flags are a parenthesised list of flags.";
            }
        }

        DateTimeOffset? date = null;
        if (reader.Peek() == '"')
        {
            if (!reader.TryReadDateTime(out var parsed) || !reader.TrySpace())
            {
                return "APPEND's date is \"dd-Mon-yyyy hh:mm:ss +zzzz\".";
            }

            date = parsed;
        }

        if (!reader.TryReadLiteralBody(out var message) || !reader.AtEnd)
        {
            return "APPEND's message is a literal.";
        }

        return new AppendCommand(mailbox, flags, date, message);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (Message.Length == 0)
        {
            return ImapResult.No("An empty message cannot be appended.");
        }

        var (systemFlags, keywords) = Flagging.Split(Flags);
        await using var incoming = IncomingMessage.Create(session.Options.SpoolDirectory, session.Options.MaxMessageSize);
        var binary = Message.IsBinary && await HoldsNulAsync(Message, cancellationToken);
        var sevenBit = binary ? await SevenBitAsync(Message, cancellationToken) : null;
        if (binary && sevenBit is null)
        {
            // RFC 3516 §4.4: binary content the mailbox cannot store is refused with UNKNOWN-CTE.
            return ImapResult.No("This literal8 holds NUL octets outside any MIME part that could carry them encoded.", "UNKNOWN-CTE");
        }

        await using (var content = sevenBit ?? Message.OpenRead())
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await incoming.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }

        await incoming.CompleteAsync(cancellationToken);
        if (incoming.TooBig)
        {
            return ImapResult.No("The message is larger than this server takes.", "TOOBIG");
        }

        var result = await session.Store.AppendAsync(session.Account!.Id, Mailbox, incoming, systemFlags, keywords,
            InternalDate ?? session.Time.GetUtcNow(), cancellationToken);
        switch (result.Status)
        {
            case AppendStatus.Appended:
                if (session.Selected is { } selected && string.Equals(selected.Name, Mailbox, StringComparison.Ordinal))
                {
                    // RFC 9051 §6.3.12: a message appended to the selected mailbox is announced as EXISTS.
                    await session.AnnounceChangesAsync(cancellationToken, force: true);
                }

                return ImapResult.Ok("Append completed.", string.Create(CultureInfo.InvariantCulture, $"APPENDUID {result.UidValidity} {result.Uid}"));
            case AppendStatus.NoSuchMailbox:
                return ImapResult.NoSuchTarget(Mailbox);
            case AppendStatus.NotSelectable:
                return ImapResult.No("This name holds no messages, only other mailboxes.", "CANNOT");
            default:
                return ImapResult.No("The mailbox is over its quota.", "OVERQUOTA");
        }
    }

    /// <summary>Whether a literal8 holds NUL octets, which no literal of a BODY response may carry (RFC 9051 §4.3).</summary>
    private static async ValueTask<bool> HoldsNulAsync(CommandLiteral literal, CancellationToken cancellationToken)
    {
        await using var content = literal.OpenRead();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (buffer.AsSpan(0, read).Contains((byte)0))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A binary message (RFC 3516 §4.4) with its parts re-encoded in base64 or quoted-printable where
    /// they need it: "the server MAY modify the CTE of the appended data", losing nothing, and so every
    /// BODY section of it can be sent as a literal, while BINARY decodes the octets as appended.
    /// Null when the octets are no MIME message at all, so that there is no part to re-encode.
    /// </summary>
    private static async ValueTask<Stream?> SevenBitAsync(CommandLiteral literal, CancellationToken cancellationToken)
    {
        await using var content = literal.OpenRead();
        MimeMessage message;
        try
        {
            message = await MimeMessage.LoadAsync(content, cancellationToken);
        }
        catch (FormatException)
        {
            return null;
        }

        using var parsed = message;
        message.Prepare(EncodingConstraint.SevenBit);
        var converted = new MemoryStream();
        await message.WriteToAsync(converted, cancellationToken);
        converted.Position = 0;
        return converted;
    }
}
