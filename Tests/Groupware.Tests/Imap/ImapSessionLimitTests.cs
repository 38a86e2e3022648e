namespace Groupware.Tests.Imap;

/// <summary>
/// <c>Imap:MaxSessionsPerUserAndAddress</c> (ImapOptions, Dovecot's mail_max_userip_connections): one
/// session too many for an account from one address gets a clear <c>NO [LIMIT]</c> (RFC 5530 §3) and
/// keeps its connection; another address, or a session that logged out, makes room.
/// </summary>
public sealed class ImapSessionLimitTests
{
    [Test]
    public async Task The_session_over_the_limit_gets_NO_LIMIT_and_keeps_its_connection()
    {
        await using var node = await ImapFixture.StartSecureNodeAsync(n => n.Set("Imap:MaxSessionsPerUserAndAddress", "2"));
        var login = await ImapFixture.CreateAccountAsync();
        await using var first = await ImapFixture.LogInAsync(node, login);
        await using var second = await ImapFixture.LogInAsync(node, login);

        await using var third = await LineClient.ConnectAsync(node.EndPoint("imaps"), implicitTls: true);
        Assert.That(await third.ReadLineAsync(), Does.StartWith("* OK "));
        await Transcript.PlayAsync(third, $"""
            C: a1 LOGIN {login} "{ImapFixture.Password}"
            S: a1 NO [LIMIT] Too many sessions for this account from your address (at most 2); close some first.
            C: a2 NOOP
            S: a2 OK NOOP completed.
            C: a3 SELECT INBOX
            S: a3 BAD *
            """);

        // Another address of the same household is counted apart.
        await using var elsewhere = await LineClient.ConnectAsync(node.EndPoint("imaps"), implicitTls: true, bindTo: ImapFixture.Loopback2);
        Assert.That(await elsewhere.ReadLineAsync(), Does.StartWith("* OK "));
        await Transcript.PlayAsync(elsewhere, $"""
            C: b1 LOGIN {login} "{ImapFixture.Password}"
            S: b1 OK [CAPABILITY *] Logged in.
            """);

        // A session that logs out gives its place back, and the waiting connection can log in now.
        await ImapFixture.CommandAsync(first, "l1", "LOGOUT");
        await Transcript.PlayAsync(third, $"""
            C: a4 LOGIN {login} "{ImapFixture.Password}"
            S: a4 OK [CAPABILITY *] Logged in.
            """);
    }

    [Test]
    public async Task A_session_closed_without_LOGOUT_gives_its_place_back()
    {
        await using var node = await ImapFixture.StartSecureNodeAsync(n => n.Set("Imap:MaxSessionsPerUserAndAddress", "1"));
        var login = await ImapFixture.CreateAccountAsync();
        var dropped = await ImapFixture.LogInAsync(node, login);
        await dropped.DisposeAsync();

        // The node notices the closed connection asynchronously; bounded retries, no sleep-and-hope.
        List<string> answer = [];
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await using var client = await LineClient.ConnectAsync(node.EndPoint("imaps"), implicitTls: true);
            await client.ReadLineAsync();
            answer = await ImapFixture.CommandAsync(client, "a1", $"LOGIN {login} \"{ImapFixture.Password}\"");
            if (answer[^1].StartsWith("a1 OK", StringComparison.Ordinal))
            {
                break;
            }

            Assert.That(answer[^1], Does.StartWith("a1 NO [LIMIT]"));
            await Task.Delay(100);
        }

        Assert.That(answer[^1], Does.StartWith("a1 OK [CAPABILITY "));
    }
}
