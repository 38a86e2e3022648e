using System.Security.Cryptography;
using Groupware.Storage.Mail;

namespace Groupware.Lmtp;

/// <summary>A recipient RCPT accepted: the address as the client wrote it, and the account it delivers to.</summary>
internal sealed record AcceptedRecipient(string Address, long AccountId);

/// <summary>
/// One mail transaction (RFC 5321 §3.3): from MAIL to the end of DATA or BDAT LAST, or RSET. It
/// owns the spooled message, if one has started arriving, and deletes it when disposed.
/// </summary>
internal sealed class MailTransaction(string reversePath, long? declaredSize, DateTimeOffset startedAt) : IAsyncDisposable
{
    /// <summary>The envelope sender; empty for the null reverse-path.</summary>
    public string ReversePath { get; } = reversePath;

    /// <summary>The SIZE parameter of MAIL (RFC 1870), if given.</summary>
    public long? DeclaredSize { get; } = declaredSize;

    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>An id for the Received field and the log.</summary>
    public string Id { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    /// <summary>The recipients accepted so far, in RCPT order (one DATA reply each, RFC 2033 §4.2).</summary>
    public List<AcceptedRecipient> Recipients { get; } = [];

    /// <summary>The message being received by BDAT chunks; null before the first chunk.</summary>
    public IncomingMessage? Chunks { get; set; }

    public async ValueTask DisposeAsync()
    {
        if (Chunks is not null)
        {
            await Chunks.DisposeAsync();
            Chunks = null;
        }
    }
}
