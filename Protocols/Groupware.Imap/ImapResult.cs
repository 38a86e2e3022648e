using Groupware.Connections;
using Groupware.Storage.Mail;

namespace Groupware.Imap;

/// <summary>The status of a tagged completion (RFC 9051 §7.1).</summary>
internal enum ImapStatus
{
    Ok,
    No,
    Bad,
}

/// <summary>
/// How a command completes, as a value (RFC 9051 §7.1): OK, NO or BAD, an optional response code
/// (RFC 9051 §7.1, RFC 5530), the human-readable text, and whether the session goes on. Untagged
/// data the command produced is written before this is sent.
/// </summary>
internal sealed record ImapResult(ImapStatus Status, string? Code, string Text, SessionStep Step = SessionStep.Continue)
{
    /// <summary>True when the command wrote its tagged line itself (STARTTLS answers before the handshake).</summary>
    public bool Silent { get; init; }

    public static ImapResult Ok(string text, string? code = null) => new(ImapStatus.Ok, code, text);

    public static ImapResult No(string text, string? code = null) => new(ImapStatus.No, code, text);

    public static ImapResult Bad(string text, string? code = null) => new(ImapStatus.Bad, code, text);

    /// <summary>
    /// A COPY, MOVE or APPEND target that does not exist: NO [TRYCREATE] (RFC 9051 §6.3.12, §6.4.7),
    /// or NO [CANNOT] when the name could never name a mailbox, as CREATE would refuse it too and
    /// TRYCREATE would send the client in a circle.
    /// </summary>
    public static ImapResult NoSuchTarget(string mailbox) => MailboxNames.IsValid(mailbox)
        ? No("No such mailbox.", "TRYCREATE")
        : No("That name cannot name a mailbox.", "CANNOT");

    /// <summary>The completion as sent after <paramref name="tag"/>: <c>a1 NO [TRYCREATE] No such mailbox</c>.</summary>
    public string Render(string tag) =>
        $"{tag} {Status.ToString().ToUpperInvariant()} {(Code is null ? "" : $"[{Code}] ")}{Text}";
}
