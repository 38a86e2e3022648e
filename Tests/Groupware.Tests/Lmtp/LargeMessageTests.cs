using System.Security.Cryptography;
using System.Text;
using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// A 50 MB message goes through DATA to PostgreSQL and back out through the store's stream without
/// the process's managed heap growing by more than a few MB: the body is spooled to a file, copied
/// in 256 KiB slices, and read back a slice at a time (the pattern of MaxLiteralSizeTests).
/// </summary>
public sealed class LargeMessageTests : LmtpNodeTest
{
    private const long HeapBudget = 16L * 1024 * 1024;

    [Test]
    public async Task A_50_MB_message_is_stored_and_read_back_intact_without_heap_growth()
    {
        var account = await MailAccounts.CreateAsync(Data, "large");
        var subject = MailAccounts.UniqueSubject("large");
        var header = Encoding.ASCII.GetBytes($"Subject: {subject}\r\nContent-Type: text/plain\r\n\r\n");
        var line = Encoding.ASCII.GetBytes(new string('m', 78) + "\r\n");
        var chunk = new byte[1024 * 1024 - ((1024 * 1024) % line.Length)];
        for (var offset = 0; offset < chunk.Length; offset += line.Length)
        {
            line.CopyTo(chunk, offset);
        }

        const int chunks = 50;
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org> SIZE={header.Length + ((long)chunk.Length * chunks)}
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            """);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        await client.SendAsync(header);
        for (var i = 0; i < chunks; i++)
        {
            await client.SendAsync(chunk);
            if (i % 8 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
            }
        }

        client.Timeout = TimeSpan.FromMinutes(2);
        await client.SendAsync(".\r\n"u8.ToArray());
        Assert.That(await client.ReadLineAsync(), Does.StartWith($"250 2.0.0 <{account.PrimaryAddress}> Saved as UID 1"));
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
        Assert.That(peak, Is.LessThan(HeapBudget), $"managed heap grew by {peak:N0} bytes while 50 MB were delivered");

        var stored = (await MailAccounts.MessagesAsync(Data, account.Id)).Single();
        using var readHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var traceAndBody = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var readBefore = GC.GetTotalMemory(forceFullCollection: true);
        long readPeak = 0;
        long total = 0;
        await using (var stream = await Store.OpenMessageAsync(account.Id, stored.MailboxId, stored.Uid, CancellationToken.None))
        {
            Assert.That(stream.Length, Is.EqualTo(stored.Size));
            var buffer = new byte[64 * 1024];
            for (var reads = 0; reads < 100_000; reads++)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                readHash.AppendData(buffer, 0, read);
                total += read;
                if (reads % 200 == 0)
                {
                    readPeak = Math.Max(readPeak, GC.GetTotalMemory(forceFullCollection: true) - readBefore);
                }
            }
        }

        Assert.That(total, Is.EqualTo(stored.Size));
        Assert.That(readPeak, Is.LessThan(HeapBudget), $"managed heap grew by {readPeak:N0} bytes while 50 MB were read back");
        // What was stored is the trace fields followed by exactly the octets sent (already CRLF, no leading dots).
        var traceBytes = Encoding.UTF8.GetBytes(stored.TraceFields);
        Assert.That(stored.Size, Is.EqualTo(traceBytes.Length + header.Length + ((long)chunk.Length * chunks)));
        traceAndBody.AppendData(traceBytes);
        traceAndBody.AppendData(header);
        for (var i = 0; i < chunks; i++)
        {
            traceAndBody.AppendData(chunk);
        }

        Assert.That(readHash.GetHashAndReset(), Is.EqualTo(traceAndBody.GetHashAndReset()));
    }
}
