using System.Globalization;
using System.Net;
using System.Text;

namespace Groupware.Testing;

/// <summary>A minimal LMTP client (RFC 2033) for filling mailboxes in tests and benchmarks, on ours and Dovecot's LMTP alike.</summary>
public static class Lmtp
{
    /// <summary>Delivers <paramref name="count"/> messages of about <paramref name="size"/> octets to one recipient over one connection.</summary>
    public static async Task DeliverManyAsync(IPEndPoint endPoint, string recipient, int count, int size, CancellationToken cancellationToken)
    {
        await using var client = await LineClient.ConnectAsync(endPoint);
        Expect(await client.ReadLineAsync(), "220");
        await client.SendLineAsync("LHLO bench.example");
        await client.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await client.SendAsync($"MAIL FROM:<sender@example.test>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n");
            Expect(await client.ReadLineAsync(), "250");
            Expect(await client.ReadLineAsync(), "250");
            Expect(await client.ReadLineAsync(), "354");
            await client.SendAsync(Message(i, size) + ".\r\n");
            Expect(await client.ReadLineAsync(), "250");
        }

        await client.SendLineAsync("QUIT");
    }

    /// <summary>A message of about <paramref name="size"/> octets: a header and 76-character body lines.</summary>
    public static string Message(int number, int size)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"From: sender@example.test\r\nTo: rcpt@example.test\r\nSubject: message {number}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Message-ID: <{number}.{Guid.NewGuid():N}@example.test>\r\n\r\n");
        while (text.Length < size)
        {
            text.Append(new string((char)('a' + (text.Length % 26)), 76)).Append("\r\n");
        }

        return text.ToString();
    }

    private static void Expect(string? line, string code)
    {
        if (line is null || !line.StartsWith(code, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"LMTP: expected {code}, got {line ?? "end of stream"}");
        }
    }
}
