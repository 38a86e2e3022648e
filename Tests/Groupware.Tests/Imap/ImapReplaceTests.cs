using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Groupware.Tests.Imap;

/// <summary>
/// REPLACE and UID REPLACE (RFC 8508): the new message is stored (APPENDUID untagged, §3.3), then the
/// original expunged; into the selected mailbox (EXISTS, then EXPUNGE, as in §3.4's example) or
/// another; VANISHED for a QRESYNC client; nothing expunged when the new message cannot be stored;
/// errors for a number outside the mailbox, a UID it does not hold, and a read-only selection. And
/// MailKit replacing a draft, as a mail client saving a draft again does.
/// </summary>
public sealed class ImapReplaceTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private async Task<LineClient> DraftsWithFourAsync()
    {
        var login = await ImapFixture.CreateAccountAsync();
        var client = await ImapFixture.LogInAsync(_node, login);
        for (var n = 1; n <= 4; n++)
        {
            await ImapFixture.AppendAsync(client, "Drafts", @"\Draft", $"Subject: draft {n}\r\n\r\nVersion {n}.\r\n");
        }

        return client;
    }

    [Test]
    public async Task REPLACE_stores_the_new_message_then_expunges_the_original()
    {
        await using var client = await DraftsWithFourAsync();
        Assert.That((await ImapFixture.CommandAsync(client, "c", "CAPABILITY"))[0], Does.Contain(" REPLACE"));
        await ImapFixture.CommandAsync(client, "s", "SELECT Drafts");
        await Transcript.PlayAsync(client, """
            RFC 8508 §3.4: replacing message 4 of the selected mailbox.
            C: A003 REPLACE 4 Drafts (\Seen \Draft) {268}
            S: + Ready for literal data
            C: Date: Thu, 1 Jan 2015 00:05:00 -0500 (EST)
            C: From: Fritz Schmidt <fritz.ze@example.org>
            C: Subject: happy new year !!
            C: To: miss.mitzy@example.org
            C: Message-Id: <B27397-0200000@example.org>
            C: MIME-Version: 1.0
            C: Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
            C:
            C: Just saying hi!
            C:
            S: * OK [APPENDUID * 5] *
            S: * 5 EXISTS
            S: * 5 RECENT
            S: * 4 EXPUNGE
            S: * 4 RECENT
            S: A003 OK Replace completed.
            C: f1 FETCH 1:* (UID FLAGS)
            S: * 1 FETCH (UID 1 FLAGS (\Draft \Recent))
            S: * 2 FETCH (UID 2 FLAGS (\Draft \Recent))
            S: * 3 FETCH (UID 3 FLAGS (\Draft \Recent))
            S: * 4 FETCH (UID 5 FLAGS (\Seen \Draft \Recent))
            S: f1 OK *
            Into another mailbox: the original goes, and only its EXPUNGE is heard.
            C: A004 UID REPLACE 2 Archive (\Seen) {36+}
            C: Subject: draft 3
            C:
            C: Third version.
            C:
            S: * OK [APPENDUID * 1] *
            S: * 2 EXPUNGE
            S: * 3 RECENT
            S: A004 OK Replace completed.
            C: f2 UID FETCH 1:* (FLAGS)
            S: * 1 FETCH (UID 1 FLAGS (\Draft \Recent))
            S: * 2 FETCH (UID 3 FLAGS (\Draft \Recent))
            S: * 3 FETCH (UID 5 FLAGS (\Seen \Draft \Recent))
            S: f2 OK *
            """);
        await ImapFixture.CommandAsync(client, "e", "EXAMINE Archive");
        var archived = await ImapFixture.CommandAsync(client, "g", "FETCH 1 (FLAGS BODY.PEEK[TEXT])");
        Assert.That(string.Join("\n", archived), Does.Contain(@"\Seen").And.Contain("Third version."));
    }

    [Test]
    public async Task A_REPLACE_that_cannot_store_its_message_expunges_nothing()
    {
        await using var client = await DraftsWithFourAsync();
        await ImapFixture.CommandAsync(client, "s", "SELECT Drafts");
        await Transcript.PlayAsync(client, """
            C: r1 REPLACE 1 Nowhere {36+}
            C: Subject: draft 3
            C:
            C: Third version.
            C:
            S: r1 NO [TRYCREATE] *
            C: r2 REPLACE 5 Drafts {36+}
            C: Subject: draft 3
            C:
            C: Third version.
            C:
            S: r2 BAD *
            C: r3 UID REPLACE 99 Drafts {36+}
            C: Subject: draft 3
            C:
            C: Third version.
            C:
            S: r3 NO [NONEXISTENT] *
            C: r4 REPLACE * Drafts {36+}
            C: Subject: draft 3
            C:
            C: Third version.
            C:
            S: r4 BAD *
            C: n NOOP
            S: n OK *
            C: f FETCH 1:* UID
            S: * 1 FETCH (UID 1)
            S: * 2 FETCH (UID 2)
            S: * 3 FETCH (UID 3)
            S: * 4 FETCH (UID 4)
            S: f OK *
            C: e EXAMINE Drafts
            S: * OK [CLOSED] *
            S: * FLAGS *
            S: * 4 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *
            S: * OK [UIDNEXT 5] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: e OK [READ-ONLY] *
            C: r6 REPLACE 1 Drafts {36+}
            C: Subject: draft 3
            C:
            C: Third version.
            C:
            S: r6 NO [READ-ONLY] *
            C: s STATUS Drafts (MESSAGES UIDNEXT)
            S: * STATUS "Drafts" (MESSAGES 4 UIDNEXT 5)
            S: s OK *
            """);
    }

    [Test]
    public async Task A_QRESYNC_client_hears_the_original_as_VANISHED_with_the_new_HIGHESTMODSEQ()
    {
        await using var client = await DraftsWithFourAsync();
        await ImapFixture.CommandAsync(client, "q", "ENABLE QRESYNC");
        await ImapFixture.CommandAsync(client, "s", "SELECT Drafts");
        await Transcript.PlayAsync(client, """
            C: r UID REPLACE 3 Drafts {36+}
            C: Subject: draft 3
            C:
            C: Third version.
            C:
            S: * OK [APPENDUID * 5] *
            S: * 5 EXISTS
            S: * 5 RECENT
            S: * VANISHED 3
            S: * 4 RECENT
            S: r OK [HIGHESTMODSEQ *] Replace completed.
            """);
    }

    [Test]
    public async Task MailKit_replaces_a_draft()
    {
        var login = await ImapFixture.CreateAccountAsync();
        using var client = await ImapFixture.MailKitAsync(_node, login);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Replace), Is.True);
        var drafts = client.GetFolder(SpecialFolder.Drafts) ?? throw new AssertionException("no Drafts folder by SPECIAL-USE");
        await drafts.OpenAsync(FolderAccess.ReadWrite);
        var first = new MimeMessage { Subject = "Plans" };
        first.From.Add(new MailboxAddress("Me", login + "@example.org"));
        first.Body = new TextPart("plain") { Text = "First words." };
        var uid = await drafts.AppendAsync(first, MessageFlags.Draft);
        Assert.That(uid, Is.Not.Null);

        var second = new MimeMessage { Subject = "Plans, revised" };
        second.From.Add(new MailboxAddress("Me", login + "@example.org"));
        second.Body = new TextPart("plain") { Text = "Second thoughts." };
        var replaced = await drafts.ReplaceAsync(uid!.Value, second, MessageFlags.Draft);
        Assert.That(replaced, Is.Not.Null.And.Not.EqualTo(uid));
        Assert.That(drafts.Count, Is.EqualTo(1));
        var message = await drafts.GetMessageAsync(replaced!.Value);
        Assert.That(message.Subject, Is.EqualTo("Plans, revised"));
        await client.DisconnectAsync(true);
    }
}
