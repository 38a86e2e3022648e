using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Groupware.Tests.Imap;

/// <summary>
/// QUOTA (RFC 9208) with its STORAGE and MESSAGE resources, STATUS DELETED-STORAGE (§4.1.4), and the
/// limits APPEND meets: [OVERQUOTA] on APPEND, COPY and LMTP delivery, APPENDLIMIT (RFC 7889) with NO
/// [TOOBIG], and MULTIAPPEND (RFC 3502), which stores all its messages or none.
/// </summary>
public sealed class ImapQuotaTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync(n => n.Set("Mail:MaxMessageSize", "4096"));

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private static string Message(int n) => $"From: a@example.test\r\nSubject: quota {n}\r\n\r\nBody of message {n}.\r\n";

    private static string Literal(string message) => $"{{{Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}";

    [Test]
    public async Task GETQUOTAROOT_and_GETQUOTA_report_the_accounts_limits_and_usage_as_RFC_9208_writes_them()
    {
        var login = await TestAccounts.CreateAsync(ImapFixture.Password, quotaBytes: 10 * 1024 * 1024, quotaMessages: 1000);
        await using var client = await ImapFixture.LogInAsync(_node, login);
        var capability = await ImapFixture.CommandAsync(client, "c", "CAPABILITY");
        Assert.That(capability[0], Does.Contain(" QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE ").And.Contain(" APPENDLIMIT=4096").And.Contain(" MULTIAPPEND"));
        Assert.That(capability[0], Does.Not.Contain("QUOTASET"), "limits are the operator's; SETQUOTA is not offered");

        var message = Message(1);
        await ImapFixture.AppendAsync(client, "INBOX", "", message);
        var octets = Encoding.UTF8.GetByteCount(message);
        await Transcript.PlayAsync(client, $"""
            §4.1.2: the mailbox need not exist; every mailbox of the account is under its one root.
            C: g1 GETQUOTAROOT INBOX
            S: * QUOTAROOT "INBOX" "User quota"
            S: * QUOTA "User quota" (STORAGE 1 10240 MESSAGE 1 1000)
            S: g1 OK Getquotaroot completed.
            C: g2 GETQUOTAROOT "Not there yet"
            S: * QUOTAROOT "Not there yet" "User quota"
            S: * QUOTA "User quota" (STORAGE 1 10240 MESSAGE 1 1000)
            S: g2 OK Getquotaroot completed.
            C: g3 GETQUOTA "User quota"
            S: * QUOTA "User quota" (STORAGE 1 10240 MESSAGE 1 1000)
            S: g3 OK Getquota completed.
            C: g4 GETQUOTA "!partition/sda4"
            S: g4 NO [NONEXISTENT] *
            C: g5 GETQUOTA
            S: g5 BAD *
            C: g6 SETQUOTA "User quota" (STORAGE 512)
            S: g6 BAD *
            §4.1.4: DELETED-STORAGE is what an EXPUNGE would free.
            C: s1 STATUS INBOX (MESSAGES SIZE DELETED DELETED-STORAGE APPENDLIMIT)
            S: * STATUS "INBOX" (MESSAGES 1 SIZE {octets} DELETED 0 DELETED-STORAGE 0 APPENDLIMIT 4096)
            S: s1 OK Status completed.
            C: s2 SELECT INBOX
            S: * FLAGS *
            S: * 1 EXISTS
            S: * 1 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 2] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: s2 OK [READ-WRITE] Select completed.
            C: s3 STORE 1 +FLAGS.SILENT (\Deleted)
            S: s3 OK Store completed.
            C: s4 STATUS INBOX (DELETED DELETED-STORAGE)
            S: * STATUS "INBOX" (DELETED 1 DELETED-STORAGE {octets})
            S: s4 OK Status completed.
            The expunge gives the message back to both resources.
            C: s5 EXPUNGE
            S: * 1 EXPUNGE
            S: * 0 RECENT
            S: s5 OK Expunge completed.
            C: g7 GETQUOTAROOT INBOX
            S: * QUOTAROOT "INBOX" "User quota"
            S: * QUOTA "User quota" (STORAGE 0 10240 MESSAGE 0 1000)
            S: g7 OK Getquotaroot completed.
            """);
    }

    [Test]
    public async Task An_account_without_limits_has_a_quota_root_with_no_resource_in_it()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, """
            §4.2.1: resources not named in the list are not limited.
            C: g1 GETQUOTAROOT INBOX
            S: * QUOTAROOT "INBOX" "User quota"
            S: * QUOTA "User quota" ()
            S: g1 OK Getquotaroot completed.
            """);
    }

    [Test]
    public async Task The_MESSAGE_limit_refuses_APPEND_COPY_and_delivery_with_OVERQUOTA_and_a_full_mailbox()
    {
        var login = await TestAccounts.CreateAsync(ImapFixture.Password, quotaMessages: 2);
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await ImapFixture.AppendAsync(client, "INBOX", "", Message(1));
        await ImapFixture.DeliverAsync(_node, login, Message(2));

        await client.SendAsync($"a1 APPEND INBOX {Literal(Message(3))}\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("a1 NO [OVERQUOTA] "));
        var select = await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        Assert.That(select, Does.Contain("* 2 EXISTS"));
        Assert.That((await ImapFixture.CommandAsync(client, "c", "COPY 1 Archive"))[^1], Does.StartWith("c NO [OVERQUOTA] "));

        // A MOVE adds nothing to the account, so it is never over quota.
        Assert.That((await ImapFixture.CommandAsync(client, "m", "MOVE 1 Archive"))[^1], Does.StartWith("m OK "));

        // LMTP: a full mailbox (RFC 3463 X.2.2), as for STORAGE.
        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => ImapFixture.DeliverAsync(_node, login, Message(4)));
        Assert.That(refused!.Message, Does.Contain(".2.2"));
    }

    [Test]
    public async Task MULTIAPPEND_stores_every_message_with_its_own_flags_and_date_and_names_every_UID()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await client.SendAsync($"a1 APPEND Archive (\\Seen) {Literal(Message(1))} (\\Flagged) \" 7-Feb-1994 22:43:04 -0800\" {Literal(Message(2))} {Literal(Message(3))}\r\n");
        Assert.That(await client.ReadLineAsync(), Does.Match(@"^a1 OK \[APPENDUID \d+ 1:3\] "));
        await Transcript.PlayAsync(client, """
            EXAMINE in an IMAP4rev1 session: the new messages are \Recent to it (RFC 3501 §2.3.2).
            C: s EXAMINE Archive
            S: * FLAGS *
            S: * 3 EXISTS
            S: * * RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 4] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 2] *
            S: s OK [READ-ONLY] Examine completed.
            C: f FETCH 1:3 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])
            S: * 1 FETCH (FLAGS (\Seen \Recent) BODY[HEADER.FIELDS (SUBJECT)] {20}
            S: Subject: quota 1
            S:
            S: )
            S: * 2 FETCH (FLAGS (\Flagged \Recent) BODY[HEADER.FIELDS (SUBJECT)] {20}
            S: Subject: quota 2
            S:
            S: )
            S: * 3 FETCH (FLAGS (\Recent) BODY[HEADER.FIELDS (SUBJECT)] {20}
            S: Subject: quota 3
            S:
            S: )
            S: f OK Fetch completed.
            The internal date is kept as an instant and given in UTC.
            C: d FETCH 2 INTERNALDATE
            S: * 2 FETCH (INTERNALDATE "08-Feb-1994 06:43:04 +0000")
            S: d OK Fetch completed.
            """);
    }

    [Test]
    public async Task MULTIAPPEND_that_does_not_fit_the_quota_stores_none_of_its_messages()
    {
        var login = await TestAccounts.CreateAsync(ImapFixture.Password, quotaMessages: 3);
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await ImapFixture.AppendAsync(client, "INBOX", "", Message(1));
        await client.SendAsync($"a1 APPEND INBOX {Literal(Message(2))} {Literal(Message(3))} {Literal(Message(4))}\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("a1 NO [OVERQUOTA] "));

        // RFC 3502 §6.3.11: one message the server cannot take fails the whole command, here a
        // literal8 with NUL octets outside any MIME part (RFC 3516 §4.4).
        await client.SendAsync($"a2 APPEND INBOX {Literal(Message(2))} ~{{5+}}\r\nab\0cd\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("a2 NO [UNKNOWN-CTE] "));
        var status = await ImapFixture.CommandAsync(client, "s", "STATUS INBOX (MESSAGES)");
        Assert.That(status[0], Is.EqualTo("* STATUS \"INBOX\" (MESSAGES 1)"));
    }

    [Test]
    public async Task A_message_over_APPENDLIMIT_is_refused_with_TOOBIG_before_its_octets_are_read()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, """
            RFC 7889 §4: a synchronizing literal over the limit gets no continuation, and NO [TOOBIG].
            C: a1 APPEND INBOX {4097}
            S: a1 NO [TOOBIG] *
            C: a2 NOOP
            S: a2 OK *
            """);
    }

    [Test]
    public async Task MailKit_reads_the_quota_and_appends_several_messages_in_one_MULTIAPPEND()
    {
        var login = await TestAccounts.CreateAsync(ImapFixture.Password, quotaBytes: 2 * 1024 * 1024, quotaMessages: 50);
        using var client = await ImapFixture.MailKitAsync(_node, login);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Quota), Is.True);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.MultiAppend), Is.True);
        Assert.That(client.AppendLimit, Is.EqualTo(4096));

        var archive = await client.GetFolderAsync("Archive");
        var requests = Enumerable.Range(1, 3).Select(n => (IAppendRequest)new AppendRequest(
            MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Message(n)))), MessageFlags.Seen)).ToList();
        var uids = await archive.AppendAsync(requests);
        Assert.That(uids.Select(u => u.Id), Is.EqualTo(new uint[] { 1, 2, 3 }));

        var quota = await client.Inbox.GetQuotaAsync();
        Assert.That(quota.QuotaRoot?.FullName, Is.EqualTo("User quota"));
        Assert.That(quota.StorageLimit, Is.EqualTo(2048));
        Assert.That(quota.MessageLimit, Is.EqualTo(50));
        Assert.That(quota.CurrentMessageCount, Is.EqualTo(3));
        Assert.That(quota.CurrentStorageSize, Is.GreaterThan(0));
        await client.DisconnectAsync(true);
    }
}
