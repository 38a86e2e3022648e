using System.Text;
using Dapper;
using Groupware.Storage.Mail;
using Npgsql;

namespace Groupware.Tests.Support;

/// <summary>
/// What the tests of the IMAP side of the mail store share: a store on the run's database, an
/// account with its default mailboxes, and messages appended or delivered from text.
/// </summary>
public abstract class ImapStoreTest
{
    /// <summary>The run's database, migrated.</summary>
    protected NpgsqlDataSource Data { get; private set; } = null!;

    /// <summary>The store under test.</summary>
    protected MailStore Store { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task OpenStoreAsync()
    {
        Data = await MailAccounts.OpenAsync();
        Store = new MailStore(Data);
    }

    [OneTimeTearDown]
    public async Task CloseStoreAsync() => await Data.DisposeAsync();

    /// <summary>A new account with its default mailboxes (INBOX, Drafts, Sent, Trash, Junk, Archive).</summary>
    protected async Task<long> NewAccountAsync(string prefix, long? quotaBytes = null)
    {
        var account = await MailAccounts.CreateAsync(Data, prefix, quotaBytes);
        await Store.EnsureDefaultMailboxesAsync(account.Id, CancellationToken.None);
        return account.Id;
    }

    /// <summary>The mailbox of that name, which must exist.</summary>
    protected async Task<Mailbox> MailboxAsync(long accountId, string name) =>
        await Store.FindMailboxAsync(accountId, name, CancellationToken.None) ?? throw new AssertionException($"no mailbox {name}");

    /// <summary>APPENDs <paramref name="text"/> and answers its UID.</summary>
    protected async Task<long> AppendAsync(long accountId, string mailbox, string text, SystemFlags flags = SystemFlags.None,
        IReadOnlyList<string>? keywords = null, DateTimeOffset? internalDate = null)
    {
        await using var message = await IncomingAsync(text);
        var result = await Store.AppendAsync(accountId, mailbox, message, flags, keywords ?? [], internalDate ?? DateTimeOffset.UtcNow,
            CancellationToken.None);
        Assert.That(result.Status, Is.EqualTo(AppendStatus.Appended), $"APPEND to {mailbox}");
        return result.Uid;
    }

    /// <summary>Delivers <paramref name="text"/> to the INBOX of each account, as LMTP does.</summary>
    protected async Task DeliverAsync(string text, params long[] accountIds)
    {
        await using var message = await IncomingAsync(text);
        var results = await Store.DeliverAsync(message, accountIds.Select(a => new MessageDelivery(a, default)).ToList(), DateTimeOffset.UtcNow,
            CancellationToken.None);
        Assert.That(results.Select(r => r.Status), Has.All.EqualTo(DeliveryStatus.Delivered));
    }

    /// <summary>A complete spooled message of <paramref name="text"/> (line ends become CRLF).</summary>
    protected static async Task<IncomingMessage> IncomingAsync(string text)
    {
        var message = IncomingMessage.Create(Path.GetTempPath(), 16 * 1024 * 1024);
        await message.WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
        await message.CompleteAsync(CancellationToken.None);
        return message;
    }

    /// <summary>Everything <paramref name="stream"/> holds.</summary>
    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    /// <summary>One value read with plain SQL, for what the store does not show.</summary>
    protected async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Data.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }
}
