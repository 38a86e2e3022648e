using Dapper;
using Npgsql;

namespace Groupware.Storage.Accounts;

/// <summary>An entry of the installation's address book: an account's names and addresses (never anything else of it).</summary>
public sealed record AddressBookEntry(long AccountId, string Login, string DisplayName, string PrimaryAddress, IReadOnlyList<string> Aliases);

/// <summary>
/// Name resolution over the accounts of the installation (groupware.rpc.v1 Directory.ResolveNames,
/// MAPI's ResolveNames): an exact address or login first, then addresses, logins and display names
/// that start with the text. Disabled accounts are not listed.
/// </summary>
public sealed class AddressBook(NpgsqlDataSource dataSource)
{
    // Exact matches rank first, then prefixes of addresses and logins, then of display names.
    private const string Resolve = """
        WITH hits AS (
            SELECT x.account_id, min(x.rank) AS rank FROM (
                SELECT d.account_id, CASE WHEN d.address = @key THEN 0 ELSE 2 END AS rank
                FROM account_addresses d WHERE d.address = @key OR d.address LIKE @prefix ESCAPE '\'
                UNION ALL
                SELECT a.id, CASE WHEN a.login_key = @loginKey THEN 0 ELSE 2 END
                FROM accounts a WHERE a.login_key = @loginKey OR a.login_key LIKE @loginPrefix ESCAPE '\'
                UNION ALL
                SELECT a.id, 3 FROM accounts a WHERE lower(a.display_name) LIKE @prefix ESCAPE '\' AND a.display_name <> ''
            ) AS x GROUP BY x.account_id
        )
        SELECT a.id AS accountid, a.login, a.display_name AS displayname,
               (SELECT d.address FROM account_addresses d WHERE d.account_id = a.id AND d.is_primary) AS primaryaddress,
               ARRAY(SELECT d.address FROM account_addresses d WHERE d.account_id = a.id AND NOT d.is_primary ORDER BY d.address) AS aliases
        FROM hits h JOIN accounts a ON a.id = h.account_id
        WHERE NOT a.disabled
        ORDER BY h.rank, a.login_key
        LIMIT @limit
        """;

    /// <summary>Up to <paramref name="limit"/> accounts the text names or starts the name of, exact matches first.</summary>
    public async Task<IReadOnlyList<AddressBookEntry>> ResolveAsync(string text, int limit, CancellationToken cancellationToken)
    {
        var key = AccountStore.AddressKey(text);
        var loginKey = AccountStore.LoginKey(text.Trim());
        if (key.Length == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<EntryRow>(new CommandDefinition(Resolve, new
        {
            key,
            prefix = Like(key) + "%",
            loginKey,
            loginPrefix = Like(loginKey) + "%",
            limit,
        }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new AddressBookEntry(r.AccountId, r.Login, r.DisplayName, r.PrimaryAddress ?? "", r.Aliases ?? []))];
    }

    private static string Like(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
        .Replace("_", "\\_", StringComparison.Ordinal);

    private sealed class EntryRow
    {
        public long AccountId { get; set; }

        public string Login { get; set; } = "";

        public string DisplayName { get; set; } = "";

        public string? PrimaryAddress { get; set; }

        public string[]? Aliases { get; set; }
    }
}
