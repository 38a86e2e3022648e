using System.Net;
using Dapper;
using Npgsql;

namespace Groupware.Storage.Auth;

/// <summary>One authentication attempt, as the audit log records it (never the password).</summary>
/// <param name="At">When the answer was given.</param>
/// <param name="Node">The node's name (<c>Node:Name</c>).</param>
/// <param name="Listener">The listener's name, e.g. <c>imaps</c>.</param>
/// <param name="Protocol">The listener's protocol, e.g. <c>imap</c>.</param>
/// <param name="RemoteAddress">The client's address; null on a unix-domain socket.</param>
/// <param name="ClientNetwork">What throttling counts for this client: its IPv4 address or IPv6 prefix.</param>
/// <param name="Login">The login as the client gave it.</param>
/// <param name="AccountId">The account, when the attempt looked it up; otherwise resolved from the login when written.</param>
/// <param name="Mechanism">How the credential came (USER, LOGIN-COMMAND, PLAIN, LOGIN, BASIC, RPC).</param>
/// <param name="Tls">Whether the connection was TLS-protected.</param>
/// <param name="Exposed">Whether the password crossed a network in clear text.</param>
/// <param name="Outcome">The outcome in kebab case: <c>success</c>, <c>plaintext-refused</c> ...</param>
/// <param name="PasswordMatched">For an exposed password: whether it was the account's current one; null when unknown.</param>
public sealed record AuthAttempt(
    DateTimeOffset At,
    string Node,
    string Listener,
    string Protocol,
    IPAddress? RemoteAddress,
    IPNetwork? ClientNetwork,
    string Login,
    long? AccountId,
    string Mechanism,
    bool Tls,
    bool Exposed,
    string Outcome,
    bool? PasswordMatched = null);

/// <summary>
/// The audit log of authentication attempts (<c>auth_attempts</c>). Written in batches by the auth
/// module's background writer, so that a login never waits for it.
/// </summary>
public sealed class AuthAttemptStore(NpgsqlDataSource dataSource)
{
    // The account is the one the attempt found or, for attempts refused before any lookup, the one
    // the login names now (by login, or by address).
    private const string InsertBatch = """
        INSERT INTO auth_attempts (at, node, listener, protocol, remote_address, client_network, login, account_id, mechanism, tls,
                                   exposed, outcome, password_matched)
        SELECT t.at, t.node, t.listener, t.protocol, t.remote_address::inet, t.client_network::cidr, t.login,
               COALESCE(t.account_id,
                        (SELECT id FROM accounts WHERE login_key = t.login_key),
                        (SELECT account_id FROM account_addresses WHERE address = t.address_key)),
               t.mechanism, t.tls, t.exposed, t.outcome, t.password_matched
        FROM unnest(@at, @node, @listener, @protocol, @remoteAddress, @clientNetwork, @login, @loginKey, @addressKey,
                    @accountId, @mechanism, @tls, @exposed, @outcome, @passwordMatched)
             AS t(at, node, listener, protocol, remote_address, client_network, login, login_key, address_key,
                  account_id, mechanism, tls, exposed, outcome, password_matched)
        """;

    /// <summary>Writes a batch of attempts in one statement.</summary>
    public async Task InsertAsync(IReadOnlyList<AuthAttempt> attempts, CancellationToken cancellationToken)
    {
        if (attempts.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertBatch, new
        {
            at = attempts.Select(a => a.At.UtcDateTime).ToArray(),
            node = attempts.Select(a => a.Node).ToArray(),
            listener = attempts.Select(a => a.Listener).ToArray(),
            protocol = attempts.Select(a => a.Protocol).ToArray(),
            remoteAddress = attempts.Select(a => a.RemoteAddress?.ToString()).ToArray(),
            clientNetwork = attempts.Select(a => a.ClientNetwork?.ToString()).ToArray(),
            login = attempts.Select(a => a.Login).ToArray(),
            loginKey = attempts.Select(a => Accounts.AccountStore.LoginKey(a.Login)).ToArray(),
            addressKey = attempts.Select(a => Accounts.AccountStore.AddressKey(a.Login)).ToArray(),
            accountId = attempts.Select(a => a.AccountId).ToArray(),
            mechanism = attempts.Select(a => a.Mechanism).ToArray(),
            tls = attempts.Select(a => a.Tls).ToArray(),
            exposed = attempts.Select(a => a.Exposed).ToArray(),
            outcome = attempts.Select(a => a.Outcome).ToArray(),
            passwordMatched = attempts.Select(a => a.PasswordMatched).ToArray(),
        }, cancellationToken: cancellationToken));
    }

    /// <summary>Deletes up to <paramref name="batchSize"/> attempts older than <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM auth_attempts WHERE id IN (SELECT id FROM auth_attempts WHERE at < @cutoff ORDER BY at LIMIT @batchSize)
            """, new { cutoff = cutoff.UtcDateTime, batchSize }, cancellationToken: cancellationToken));
    }
}
