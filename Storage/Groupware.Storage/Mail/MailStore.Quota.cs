using Dapper;

namespace Groupware.Storage.Mail;

/// <summary>An account's quota (RFC 9208 §5.1 STORAGE in octets here, §5.2 MESSAGE); a null limit is none.</summary>
public sealed record QuotaUsage(long? StorageLimit, long StorageUsed, long? MessageLimit, long MessageUsed);

public sealed partial class MailStore
{
    private const string SelectQuota = """
        SELECT quota_bytes, used_bytes, quota_messages, used_messages FROM accounts WHERE id = @accountId
        """;

    /// <summary>
    /// GETQUOTA and GETQUOTAROOT (RFC 9208 §4.1.1, §4.1.2): the account's limits and usage as the
    /// writers keep them (every mailbox of an account is under its one quota root); null when the
    /// account is gone.
    /// </summary>
    public async Task<QuotaUsage?> QuotaAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(long? QuotaBytes, long UsedBytes, long? QuotaMessages, long UsedMessages)>(
            new CommandDefinition(SelectQuota, new { accountId }, cancellationToken: cancellationToken))).AsList();
        return rows is [var r] ? new QuotaUsage(r.QuotaBytes, r.UsedBytes, r.QuotaMessages, r.UsedMessages) : null;
    }
}
