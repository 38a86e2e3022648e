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
            if (ParseMessage(reader, "APPEND", out var message) is { } error)
            {
                return error;
            }

            messages.Add(message!);
        }
        while (!reader.AtEnd);

        return new AppendCommand(mailbox, messages);
    }

    /// <summary>
    /// RFC 3502 §6.3.11 <c>append-message</c> after <c>SP</c>: [flag-list SP] [date-time SP] literal,
    /// also REPLACE's (RFC 8508 §6). The error to answer with BAD, or null and the message.
    /// </summary>
    internal static string? ParseMessage(ImapReader reader, string verb, out Message? message)
    {
        message = null;
        if (!reader.TrySpace())
        {
            return $"Syntax: {verb} mailbox [(flags)] [date-time] {{size}}";
        }

        IReadOnlyList<string> flags = [];
        if (reader.Peek() == '(')
        {
            if (!reader.TryReadFlagList(out flags) || !reader.TrySpace())
            {
                return $"{verb}'s flags are a parenthesised list of flags.";
            }
        }

        DateTimeOffset? date = null;
        if (reader.Peek() == '"')
        {
            if (!reader.TryReadDateTime(out var parsed) || !reader.TrySpace())
            {
                return $"{verb}'s date is \"dd-Mon-yyyy hh:mm:ss +zzzz\".";
            }

            date = parsed;
        }

        if (!reader.TryReadLiteralBody(out var literal))
        {
            return $"{verb}'s message is a literal.";
        }

        message = new Message(flags, date, literal);
        return null;
    }

    public override async ValueTask<ImapResult> ExecuteAsync(ImapSession session, string tag, CancellationToken cancellationToken)
    {
        var (refusal, result) = await StoreAsync(session, Mailbox, Messages, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (session.Selected is { } selected && string.Equals(selected.Name, Mailbox, StringComparison.Ordinal))
        {
            // RFC 9051 §6.3.12: a message appended to the selected mailbox is announced as EXISTS.
            await session.AnnounceChangesAsync(cancellationToken, force: true);
        }

        return ImapResult.Ok("Append completed.", AppendUid(result));
    }

    /// <summary>
    /// Spools, parses and stores <paramref name="messages"/> in <paramref name="mailbox"/>, all or none:
    /// the refusal to answer with, or null and what the store did.
    /// </summary>
    internal static async ValueTask<(ImapResult? Refusal, AppendResult Result)> StoreAsync(ImapSession session, string mailbox,
        IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var none = new AppendResult(AppendStatus.NoSuchMailbox);
        if (messages.Any(m => m.Literal.Length == 0))
        {
            return (ImapResult.No("An empty message cannot be appended."), none);
        }

        var spooled = new List<IncomingMessage>(messages.Count);
        try
        {
            var appended = new List<AppendedMessage>(messages.Count);
            foreach (var message in messages)
            {
                var incoming = IncomingMessage.Create(session.Options.SpoolDirectory, session.Options.MaxMessageSize);
                spooled.Add(incoming);
                var refusal = await SpoolAsync(message.Literal, incoming, cancellationToken);
                if (refusal is not null)
                {
                    return (refusal, none);
                }

                var (systemFlags, keywords) = Flagging.Split(message.Flags);
                appended.Add(new AppendedMessage(incoming, systemFlags, keywords, message.InternalDate ?? session.Time.GetUtcNow()));
            }

            var result = await session.Store.AppendAsync(session.Account!.Id, mailbox, appended, cancellationToken);
            return result.Status switch
            {
                AppendStatus.Appended => (null, result),
                AppendStatus.NoSuchMailbox => (ImapResult.NoSuchTarget(mailbox), result),
                AppendStatus.NotSelectable => (ImapResult.No("This name holds no messages, only other mailboxes.", "CANNOT"), result),
                _ => (ImapResult.No(messages.Count == 1 ? "The mailbox is over its quota." : "These messages would take the mailbox over its quota; none was stored.",
                    "OVERQUOTA"), result),
            };
        }
        finally
        {
            foreach (var incoming in spooled)
            {
                await incoming.DisposeAsync();
            }
        }
    }

    /// <summary>RFC 4315 §3: APPENDUID with the uid-set, one UID per message in the order they were sent.</summary>
    internal static string AppendUid(AppendResult result)
    {
        var uids = result.Count == 1
            ? result.Uid.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{result.Uid}:{result.Uid + result.Count - 1}");
        return string.Create(CultureInfo.InvariantCulture, $"APPENDUID {result.UidValidity} {uids}");
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
