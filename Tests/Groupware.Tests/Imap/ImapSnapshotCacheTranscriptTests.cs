namespace Groupware.Tests.Imap;

/// <summary>
/// SELECT of a mailbox this node read before starts from the state it kept and reads only the changes
/// since (SnapshotCache): what it answers must be what a fresh read would, after another session
/// appended, flagged, set a new keyword and expunged, and after the name's mailbox was deleted as a
/// placeholder and created again with a new UIDVALIDITY (RFC 9051 §6.3.4, §2.3.1.1).
/// </summary>
public sealed class ImapSnapshotCacheTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task A_second_SELECT_sees_every_change_made_in_between()
    {
        var (client, login) = await CondStoreMailbox.CreateAsync(_node, 4);
        await using var session = client;
        await CondStoreMailbox.OkAsync(session, "EXAMINE INBOX");
        await CondStoreMailbox.OkAsync(session, "UNSELECT");

        await using (var other = await CondStoreMailbox.OtherSessionAsync(_node, login))
        {
            await CondStoreMailbox.OkAsync(other, "UID STORE 2 +FLAGS.SILENT (\\Deleted)");
            await CondStoreMailbox.OkAsync(other, "EXPUNGE");
            await CondStoreMailbox.OkAsync(other, "UID STORE 3 +FLAGS.SILENT ($Urgent \\Seen)");
            await ImapFixture.AppendAsync(other, "INBOX", "\\Flagged $Later", "Subject: fifth\r\n\r\nFifth.\r\n");
        }

        await Transcript.PlayAsync(session, """
            C: s1 ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: s1 OK Enable completed.
            C: s2 EXAMINE INBOX (CONDSTORE)
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Later $Urgent)
            S: * 4 EXISTS
            S: * OK [PERMANENTFLAGS ()] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 6] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [HIGHESTMODSEQ 9] *
            S: * LIST () "/" "INBOX"
            S: s2 OK [READ-ONLY] Examine completed.
            C: s3 FETCH 1:* (UID FLAGS MODSEQ)
            S: * 1 FETCH (UID 1 FLAGS () MODSEQ (2))
            S: * 2 FETCH (UID 3 FLAGS (\Seen $Urgent) MODSEQ (8))
            S: * 3 FETCH (UID 4 FLAGS () MODSEQ (5))
            S: * 4 FETCH (UID 5 FLAGS (\Flagged $Later) MODSEQ (9))
            S: s3 OK Fetch completed.
            """);
    }

    [Test]
    public async Task A_mailbox_made_again_under_its_name_is_read_afresh()
    {
        var (client, _) = await CondStoreMailbox.CreateAsync(_node, 0);
        await using var session = client;
        await CondStoreMailbox.OkAsync(session, "CREATE Projects/Old");
        await ImapFixture.AppendAsync(session, "Projects", "", "Subject: one\r\n\r\nOne.\r\n");
        await ImapFixture.AppendAsync(session, "Projects", "", "Subject: two\r\n\r\nTwo.\r\n");
        var first = await ImapFixture.CommandAsync(session, "s1", "SELECT Projects");
        Assert.That(first, Does.Contain("* 2 EXISTS"));
        var uidValidity = first.Single(l => l.Contains("[UIDVALIDITY ", StringComparison.Ordinal));
        await CondStoreMailbox.OkAsync(session, "UNSELECT");

        // Deleted with an inferior: the name stays as \Noselect (RFC 9051 §6.3.5), its messages go; then made again.
        await CondStoreMailbox.OkAsync(session, "DELETE Projects");
        await CondStoreMailbox.OkAsync(session, "CREATE Projects");
        var again = await ImapFixture.CommandAsync(session, "s2", "SELECT Projects");
        Assert.That(again, Does.Contain("* 0 EXISTS"), string.Join("\n", again));
        Assert.That(again, Does.Not.Contain(uidValidity), "a new UIDVALIDITY");
        Assert.That(again[^1], Does.StartWith("s2 OK"));
    }
}
