using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Groupware.Rpc.V1;
using Groupware.Storage.Tables;

namespace Groupware.Rpc;

/// <summary>What a cursor was made for: the table, its folder (and the mailbox's UIDVALIDITY), and digests of the sort order and restriction.</summary>
internal readonly record struct CursorScope(TableKind Kind, long FolderId, long UidValidity, ulong Order, ulong Restriction)
{
    /// <summary>The scope of a query: the digests are of the request's sort keys and restriction as the contract encodes them.</summary>
    public static CursorScope Of(TableKind kind, long folderId, long uidValidity, QueryRequest request)
    {
        using var order = new MemoryStream();
        foreach (var sort in request.Sort)
        {
            sort.WriteDelimitedTo(order);
        }

        return new(kind, folderId, uidValidity, Digest(order.ToArray()), Digest(request.Restriction?.ToByteArray() ?? []));
    }

    private static ulong Digest(ReadOnlySpan<byte> octets) => BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(octets));
}

/// <summary>
/// The opaque cursor of Items.Query (groupware.rpc.v1 QueryRequest.cursor): a keyset, the last row's sort key values and
/// its UID or object name, so that the next page is read from where the last one ended instead of counted from the start
/// (the seek method; Kopano's tables keep a server-side bookmark instead, which a stateless call cannot). It carries its
/// <see cref="CursorScope"/>, so that a cursor given to another folder, order or restriction is refused, not silently
/// read as a position in a different order, and a checksum, so that a garbled one is refused too. Octets: version, table,
/// folder, UIDVALIDITY, the two digests, the keys (a type octet and a value each), the row key, and the first 8 octets of
/// the SHA-256 of all that; base64url (RFC 4648 §5) without padding.
/// </summary>
internal static class QueryCursor
{
    private const byte Version = 1;
    private const int ChecksumLength = 8;

    private enum ValueType : byte
    {
        Null,
        Text,
        Number,
        Boolean,
        Time,
    }

    public static string Encode(CursorScope scope, TableKeyset keyset)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write((byte)scope.Kind);
            writer.Write(scope.FolderId);
            writer.Write(scope.UidValidity);
            writer.Write(scope.Order);
            writer.Write(scope.Restriction);
            writer.Write((byte)keyset.SortKeys.Count);
            foreach (var value in keyset.SortKeys)
            {
                switch (value)
                {
                    case null:
                        writer.Write((byte)ValueType.Null);
                        break;
                    case string text:
                        writer.Write((byte)ValueType.Text);
                        writer.Write(text);
                        break;
                    case long number:
                        writer.Write((byte)ValueType.Number);
                        writer.Write(number);
                        break;
                    case bool flag:
                        writer.Write((byte)ValueType.Boolean);
                        writer.Write(flag);
                        break;
                    case DateTimeOffset time:
                        writer.Write((byte)ValueType.Time);
                        writer.Write(time.UtcTicks);
                        break;
                    default:
                        throw new ArgumentException($"a sort key of type {value.GetType().Name}", nameof(keyset));
                }
            }

            writer.Write(keyset.Key);
        }

        var body = buffer.ToArray();
        return Base64Url.EncodeToString([.. body, .. SHA256.HashData(body).AsSpan(0, ChecksumLength)]);
    }

    /// <summary>
    /// The keyset of a cursor given with a query of <paramref name="scope"/>, or the refusal: INVALID_ARGUMENT
    /// "invalid-cursor" for octets this server did not make, "cursor-mismatch" for a cursor of another folder, order or
    /// restriction, "stale-cursor" for one of a mailbox since recreated (a new UIDVALIDITY, RFC 9051 §2.3.1.1).
    /// </summary>
    public static TableKeyset Decode(string cursor, CursorScope scope, int sortKeys)
    {
        byte[] octets;
        try
        {
            octets = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        if (octets.Length <= ChecksumLength + 1 || octets[0] != Version
            || !SHA256.HashData(octets.AsSpan(0, octets.Length - ChecksumLength)).AsSpan(0, ChecksumLength).SequenceEqual(octets.AsSpan(octets.Length - ChecksumLength)))
        {
            throw Invalid();
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(octets, 1, octets.Length - 1 - ChecksumLength), Encoding.UTF8);
            var made = new CursorScope((TableKind)reader.ReadByte(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadUInt64(), reader.ReadUInt64());
            if (made.Kind != scope.Kind || made.FolderId != scope.FolderId)
            {
                throw Mismatch("the cursor is of another folder's table");
            }

            if (made.UidValidity != scope.UidValidity)
            {
                throw RpcErrors.BadRequest("stale-cursor", "cursor", "the folder was recreated since the cursor was made (a new UIDVALIDITY); query it from the start");
            }

            if (made.Order != scope.Order)
            {
                throw Mismatch("the cursor is of another sort order; a cursor continues the query it came from");
            }

            if (made.Restriction != scope.Restriction)
            {
                throw Mismatch("the cursor is of another restriction; a cursor continues the query it came from");
            }

            var count = reader.ReadByte();
            if (count != sortKeys)
            {
                throw Invalid();
            }

            var values = new object?[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = (ValueType)reader.ReadByte() switch
                {
                    ValueType.Null => null,
                    ValueType.Text => reader.ReadString(),
                    ValueType.Number => reader.ReadInt64(),
                    ValueType.Boolean => reader.ReadBoolean(),
                    ValueType.Time => new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero),
                    _ => throw Invalid(),
                };
            }

            var key = reader.ReadString();
            return reader.BaseStream.Position == reader.BaseStream.Length && key.Length > 0 ? new TableKeyset(values, key) : throw Invalid();
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException or FormatException or IOException)
        {
            throw Invalid();
        }
    }

    private static Grpc.Core.RpcException Invalid() => RpcErrors.BadRequest("invalid-cursor", "cursor", "not a cursor this server gave (garbled or truncated)");

    private static Grpc.Core.RpcException Mismatch(string message) => RpcErrors.BadRequest("cursor-mismatch", "cursor", message);
}
