using MailKit;
using MailKit.Net.Imap;

namespace Groupware.Tests.Imap;

/// <summary>
/// METADATA (RFC 5464): server ("") and mailbox annotations from the RFC's examples (§4.2 to §4.3,
/// options before the mailbox as errata 2785/2786 correct them, and after it as the examples had them): set, read, remove, DEPTH and MAXSIZE
/// with LONGENTRIES, the limits (MAXSIZE, TOOMANY), bad entry names, a mailbox that does not exist,
/// entries staying with a renamed mailbox and going with a deleted one; and MailKit's metadata API.
/// </summary>
public sealed class ImapMetadataTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _node = await ImapFixture.StartSecureNodeAsync(n => n.Set("Imap:MaxMetadataValueSize", "4096").Set("Imap:MaxMetadataEntries", "4"));

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task Server_and_mailbox_entries_are_set_read_and_removed_as_in_the_RFC_examples()
    {
        await using var client = await ImapFixture.LogInAsync(_node, await ImapFixture.CreateAccountAsync());
        Assert.That((await ImapFixture.CommandAsync(client, "c", "CAPABILITY"))[0], Does.Contain(" METADATA"));
        await Transcript.PlayAsync(client, """
            RFC 5464 §4.3: a server entry, then §4.2: reading it back.
            C: a SETMETADATA "" (/shared/comment "Shared comment")
            S: a OK Setmetadata completed.
            C: a GETMETADATA "" /shared/comment
            S: * METADATA "" (/shared/comment "Shared comment")
            S: a OK Getmetadata completed.
            A mailbox entry with a literal value (§4.3's second example), and entry names compare without case.
            C: b SETMETADATA INBOX (/private/comment {33}
            S: + Ready for literal data
            C: My new comment across
            C: two lines.)
            S: b OK Setmetadata completed.
            C: c GETMETADATA INBOX /PRIVATE/Comment
            S: * METADATA "INBOX" (/private/comment {33}
            S: My new comment across
            S: two lines.)
            S: c OK Getmetadata completed.
            Entries that do not exist give no METADATA response (§4.2).
            C: d GETMETADATA INBOX (/shared/comment /private/other)
            S: d OK Getmetadata completed.
            NIL removes (§4.3).
            C: e SETMETADATA INBOX (/private/comment NIL)
            S: e OK Setmetadata completed.
            C: f GETMETADATA INBOX /private/comment
            S: f OK Getmetadata completed.
            """);
    }

    [Test]
    public async Task DEPTH_adds_the_entries_below_and_MAXSIZE_leaves_out_larger_values_with_LONGENTRIES()
    {
        await using var client = await ImapFixture.LogInAsync(_node, await ImapFixture.CreateAccountAsync());
        await Transcript.PlayAsync(client, """
            C: a SETMETADATA INBOX (/private/filters/values/small "small filter" /private/filters/values/small/deep "deep" /private/filters/values/large "a rather larger filter value")
            S: a OK Setmetadata completed.
            RFC 5464 §4.2.2: DEPTH 1 is the entry and its immediate children.
            C: b GETMETADATA (DEPTH 1) INBOX (/private/filters/values)
            S: * METADATA "INBOX" (/private/filters/values/large "a rather larger filter value" /private/filters/values/small "small filter")
            S: b OK Getmetadata completed.
            C: c GETMETADATA (DEPTH infinity) INBOX /private/filters
            S: * METADATA "INBOX" (/private/filters/values/large "a rather larger filter value" /private/filters/values/small "small filter" /private/filters/values/small/deep "deep")
            S: c OK Getmetadata completed.
            §4.2.1: MAXSIZE leaves out the larger values and names the size of the largest.
            C: d GETMETADATA (MAXSIZE 12 DEPTH infinity) INBOX /private/filters
            S: * METADATA "INBOX" (/private/filters/values/small "small filter" /private/filters/values/small/deep "deep")
            S: d OK [METADATA LONGENTRIES 28] Getmetadata completed; larger entries left out.
            """);
    }

    [Test]
    public async Task Limits_bad_names_and_missing_mailboxes_are_refused_and_store_nothing()
    {
        await using var client = await ImapFixture.LogInAsync(_node, await ImapFixture.CreateAccountAsync());
        var large = new string('x', 4097);
        await Transcript.PlayAsync(client, $"""
            C: a SETMETADATA INBOX (/private/comment "{large}")
            S: a NO [METADATA MAXSIZE 4096] A metadata value is at most 4096 octets.
            C: b SETMETADATA INBOX (/private/a "1" /private/b "2" /private/c "3" /private/d "4" /private/e "5")
            S: b NO [METADATA TOOMANY] At most 4 metadata entries per mailbox and for the server.
            C: c GETMETADATA (DEPTH infinity) INBOX /private
            S: c OK Getmetadata completed.
            C: d SETMETADATA INBOX (/private/a "1" /private/b "2")
            S: d OK Setmetadata completed.
            C: e SETMETADATA INBOX (/comment "no prefix")
            S: e BAD "/comment" is not a metadata entry name (RFC 5464 §3.2.1: /private/... or /shared/..., without *, % or empty components)
            C: f GETMETADATA INBOX "/private/*"
            S: f BAD "/private/*" is not a metadata entry name (RFC 5464 §3.2.1: /private/... or /shared/..., without *, % or empty components)
            C: g SETMETADATA INBOX (/private/trailing/ "x")
            S: g BAD *
            Options after the mailbox, as RFC 5464 §4.2.1's examples (and MailKit) send them, are taken too.
            C: h GETMETADATA INBOX (MAXSIZE 10) /private/a
            S: * METADATA "INBOX" (/private/a "1")
            S: h OK Getmetadata completed.
            C: h2 GETMETADATA (DEPTH 2) INBOX /private/a
            S: h2 BAD Syntax: GETMETADATA [(MAXSIZE n DEPTH 0/1/infinity)] mailbox entry/(entries)
            C: i GETMETADATA nosuchbox /private/a
            S: i NO [NONEXISTENT] No such mailbox.
            C: j SETMETADATA nosuchbox (/private/a "1")
            S: j NO [NONEXISTENT] No such mailbox.
            C: k GETMETADATA (DEPTH infinity) INBOX /private
            S: * METADATA "INBOX" (/private/a "1" /private/b "2")
            S: k OK Getmetadata completed.
            """);
    }

    [Test]
    public async Task A_renamed_mailbox_keeps_its_entries_and_a_deleted_one_takes_them_along()
    {
        await using var client = await ImapFixture.LogInAsync(_node, await ImapFixture.CreateAccountAsync());
        await Transcript.PlayAsync(client, """
            C: a CREATE Projects
            S: a OK *
            C: b SETMETADATA Projects (/shared/comment "team folder")
            S: b OK Setmetadata completed.
            C: c RENAME Projects Done
            S: c OK *
            C: d GETMETADATA Done /shared/comment
            S: * METADATA "Done" (/shared/comment "team folder")
            S: d OK Getmetadata completed.
            C: e DELETE Done
            S: e OK *
            C: f CREATE Done
            S: f OK *
            C: g GETMETADATA Done /shared/comment
            S: g OK Getmetadata completed.
            """);
    }

    [Test]
    public async Task MailKit_sets_and_reads_server_and_folder_metadata()
    {
        var login = await ImapFixture.CreateAccountAsync();
        using var client = await ImapFixture.MailKitAsync(_node, login);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Metadata), Is.True);
        await client.SetMetadataAsync(new MetadataCollection { new Metadata(MetadataTag.PrivateComment, "server note") });
        Assert.That(await client.GetMetadataAsync(MetadataTag.PrivateComment), Is.EqualTo("server note"));

        var inbox = client.Inbox;
        await inbox.SetMetadataAsync(new MetadataCollection { new Metadata(MetadataTag.SharedComment, "inbox note") });
        Assert.That(await inbox.GetMetadataAsync(MetadataTag.SharedComment), Is.EqualTo("inbox note"));
        var all = await inbox.GetMetadataAsync(new MetadataOptions { Depth = int.MaxValue }, [new MetadataTag("/shared")]);
        Assert.That(all.Select(m => $"{m.Tag.Id}={m.Value}"), Is.EqualTo(new[] { "/shared/comment=inbox note" }));
        await client.DisconnectAsync(true);
    }
}
