namespace Groupware.Tests.Pop3;

/// <summary>
/// One maildrop lease per account across nodes (RFC 1939 §4: exclusive access; RFC 2449 §8.1.2
/// [IN-USE]): a second session, on this node or another sharing the database, is refused until the
/// first quits, and QUIT frees it before its answer.
/// </summary>
public sealed class Pop3MaildropLockTests
{
    [Test]
    public async Task A_second_session_on_another_node_gets_IN_USE_until_the_first_quits()
    {
        await using var first = await Pop3Fixture.StartSecureNodeAsync();
        await using var second = await Pop3Fixture.StartSecureNodeAsync(n => n.Set("Node:Name", "test2"));
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(first, login, Pop3Fixture.Message("locked"));

        await using var holder = await Pop3Fixture.LogInOverStlsAsync(first, login);
        foreach (var node in new[] { first, second })
        {
            await using var other = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
            await other.ReadLineAsync();
            await other.SendLineAsync($"USER {login}");
            await other.ReadLineAsync();
            await other.SendLineAsync($"PASS {Pop3Fixture.Password}");
            Assert.That(await other.ReadLineAsync(), Is.EqualTo("-ERR [IN-USE] Mailbox is locked by another POP3 session."));
        }

        await holder.SendLineAsync("QUIT");
        Assert.That(await holder.ReadLineAsync(), Is.EqualTo("+OK Logging out."));
        Assert.That(await holder.IsClosedByServerAsync(), Is.True);

        // QUIT releases the maildrop before it answers: a login at once, on the other node, finds it free.
        await using var next = await LineClient.ConnectAsync(second.EndPoint("pop3s"), implicitTls: true);
        await next.ReadLineAsync();
        await next.SendLineAsync($"USER {login}");
        await next.ReadLineAsync();
        await next.SendLineAsync($"PASS {Pop3Fixture.Password}");
        Assert.That(await next.ReadLineAsync(), Is.EqualTo("+OK Logged in."));
    }
}
