using System.Security.Cryptography;
using System.Text;
using Groupware.Storage;
using Groupware.Storage.Mail;
using Groupware.Tests.Support;
using Npgsql;

namespace Groupware.Tests.Storage;

/// <summary>
/// Reading a stored message (POP3 RETR, TOP): chunk by chunk, holding no pooled connection between
/// chunks, so a slow or departing reader neither pins the pool nor pulls the whole message.
/// </summary>
public sealed class MessageStreamTests
{
    private const int BodyLines = 10_000;

    private NpgsqlDataSource _data = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _data = await MailAccounts.OpenAsync();

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _data.DisposeAsync();

    /// <summary>About 800 KB: four chunks of at most 256 KiB.</summary>
    private static byte[] Body() => Encoding.ASCII.GetBytes(
        "Subject: big\r\n\r\n" + string.Concat(Enumerable.Range(0, BodyLines).Select(i => $"{i:D8} {new string('z', 70)}\r\n")));

    private async Task<(long AccountId, MaildropMessage Message, byte[] Body)> DeliverAsync()
    {
        var account = await MailAccounts.CreateAsync(_data, "stream");
        var body = Body();
        await using var incoming = IncomingMessage.Create(Path.GetTempPath(), 4 * 1024 * 1024);
        await incoming.WriteAsync(body, CancellationToken.None);
        await incoming.CompleteAsync(CancellationToken.None);
        var store = new MailStore(_data);
        var results = await store.DeliverAsync(incoming, [new MessageDelivery(account.Id, default)], DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.That(results[0].Status, Is.EqualTo(DeliveryStatus.Delivered));
        return (account.Id, (await store.ListMaildropAsync(account.Id, CancellationToken.None)).Single(), body);
    }

    [Test]
    public async Task A_reader_between_chunks_holds_no_connection_and_still_gets_every_octet()
    {
        var (accountId, message, body) = await DeliverAsync();

        // A pool of one connection: if the open stream held it, the query below would time out.
        var single = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { MaxPoolSize = 1, Timeout = 5 }.ConnectionString;
        await using var dataSource = Database.CreateDataSource(single, "test");
        var store = new MailStore(dataSource);
        await using var stream = await store.OpenMessageAsync(accountId, message.MailboxId, message.Uid, CancellationToken.None);
        using var copy = new MemoryStream();
        var buffer = new byte[300 * 1024];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: true);
        copy.Write(buffer, 0, read);

        Assert.That(await store.ListMaildropAsync(accountId, CancellationToken.None), Has.Count.EqualTo(1), "the pool's one connection is free");

        await stream.CopyToAsync(copy);
        var stored = copy.ToArray();
        Assert.That(stored.LongLength, Is.EqualTo(message.Size).And.EqualTo(stream.Length));
        Assert.That(SHA256.HashData(stored.AsSpan(stored.Length - body.Length)), Is.EqualTo(SHA256.HashData(body)),
            "the trace fields are followed by the body, octet for octet");
    }

    [Test]
    public async Task A_message_removed_while_it_is_read_ends_the_read_with_an_IO_error()
    {
        var (accountId, message, _) = await DeliverAsync();
        var store = new MailStore(_data);
        await using var stream = await store.OpenMessageAsync(accountId, message.MailboxId, message.Uid, CancellationToken.None);
        var buffer = new byte[1024];
        await stream.ReadExactlyAsync(buffer);

        Assert.That(await store.ExpungeAsync(accountId, message.MailboxId, [message.Uid], CancellationToken.None), Is.EqualTo(1));

        Assert.ThrowsAsync<IOException>(async () => await stream.CopyToAsync(Stream.Null));
    }
}
