namespace Groupware.Tests.Imap;

/// <summary>
/// The mailbox the CONDSTORE and QRESYNC transcripts (RFC 7162) start from: a fresh account whose
/// INBOX (HIGHESTMODSEQ 1 when created) gets <c>count</c> APPENDs, so that message n has UID n and
/// MODSEQ n + 1, and the mailbox's HIGHESTMODSEQ is count + 1: the values the transcripts name.
/// </summary>
internal static class CondStoreMailbox
{
    public static async Task<(LineClient Client, string Login)> CreateAsync(TestNode node, int count)
    {
        var login = await ImapFixture.CreateAccountAsync();
        var client = await ImapFixture.LogInAsync(node, login);
        for (var n = 1; n <= count; n++)
        {
            await ImapFixture.AppendAsync(client, "INBOX", "", $"From: a@example.test\r\nSubject: message {n}\r\n\r\nMessage {n}.\r\n");
        }

        return (client, login);
    }

    /// <summary>Another session of the same account, with INBOX selected: the "other client" of the RFC's examples.</summary>
    public static async Task<LineClient> OtherSessionAsync(TestNode node, string login)
    {
        var other = await ImapFixture.LogInAsync(node, login);
        var lines = await ImapFixture.CommandAsync(other, "o0", "SELECT INBOX");
        Assert.That(lines[^1], Does.StartWith("o0 OK"));
        return other;
    }

    /// <summary>Runs one command in <paramref name="client"/> and checks it ended OK.</summary>
    public static async Task OkAsync(LineClient client, string command)
    {
        var lines = await ImapFixture.CommandAsync(client, "x", command);
        Assert.That(lines[^1], Does.StartWith("x OK"), string.Join("\n", lines));
    }

    /// <summary>The mailbox's UIDVALIDITY, from STATUS.</summary>
    public static async Task<string> UidValidityAsync(LineClient client)
    {
        var lines = await ImapFixture.CommandAsync(client, "uv", "STATUS INBOX (UIDVALIDITY)");
        var status = lines.Single(l => l.StartsWith("* STATUS", StringComparison.Ordinal));
        return status[(status.IndexOf("UIDVALIDITY ", StringComparison.Ordinal) + 12)..].TrimEnd(')');
    }
}
