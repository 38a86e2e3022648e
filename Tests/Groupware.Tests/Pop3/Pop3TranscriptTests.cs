using System.Globalization;
using System.Text;
using Groupware.Storage.Accounts;
using Groupware.Storage.Mail;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Pop3;

/// <summary>
/// POP3 transcripts after RFC 1939's examples (§5–§7), over STLS on a secure node: the
/// TRANSACTION commands, their errors, and the UPDATE state.
/// </summary>
public sealed class Pop3TranscriptTests
{
    private static TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await Pop3Fixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    /// <summary>The session of RFC 1939 §10, with USER and PASS over TLS where the RFC has APOP.</summary>
    [Test]
    public async Task The_example_session_of_RFC_1939_section_10()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message("first"));
        await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message("second"));
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("pop3s"), implicitTls: true);
        await Transcript.PlayAsync(client, $"""
            S: +OK POP3 server ready.
            C: USER {login}
            S: +OK
            C: PASS {Pop3Fixture.Password}
            S: +OK Logged in.
            C: STAT
            S: +OK 2 *
            C: LIST
            S: +OK 2 messages (* octets)
            S: 1 *
            S: 2 *
            S: .
            C: DELE 1
            S: +OK Message 1 deleted.
            C: DELE 2
            S: +OK Message 2 deleted.
            C: QUIT
            S: +OK Logging out.
            """);

        await using var again = await LineClient.ConnectAsync(_node.EndPoint("pop3s"), implicitTls: true);
        await Transcript.PlayAsync(again, $"""
            S: +OK POP3 server ready.
            C: USER {login}
            S: +OK
            C: PASS {Pop3Fixture.Password}
            S: +OK Logged in.
            C: STAT
            S: +OK 0 0
            """);
    }

    [Test]
    public async Task STAT_LIST_UIDL_RETR_and_TOP_follow_RFC_1939()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message("first", "line one\r\n.dotted line\r\nline three"));
        await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message("second"));
        await using var client = await Pop3Fixture.LogInOverStlsAsync(_node, login);

        await client.SendLineAsync("STAT");
        var stat = (await client.ReadLineAsync())!.Split(' ');
        Assert.That(stat[0..2], Is.EqualTo(new[] { "+OK", "2" }));

        await client.SendLineAsync("LIST");
        var listHead = await client.ReadLineAsync();
        var list = await Pop3Fixture.ReadMultiLineAsync(client);
        Assert.That(listHead, Is.EqualTo($"+OK 2 messages ({stat[2]} octets)"));
        Assert.That(list.Select(l => l.Split(' ')[0]), Is.EqualTo(new[] { "1", "2" }));
        var sizes = list.Select(l => long.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).ToList();
        Assert.That(sizes.Sum(), Is.EqualTo(long.Parse(stat[2], CultureInfo.InvariantCulture)));

        await client.SendLineAsync("LIST 2");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo($"+OK 2 {sizes[1]}"));

        await client.SendLineAsync("UIDL");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
        var uidl = await Pop3Fixture.ReadMultiLineAsync(client);
        Assert.That(uidl, Has.Count.EqualTo(2));
        Assert.That(uidl.Select(l => l.Split(' ')[1]).Distinct().Count(), Is.EqualTo(2));
        Assert.That(uidl.Select(l => l.Split(' ')[1]), Has.All.Match("^[\\x21-\\x7e]{1,70}$"));

        await client.SendLineAsync("RETR 1");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo($"+OK {sizes[0]} octets"));
        var message = await Pop3Fixture.ReadMultiLineAsync(client);
        Assert.That(message, Does.Contain("Subject: first"));
        Assert.That(message, Does.Contain("..dotted line"), "a line starting with a dot is dot-stuffed");
        Assert.That(Encoding.UTF8.GetByteCount(string.Join("\r\n", message.Select(l => l.StartsWith("..", StringComparison.Ordinal) ? l[1..] : l)) + "\r\n"),
            Is.EqualTo(sizes[0]), "LIST's size is the size of the message RETR sends, before dot-stuffing");

        await client.SendLineAsync("TOP 1 1");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
        var top = await Pop3Fixture.ReadMultiLineAsync(client);
        var blank = top.IndexOf("");
        Assert.That(blank, Is.GreaterThan(0));
        Assert.That(top[(blank + 1)..], Is.EqualTo(new[] { "line one" }));
    }

    [Test]
    public async Task Message_number_errors_are_answered_and_the_session_goes_on()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message("only"));
        await using var client = await Pop3Fixture.LogInOverStlsAsync(_node, login);

        foreach (var (command, answer) in new[]
        {
            ("RETR 2", "-ERR There is no such message."),
            ("RETR x", "-ERR Invalid message number: x"),
            ("RETR 0", "-ERR Invalid message number: 0"),
            ("RETR", "-ERR Syntax: RETR message"),
            ("TOP 1", "-ERR Syntax: TOP message lines"),
            ("DELE 1", "+OK Message 1 deleted."),
            ("DELE 1", "-ERR Message 1 is already deleted."),
            ("RETR 1", "-ERR Message 1 is already deleted."),
            ("LIST 1", "-ERR Message 1 is already deleted."),
            ("STAT", "+OK 0 0"),
            ("USER again", "-ERR USER is not valid after logging in."),
            ("STLS", "-ERR STLS is not valid after logging in."),
            ("XYZZ", "-ERR Unknown command: XYZZ"),
            ("NOOP", "+OK"),
        })
        {
            await client.SendLineAsync(command);
            Assert.That(await client.ReadLineAsync(), Is.EqualTo(answer), command);
        }

        await client.SendLineAsync("RSET");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK 1 messages"));
    }

    [Test]
    public async Task Deletions_are_committed_only_by_QUIT()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        for (var i = 0; i < 3; i++)
        {
            await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message($"m{i}"));
        }

        // A session that ends without QUIT removes nothing (RFC 1939 §6).
        await using (var dropped = await Pop3Fixture.LogInOverStlsAsync(_node, login))
        {
            await dropped.SendLineAsync("DELE 1");
            Assert.That(await dropped.ReadLineAsync(), Does.StartWith("+OK"));
        }

        var uidlBefore = await UidlAsync(login);
        Assert.That(uidlBefore, Has.Count.EqualTo(3));

        await using (var quitting = await Pop3Fixture.LogInOverStlsAsync(_node, login))
        {
            await quitting.SendLineAsync("DELE 1");
            await quitting.ReadLineAsync();
            await quitting.SendLineAsync("DELE 3");
            await quitting.ReadLineAsync();
            await quitting.SendLineAsync("QUIT");
            Assert.That(await quitting.ReadLineAsync(), Is.EqualTo("+OK Logging out."));
            Assert.That(await quitting.IsClosedByServerAsync(), Is.True);
        }

        var uidlAfter = await UidlAsync(login);
        Assert.That(uidlAfter, Is.EqualTo(new[] { uidlBefore[1] }), "the survivor keeps its unique id");
    }

    [Test]
    public async Task Pipelined_commands_are_answered_in_order()
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message("pipelined"));
        await using var client = await Pop3Fixture.LogInOverStlsAsync(_node, login);

        await client.SendAsync("STAT\r\nLIST 1\r\nNOOP\r\nUIDL 1\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK 1 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK 1 "));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK 1 "));
    }

    [Test]
    public async Task An_over_long_line_is_refused_and_the_session_goes_on()
    {
        await using var client = await LineClient.ConnectAsync(_node.EndPoint("pop3s"), implicitTls: true);
        await client.ReadLineAsync();
        await client.SendLineAsync("NOOP " + new string('x', 10_000));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR Input line too long."));
        await client.SendLineAsync("CAPA");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Capability list follows"));
    }

    /// <summary>
    /// The maildrop is a snapshot (RFC 1939 §5); a message removed meanwhile by someone other than a
    /// POP3 session (an account's other client, once IMAP serves the same INBOX) is answered -ERR before
    /// any byte of it is sent, and the session goes on.
    /// </summary>
    [TestCase("RETR 1")]
    [TestCase("TOP 1 0")]
    public async Task A_message_removed_since_the_snapshot_is_answered_ERR_and_the_session_goes_on(string command)
    {
        var login = await Pop3Fixture.CreateAccountAsync();
        await Pop3Fixture.DeliverAsync(_node, login, Pop3Fixture.Message("gone"));
        await using var client = await Pop3Fixture.LogInOverStlsAsync(_node, login);

        var account = (await _node.Services.GetRequiredService<AccountStore>().FindByLoginAsync(login, CancellationToken.None))!;
        var store = _node.Services.GetRequiredService<MailStore>();
        foreach (var message in await store.ListMaildropAsync(account.Id, CancellationToken.None))
        {
            await store.ExpungeAsync(account.Id, message.MailboxId, [message.Uid], CancellationToken.None);
        }

        await client.SendLineAsync(command);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR Message 1 is no longer in the mailbox."));
        await client.SendLineAsync("NOOP");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
        await client.SendLineAsync("QUIT");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Logging out."));
    }

    private static async Task<List<string>> UidlAsync(string login)
    {
        await using var client = await Pop3Fixture.LogInOverStlsAsync(_node, login);
        await client.SendLineAsync("UIDL");
        await client.ReadLineAsync();
        var lines = await Pop3Fixture.ReadMultiLineAsync(client);
        await client.SendLineAsync("QUIT");
        await client.ReadLineAsync();
        return lines.Select(l => l.Split(' ')[1]).ToList();
    }
}
