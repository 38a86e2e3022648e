using System.Globalization;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace Groupware.Tests.Imap;

/// <summary>
/// OBJECTID (RFC 8474) as SELECT, EXAMINE and CREATE name the mailbox and as SEARCH finds a content by
/// its EMAILID, and WITHIN (RFC 5032): YOUNGER and OLDER by the internal date, from now. Transcripts
/// after the RFCs' examples, and MailKit, which reads MAILBOXID into a folder's Id, FETCHes EMAILID and speaks WITHIN.
/// </summary>
public sealed partial class ImapObjectIdWithinTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task CREATE_SELECT_EXAMINE_and_STATUS_name_one_MAILBOXID_that_RENAME_keeps()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        Assert.That((await ImapFixture.CommandAsync(client, "c", "CAPABILITY"))[0], Does.Contain(" OBJECTID").And.Contain(" WITHIN"));

        // RFC 8474 §4.1's example: CREATE answers the new mailbox's MAILBOXID in its tagged OK.
        var created = (await ImapFixture.CommandAsync(client, "3", "CREATE foo"))[^1];
        var id = MailboxId().Match(created).Groups[1].Value;
        Assert.That(id, Does.Match("^F[0-9a-f]{24}$"), created);
        await Transcript.PlayAsync(client, $"""
            C: 4 CREATE foo
            S: 4 NO [ALREADYEXISTS] *
            C: 5 RENAME foo bar
            S: 5 OK *
            RFC 8474 §4.2's example: RENAME keeps it, and SELECT names it after UIDNEXT.
            C: 6 SELECT bar
            S: * FLAGS *
            S: * 0 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS *
            S: * OK [UIDVALIDITY *
            S: * OK [UIDNEXT 1] *
            S: * OK [MAILBOXID ({id})] *
            S: 6 OK [READ-WRITE] *
            C: 7 STATUS bar (MAILBOXID)
            S: * STATUS "bar" (MAILBOXID ({id}))
            S: 7 OK *
            C: 8 EXAMINE bar
            S: * OK [CLOSED] *
            S: * FLAGS *
            S: * 0 EXISTS
            S: * 0 RECENT
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *
            S: * OK [UIDNEXT 1] *
            S: * OK [MAILBOXID ({id})] *
            S: 8 OK [READ-ONLY] *
            """);

        // A mailbox deleted and made again under the same name is another mailbox (RFC 8474 §4).
        Assert.That((await ImapFixture.CommandAsync(client, "9", "UNSELECT"))[^1], Does.StartWith("9 OK"));
        Assert.That((await ImapFixture.CommandAsync(client, "10", "DELETE bar"))[^1], Does.StartWith("10 OK"));
        var again = (await ImapFixture.CommandAsync(client, "11", "CREATE bar"))[^1];
        Assert.That(MailboxId().Match(again).Groups[1].Value, Does.Match("^F[0-9a-f]{24}$").And.Not.EqualTo(id));
    }

    [Test]
    public async Task SEARCH_EMAILID_finds_the_copies_of_a_content_and_THREADID_finds_nothing()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: one\r\n\r\nOne.\r\n");
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: two\r\n\r\nTwo.\r\n");
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: one\r\n\r\nOne.\r\n");
        await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        var fetched = await ImapFixture.CommandAsync(client, "f", "FETCH 1:2 (EMAILID)");
        var one = EmailId().Match(fetched[0]).Groups[1].Value;
        var two = EmailId().Match(fetched[1]).Groups[1].Value;
        await Transcript.PlayAsync(client, $"""
            C: 1 SEARCH EMAILID {one}
            S: * SEARCH 1 3
            S: 1 OK *
            C: 2 UID SEARCH RETURN (COUNT) NOT EMAILID {two}
            S: * ESEARCH (TAG "2") UID COUNT 2
            S: 2 OK *
            A THREADID is NIL for every message here (RFC 8474 §5.2), so none has this one.
            C: 3 SEARCH THREADID T64b478a75b7ea9bd
            S: * SEARCH
            S: 3 OK *
            C: 4 SEARCH EMAILID M0123456789abcdef01234567
            S: * SEARCH
            S: 4 OK *
            RFC 8474 §7: objectid = 1*255(ALPHA / DIGIT / "_" / "-").
            C: 5 SEARCH EMAILID M+1
            S: 5 BAD *
            C: 6 SEARCH EMAILID
            S: 6 BAD *
            """);
    }

    [Test]
    public async Task YOUNGER_and_OLDER_compare_the_internal_date_with_now()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        string Ago(TimeSpan span) => DateTimeOffset.UtcNow.Subtract(span).ToString("dd-MMM-yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: last year\r\n\r\nOld.\r\n", Ago(TimeSpan.FromDays(365)));
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: yesterday\r\n\r\nRecent.\r\n", Ago(TimeSpan.FromHours(25)));
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: now\r\n\r\nNew.\r\n");
        await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        await Transcript.PlayAsync(client, """
            RFC 5032 §3: YOUNGER 3600 is the last hour, OLDER 3600 everything before it.
            C: w1 SEARCH YOUNGER 3600
            S: * SEARCH 3
            S: w1 OK *
            C: w2 SEARCH OLDER 3600
            S: * SEARCH 1 2
            S: w2 OK *
            C: w3 SEARCH YOUNGER 172800 OLDER 3600
            S: * SEARCH 2
            S: w3 OK *
            C: w4 UID SEARCH RETURN (MIN) OLDER 172800
            S: * ESEARCH (TAG "w4") UID MIN 1
            S: w4 OK *
            An interval reaching before any calendar still works.
            C: w5 SEARCH YOUNGER 9223372036854775807
            S: * SEARCH 1 2 3
            S: w5 OK *
            RFC 5032 §4: interval = 1*DIGIT, and RFC 5032 §3 says it is a positive number of seconds.
            C: w6 SEARCH YOUNGER 0
            S: w6 BAD *
            C: w7 SEARCH OLDER soon
            S: w7 BAD *
            """);
    }

    [Test]
    public async Task MailKit_reads_the_MAILBOXID_and_EMAILID_and_searches_by_age()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("first"));
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("second"));
        using var client = await ImapFixture.MailKitAsync(_node, login);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.ObjectID), Is.True);

        var personal = await client.GetFolderAsync(client.PersonalNamespaces[0].Path);
        var projects = await personal.CreateAsync("Projects", isMessageFolder: true);
        Assert.That(projects, Is.Not.Null);
        Assert.That(projects!.Id, Does.Match("^F[0-9a-f]{24}$"));
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.That(inbox.Id, Does.Match("^F[0-9a-f]{24}$").And.Not.EqualTo(projects.Id));

        var summaries = await inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.EmailId);
        Assert.That(summaries, Has.Count.EqualTo(2));
        await inbox.CopyToAsync(summaries[1].UniqueId, projects);
        await projects.OpenAsync(FolderAccess.ReadOnly);
        var copied = await projects.FetchAsync(0, -1, MessageSummaryItems.EmailId);
        Assert.That(copied.Select(s => s.EmailId), Is.EqualTo(new[] { summaries[1].EmailId }), "a copy keeps its EMAILID");
        Assert.That(await projects.SearchAsync(SearchQuery.YoungerThan(3600)), Has.Count.EqualTo(1));
        Assert.That(await projects.SearchAsync(SearchQuery.OlderThan(3600)), Is.Empty);
        await client.DisconnectAsync(true);
    }

    [GeneratedRegex(@"\[MAILBOXID \(([^)]*)\)\]")]
    private static partial Regex MailboxId();

    [GeneratedRegex(@"EMAILID \(([^)]*)\)")]
    private static partial Regex EmailId();
}
