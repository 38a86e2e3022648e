using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Groupware.Storage.Mail;

/// <summary>
/// OBJECTID (RFC 8474): MAILBOXID is a digest of the account and the mailbox's row id, which RENAME
/// keeps and a mailbox deleted and made again does not; EMAILID (read with a message's metadata) is
/// the same digest of the account and the content's SHA-256, so every copy of one content in an
/// account has one EMAILID and another account's never matches. Digests rather than the row ids, so
/// that the identifiers say nothing about how many mailboxes or messages the server holds
/// (RFC 8474 §8). 96 bits in hex, within the 255 characters §3 allows.
/// </summary>
public static class ObjectIds
{
    /// <summary>The EMAILID of message row <c>m</c> with its content <c>b</c>: <c>M</c> and 24 hex digits of the digest.</summary>
    internal const string EmailIdSql = "'M' || left(encode(sha256(int8send(m.account_id) || b.sha256), 'hex'), 24)";

    /// <summary>The MAILBOXID of a mailbox: <c>F</c> and 24 hex digits.</summary>
    public static string MailboxId(long accountId, long mailboxId)
    {
        Span<byte> key = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(key, accountId);
        BinaryPrimitives.WriteInt64BigEndian(key[8..], mailboxId);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(key, digest);
        return "F" + Convert.ToHexStringLower(digest[..12]);
    }
}
