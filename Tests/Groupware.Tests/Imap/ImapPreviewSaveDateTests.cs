using System.Text.RegularExpressions;
using Groupware.Storage.Mail;

namespace Groupware.Tests.Imap;

/// <summary>
/// PREVIEW (RFC 8970), SAVEDATE (RFC 8514) and the identifiers of RFC 8474 that FETCH and STATUS
/// answer: a preview made when the message was stored, a save date apart from the internal date that
/// COPY renews, one EMAILID for every copy of a content, and a MAILBOXID that RENAME keeps.
/// </summary>
public sealed partial class ImapPreviewSaveDateTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task FETCH_PREVIEW_gives_the_start_of_the_text_with_white_space_collapsed()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        Assert.That((await ImapFixture.CommandAsync(client, "c", "CAPABILITY"))[0], Does.Contain(" PREVIEW SAVEDATE"));
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: lunch\r\nContent-Type: text/plain\r\n\r\nShall we\r\n\r\n   meet at noon?\r\n");
        await ImapFixture.AppendAsync(client, "INBOX", "",
            "Subject: html\r\nContent-Type: text/html\r\n\r\n<html><body><p>Hello <b>there</b></p></body></html>\r\n");
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: long\r\n\r\n" + string.Concat(Enumerable.Repeat("word ", 100)) + "\r\n");
        await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        await Transcript.PlayAsync(client, """
            C: p1 FETCH 1:2 (PREVIEW)
            S: * 1 FETCH (PREVIEW "Shall we meet at noon?")
            S: * 2 FETCH (PREVIEW "Hello there")
            S: p1 OK Fetch completed.
            RFC 8970 §3: LAZY changes nothing when every preview is at hand.
            C: p2 FETCH 1 (PREVIEW (LAZY) UID)
            S: * 1 FETCH (PREVIEW "Shall we meet at noon?" UID 1)
            S: p2 OK Fetch completed.
            C: p3 FETCH 1 (PREVIEW (EAGER))
            S: p3 BAD *
            """);
        var preview = (await ImapFixture.CommandAsync(client, "p4", "FETCH 3 (PREVIEW)"))[0];
        var text = PreviewText().Match(preview).Groups[1].Value;
        Assert.That(text, Has.Length.LessThanOrEqualTo(MessagePreview.MaxLength).And.StartsWith("word word"));
    }

    [Test]
    public async Task SAVEDATE_is_when_the_message_was_stored_here_and_SEARCH_SAVED_keys_compare_its_day()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: old\r\n\r\nFrom 1994.\r\n", " 7-Feb-1994 21:52:25 -0800");
        await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        var today = DateTime.UtcNow.ToString("d-MMM-yyyy", System.Globalization.CultureInfo.InvariantCulture);
        var fetched = (await ImapFixture.CommandAsync(client, "f", "FETCH 1 (INTERNALDATE SAVEDATE)"))[0];
        Assert.That(fetched, Does.StartWith("* 1 FETCH (INTERNALDATE \"08-Feb-1994 05:52:25 +0000\" SAVEDATE \""));
        Assert.That(fetched, Does.Not.Contain("SAVEDATE \"08-Feb-1994"), "saved now, not on its internal date");
        await Transcript.PlayAsync(client, $"""
            C: q1 SEARCH SAVEDSINCE {today}
            S: * SEARCH 1
            S: q1 OK Search completed.
            C: q2 SEARCH SAVEDBEFORE 1-Jan-2000
            S: * SEARCH
            S: q2 OK Search completed.
            C: q3 SEARCH BEFORE 1-Jan-2000
            S: * SEARCH 1
            S: q3 OK Search completed.
            C: q4 SEARCH SAVEDATESUPPORTED
            S: * SEARCH 1
            S: q4 OK Search completed.
            C: q5 SEARCH SAVEDON
            S: q5 BAD *
            """);
    }

    [Test]
    public async Task Copies_of_one_content_share_an_EMAILID_and_RENAME_keeps_the_MAILBOXID()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: one\r\n\r\nOne.\r\n");
        await ImapFixture.AppendAsync(client, "INBOX", "", "Subject: two\r\n\r\nTwo.\r\n");
        await ImapFixture.CommandAsync(client, "s", "SELECT INBOX");
        Assert.That((await ImapFixture.CommandAsync(client, "c", "COPY 1 Archive"))[^1], Does.StartWith("c OK "));
        var ids = await ImapFixture.CommandAsync(client, "f", "FETCH 1:2 (EMAILID THREADID)");
        var first = EmailId().Match(ids[0]).Groups[1].Value;
        Assert.That(first, Does.Match("^M[0-9a-f]{24}$"));
        Assert.That(EmailId().Match(ids[1]).Groups[1].Value, Is.Not.EqualTo(first));
        Assert.That(ids[0], Does.Contain("THREADID NIL"), "RFC 8474 §5.2: no thread identifiers kept");
        await ImapFixture.CommandAsync(client, "e", "EXAMINE Archive");
        Assert.That(EmailId().Match((await ImapFixture.CommandAsync(client, "g", "FETCH 1 (EMAILID)"))[0]).Groups[1].Value, Is.EqualTo(first));

        Assert.That((await ImapFixture.CommandAsync(client, "m1", "CREATE Projects"))[^1], Does.StartWith("m1 OK"));
        var before = (await ImapFixture.CommandAsync(client, "m2", "STATUS Projects (MAILBOXID)"))[0];
        Assert.That((await ImapFixture.CommandAsync(client, "m3", "RENAME Projects Work"))[^1], Does.StartWith("m3 OK"));
        var after = (await ImapFixture.CommandAsync(client, "m4", "STATUS Work (MAILBOXID)"))[0];
        Assert.That(before, Does.Match(@"^\* STATUS ""Projects"" \(MAILBOXID \(F[0-9a-f]{24}\)\)$"));
        Assert.That(after[after.IndexOf("(MAILBOXID", StringComparison.Ordinal)..], Is.EqualTo(before[before.IndexOf("(MAILBOXID", StringComparison.Ordinal)..]));
        var inbox = (await ImapFixture.CommandAsync(client, "m5", "STATUS INBOX (MAILBOXID)"))[0];
        Assert.That(inbox[inbox.IndexOf("(MAILBOXID", StringComparison.Ordinal)..], Is.Not.EqualTo(before[before.IndexOf("(MAILBOXID", StringComparison.Ordinal)..]));
    }

    [GeneratedRegex("PREVIEW \"([^\"]*)\"")]
    private static partial Regex PreviewText();

    [GeneratedRegex(@"EMAILID \(([^)]*)\)")]
    private static partial Regex EmailId();
}
