using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Groupware.Storage.Rpc;

/// <summary>A valid RPC session: whose it is and until when.</summary>
public sealed record RpcSession(long AccountId, DateTimeOffset ExpiresAt);

/// <summary>
/// The sessions of the RPC front-end (Migrations/0014_rpc_sessions.sql), shared by every node.
/// Tokens are 32 random octets; only their SHA-256 is stored. A session counts only while it has not
/// expired, its account is enabled and the account's password has not changed since the logon.
/// </summary>
public sealed class RpcSessionStore(NpgsqlDataSource dataSource)
{
    /// <summary>Octets of randomness in a token (256 bits: guessing one is hopeless).</summary>
    public const int TokenOctets = 32;

    // created_at is the transaction's now(), as password_changed_at is for a change: a change
    // committed after the logon's transaction has a later value.
    private const string Insert = """
        INSERT INTO rpc_sessions (token_sha256, account_id, client_name, client_version, node, client_address, expires_at)
        VALUES (@digest, @accountId, @clientName, @clientVersion, @node, @clientAddress, now() + @lifetime)
        RETURNING expires_at
        """;

    private const string SelectValid = """
        SELECT s.account_id AS accountid, s.expires_at AS expiresat
        FROM rpc_sessions s JOIN accounts a ON a.id = s.account_id
        WHERE s.token_sha256 = @digest AND s.expires_at > now() AND NOT a.disabled AND a.password_changed_at <= s.created_at
        """;

    private const string Delete = "DELETE FROM rpc_sessions WHERE token_sha256 = @digest";

    private const string DeleteExpired = """
        DELETE FROM rpc_sessions WHERE token_sha256 IN (
            SELECT token_sha256 FROM rpc_sessions WHERE expires_at <= now() ORDER BY expires_at LIMIT @batch)
        """;

    /// <summary>Starts a session of <paramref name="lifetime"/>; returns the token (URL-safe base64) and its expiry.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> CreateAsync(long accountId, string clientName, string clientVersion, string node,
        string? clientAddress, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var octets = RandomNumberGenerator.GetBytes(TokenOctets);
        var token = Convert.ToBase64String(octets).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var expires = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(Insert, new
        {
            digest = Digest(token),
            accountId,
            clientName = Bounded(clientName),
            clientVersion = Bounded(clientVersion),
            node,
            clientAddress,
            lifetime,
        }, cancellationToken: cancellationToken));
        return (token, new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc)));
    }

    /// <summary>The session of a token, or null when there is none or it no longer counts.</summary>
    public async Task<RpcSession?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length is 0 or > 128)
        {
            return null;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(SelectValid, new { digest = Digest(token) },
            cancellationToken: cancellationToken));
        return row is null ? null : new RpcSession(row.AccountId, new DateTimeOffset(DateTime.SpecifyKind(row.ExpiresAt, DateTimeKind.Utc)));
    }

    /// <summary>Ends a session (Session.Logoff); false when there was none.</summary>
    public async Task<bool> DeleteAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(Delete, new { digest = Digest(token) }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Deletes up to <paramref name="batch"/> expired sessions; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(int batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteExpired, new { batch }, cancellationToken: cancellationToken));
    }

    private static byte[] Digest(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static string Bounded(string text) => text.Length <= 256 ? text : text[..256];

    private sealed class SessionRow
    {
        public long AccountId { get; set; }

        public DateTime ExpiresAt { get; set; }
    }
}
