using System.Globalization;
using System.Net;
using System.Text;
using Groupware.Testing;

namespace Groupware.Benchmarks;

/// <summary>The mail benchmarks fill mailboxes with: distinct messages, the same octets for our node and for Dovecot.</summary>
internal static class BenchmarkMail
{
    /// <summary>
    /// Message <paramref name="i"/> of account <paramref name="account"/>: 2 to 6 KB of text with its own
    /// Message-ID, dot-terminated for DATA. Distinct, so that our content-addressed store cannot share
    /// bodies that Dovecot's Maildir stores once per recipient.
    /// </summary>
    public static byte[] Message(int account, int i)
    {
        var size = 2048 + (((i * 7919) + account) % 4096);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"From: Sender {i % 17} <sender{i % 17}@example.org>\r\nTo: bench{account}@example.test\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Subject: benchmark message {i} of account {account}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Date: Mon, 2 Nov 2026 10:{i / 60 % 60:D2}:{i % 60:D2} +0000\r\nMessage-ID: <{i}.{account}@bench.example>\r\n");
        text.Append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        var line = 0;
        while (text.Length < size)
        {
            text.Append(CultureInfo.InvariantCulture, $"{line++:D6} ").Append((char)('a' + ((i + line) % 26)), 69).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append(".\r\n").ToString());
    }

    /// <summary>Fills the INBOX of each of <paramref name="accounts"/> accounts with <paramref name="messages"/> of these, over LMTP, four accounts at a time.</summary>
    public static Task DeliverAsync(IPEndPoint lmtp, Func<int, string> recipient, int accounts, int messages, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(Enumerable.Range(0, accounts), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (account, token) => await LmtpSender.DeliverAsync(lmtp, recipient(account), messages, i => Message(account, i), token));
}
