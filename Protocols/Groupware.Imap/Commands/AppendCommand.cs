using System.Globalization;
using Groupware.Connections.Framing;
using Groupware.Imap.Syntax;
using Groupware.Storage.Mail;
using MimeKit;

namespace Groupware.Imap.Commands;

/// <summary>
/// APPEND mailbox [(flags)] [date-time] literal (RFC 9051 §6.3.12, UIDPLUS's APPENDUID RFC 4315 §3,
/// BINARY's literal8 RFC 3516 §4.4), and MULTIAPPEND's several messages in one command (RFC 3502 §6.3.11).
/// Each message arrives as a literal the engine spooled; it is parsed once (MIME structure, part
/// offsets, search fields), and all of them are stored in one transaction, all or none, and OK comes
/// only after the commit, with APPENDUID naming every new UID. A missing mailbox is NO [TRYCREATE];
/// over quota NO [OVERQUOTA].
/// </summary>
internal sealed record AppendCommand(string Mailbox, IReadOnlyList<AppendCommand.Message> Messages) : ImapCommand
{
    /// <summary>One append-message of RFC 3502 §6.3.11: its flags, its date if given, and its literal.</summary>
    internal sealed record Message(IReadOnlyList<string> Flags, DateTimeOffset? InternalDate, CommandLiteral Literal);

    public static ParseResult Parse(ImapReader reader, ImapSession session)
    {
        if (!reader.TrySpace() || !reader.TryReadMailbox(session.Utf8, out var mailbox))
        {
            return "Syntax: APPEND mailbox [(flags)] [date-time] {size}";
        }

        var messages = new List<Message>();
        do
        {
            if (!reader.TrySpace())
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

            if (!reader.TryReadLiteralBody(out var literal))
            {
                return "APPEND's message is a literal.";
            }

            messages.Add(new Message(flags, date, literal));
        }
        while (!reader.AtEnd);

        return new AppendCommand(mailbox, messages);
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        if (Messages.Any(m => m.Literal.Length == 0))
        {
            return ImapResult.No("An empty message cannot be appended.");
        }

        var spooled = new List<IncomingMessage>(Messages.Count);
        try
        {
            var appended = new List<AppendedMessage>(Messages.Count);
            foreach (var message in Messages)
            {
                var incoming = IncomingMessage.Create(session.Options.SpoolDirectory, session.Options.MaxMessageSize);
                spooled.Add(incoming);
                var refusal = await SpoolAsync(message.Literal, incoming, cancellationToken);
                if (refusal is not null)
                {
                    return refusal;
                }

                var (systemFlags, keywords) = Flagging.Split(message.Flags);
                appended.Add(new AppendedMessage(incoming, systemFlags, keywords, message.InternalDate ?? session.Time.GetUtcNow()));
            }

            var result = await session.Store.AppendAsync(session.Account!.Id, Mailbox, appended, cancellationToken);
            switch (result.Status)
            {
                case AppendStatus.Appended:
                    if (session.Selected is { } selected && string.Equals(selected.Name, Mailbox, StringComparison.Ordinal))
                    {
                        // RFC 9051 §6.3.12: a message appended to the selected mailbox is announced as EXISTS.
                        await session.AnnounceChangesAsync(cancellationToken, force: true);
                    }

                    // RFC 4315 §3: APPENDUID's uid-set, one UID per message in the order they were sent.
                    var uids = result.Count == 1
                        ? result.Uid.ToString(CultureInfo.InvariantCulture)
                        : string.Create(CultureInfo.InvariantCulture, $"{result.Uid}:{result.Uid + result.Count - 1}");
                    return ImapResult.Ok("Append completed.", string.Create(CultureInfo.InvariantCulture, $"APPENDUID {result.UidValidity} {uids}"));
                case AppendStatus.NoSuchMailbox:
                    return ImapResult.NoSuchTarget(Mailbox);
                case AppendStatus.NotSelectable:
                    return ImapResult.No("This name holds no messages, only other mailboxes.", "CANNOT");
                default:
                    return ImapResult.No(Messages.Count == 1 ? "The mailbox is over its quota." : "These messages would take the mailbox over its quota; none was stored.",
                        "OVERQUOTA");
            }
        }
        finally
        {
            foreach (var incoming in spooled)
            {
                await incoming.DisposeAsync();
            }
        }
    }

    /// <summary>Copies one literal into the spool and parses it; a refusal when it cannot be stored, else null.</summary>
    private static async ValueTask<ImapResult?> SpoolAsync(CommandLiteral literal, IncomingMessage incoming, CancellationToken cancellationToken)
    {
        var binary = literal.IsBinary && await HoldsNulAsync(literal, cancellationToken);
        var sevenBit = binary ? await SevenBitAsync(literal, cancellationToken) : null;
        if (binary && sevenBit is null)
        {
            // RFC 3516 §4.4: binary content the mailbox cannot store is refused with UNKNOWN-CTE.
            return ImapResult.No("This literal8 holds NUL octets outside any MIME part that could carry them encoded.", "UNKNOWN-CTE");
        }

        await using (var content = sevenBit ?? literal.OpenRead())
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await incoming.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }

        await incoming.CompleteAsync(cancellationToken);
        return incoming.TooBig ? ImapResult.No("The message is larger than this server takes.", "TOOBIG") : null;
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
