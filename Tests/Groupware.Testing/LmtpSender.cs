using System.Globalization;
using System.Net;
using System.Text;

namespace Groupware.Testing;

/// <summary>A minimal LMTP client (RFC 2033) that fills mailboxes for tests and benchmarks, on ours and Dovecot's LMTP alike.</summary>
public static class LmtpSender
{
    /// <summary>
    /// Delivers <paramref name="message"/> (already dot-stuffed and ending with ".CRLF") to one
    /// recipient <paramref name="count"/> times over one connection, one transaction after another.
    /// </summary>
    public static Task DeliverAsync(IPEndPoint server, string recipient, int count, byte[] message, CancellationToken cancellationToken = default) =>
        DeliverAsync(server, recipient, count, _ => message, cancellationToken);

    /// <summary>
    /// Delivers <paramref name="count"/> messages to one recipient over one connection, one transaction after
    /// another: message <c>i</c> is <paramref name="message"/>(i), already dot-stuffed and ending with ".CRLF".
    /// </summary>
    public static async Task DeliverAsync(IPEndPoint server, string recipient, int count, Func<int, byte[]> message,
        CancellationToken cancellationToken = default)
    {
        await using var client = await LineClient.ConnectAsync(server);
        await ExpectAsync(client, "220");
        await client.SendLineAsync("LHLO bench.example");
        await client.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
        var envelope = Encoding.ASCII.GetBytes($"MAIL FROM:<sender@example.org>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n");
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await client.SendAsync(envelope);
            await ExpectAsync(client, "250");
            await ExpectAsync(client, "250");
            await ExpectAsync(client, "354");
            await client.SendAsync(message(i));
            await ExpectAsync(client, "250");
        }

        await client.SendLineAsync("QUIT");
    }

    /// <summary>A plain-text message of exactly <paramref name="size"/> octets (at least its header's), dot-terminated for DATA.</summary>
    public static byte[] Message(int size, string subject = "benchmark")
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"From: Sender <sender@example.org>\r\nTo: rcpt@example.test\r\nSubject: {subject}\r\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
        var line = 0;
        while (text.Length < size - 80)
        {
            text.Append(CultureInfo.InvariantCulture, $"{line++:D6} ").Append('x', 69).Append("\r\n");
        }

        if (size - text.Length - 2 > 0)
        {
            text.Append('x', size - text.Length - 2).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append(".\r\n").ToString());
    }

    private static async Task ExpectAsync(LineClient client, string code)
    {
        var line = await client.ReadLineAsync();
        if (line is null || !line.StartsWith(code, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"LMTP: expected {code}, got {line ?? "end of connection"}");
        }
    }
}
