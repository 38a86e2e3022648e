namespace Groupware.Tests.Imap;

/// <summary>
/// The mailbox commands on RFC 9051's own examples: NAMESPACE (§6.3.10), CREATE (§6.3.4), DELETE
/// with inferiors leaving a \Noselect placeholder (§6.3.5, the second example), RENAME of a subtree
/// and of INBOX (§6.3.6), LIST "" "" (§6.3.9), SUBSCRIBE of a name that does not exist and LIST
/// (SUBSCRIBED) with \NonExistent and CHILDINFO (RFC 5258 §5), LIST-STATUS (RFC 5819), and
/// CREATE-SPECIAL-USE (RFC 6154 §3).
/// </summary>
public sealed class ImapMailboxTranscriptTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await ImapFixture.StartSecureNodeAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    private const string SpecialUseList = """
        S: * LIST (\HasNoChildren \Archive) "/" "Archive"
        S: * LIST (\HasNoChildren \Drafts) "/" "Drafts"
        S: * LIST (\HasNoChildren \Junk) "/" "Junk"
        S: * LIST (\HasNoChildren \Sent) "/" "Sent"
        S: * LIST (\HasNoChildren \Trash) "/" "Trash"
        """;

    [Test]
    public async Task CREATE_DELETE_and_RENAME_keep_the_hierarchy_as_the_RFC_examples_do()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, $"""
            C: A001 NAMESPACE
            S: * NAMESPACE (("" "/")) NIL NIL
            S: A001 OK Namespace completed.
            A trailing separator only says that names will be created under it (§6.3.4).
            C: A003 CREATE owatagusiam/
            S: A003 OK [MAILBOXID (F*)] Create completed.
            C: A004 CREATE owatagusiam/blurdybloop
            S: A004 OK [MAILBOXID (F*)] Create completed.
            C: A005 CREATE blurdybloop
            S: A005 OK [MAILBOXID (F*)] Create completed.
            Superiors that do not exist are created too.
            C: A006 CREATE foo/bar
            S: A006 OK [MAILBOXID (F*)] Create completed.
            C: A682 LIST "" *
            S: * LIST (\HasNoChildren) "/" "INBOX"
            {SpecialUseList}
            S: * LIST (\HasNoChildren) "/" "blurdybloop"
            S: * LIST (\HasChildren) "/" "foo"
            S: * LIST (\HasNoChildren) "/" "foo/bar"
            S: * LIST (\HasChildren) "/" "owatagusiam"
            S: * LIST (\HasNoChildren) "/" "owatagusiam/blurdybloop"
            S: A682 OK LIST completed.
            §6.3.5: deleting a mailbox with inferiors leaves its name as \Noselect; deleting that again is refused.
            C: A683 DELETE blurdybloop
            S: A683 OK Delete completed.
            C: A684 DELETE foo
            S: A684 OK Delete completed.
            C: A685 LIST "" %
            S: * LIST (\HasNoChildren) "/" "INBOX"
            {SpecialUseList}
            S: * LIST (\Noselect \HasChildren) "/" "foo"
            S: * LIST (\HasChildren) "/" "owatagusiam"
            S: A685 OK LIST completed.
            C: A686 DELETE foo
            S: A686 NO [HASCHILDREN] The name has inferior names; delete them first.
            C: A687 SELECT foo
            S: A687 NO *
            The placeholder goes with its last inferior.
            C: A688 DELETE foo/bar
            S: A688 OK Delete completed.
            C: A689 LIST "" foo*
            S: A689 OK LIST completed.
            §6.3.6: a rename takes the subtree along.
            C: A690 RENAME owatagusiam zowie
            S: A690 OK Rename completed.
            C: A691 LIST "" zowie*
            S: * LIST (\HasChildren) "/" "zowie"
            S: * LIST (\HasNoChildren) "/" "zowie/blurdybloop"
            S: A691 OK LIST completed.
            C: A692 RENAME zowie zowie/deeper
            S: A692 NO [CANNOT] A mailbox cannot be moved inside itself.
            C: A693 RENAME nothere elsewhere
            S: A693 NO [NONEXISTENT] No such mailbox.
            C: A694 RENAME zowie Sent
            S: A694 NO [ALREADYEXISTS] A mailbox of the new name exists already.
            INBOX is case-insensitive (§5.1), cannot be deleted, and exists always.
            C: A695 CREATE InBoX
            S: A695 NO [ALREADYEXISTS] The mailbox exists already.
            C: A696 DELETE inbox
            S: A696 NO [CANNOT] INBOX cannot be deleted.
            C: A101 LIST "" ""
            S: * LIST (\Noselect) "/" ""
            S: A101 OK LIST completed.
            """);
    }

    [Test]
    public async Task RENAME_INBOX_moves_its_messages_and_leaves_INBOX_empty()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("first"));
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("second"));
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, """
            C: Z432 CREATE INBOX/bar
            S: Z432 OK [MAILBOXID (F*)] Create completed.
            C: Z433 RENAME INBOX old-mail
            S: Z433 OK Rename completed.
            C: Z434 LIST "" *
            S: * LIST (\HasChildren) "/" "INBOX"
            S: * LIST (\HasNoChildren \Archive) "/" "Archive"
            S: * LIST (\HasNoChildren \Drafts) "/" "Drafts"
            S: * LIST (\HasNoChildren) "/" "INBOX/bar"
            S: * LIST (\HasNoChildren \Junk) "/" "Junk"
            S: * LIST (\HasNoChildren \Sent) "/" "Sent"
            S: * LIST (\HasNoChildren \Trash) "/" "Trash"
            S: * LIST (\HasNoChildren) "/" "old-mail"
            S: Z434 OK LIST completed.
            C: Z435 STATUS old-mail (MESSAGES UNSEEN)
            S: * STATUS "old-mail" (MESSAGES 2 UNSEEN 2)
            S: Z435 OK Status completed.
            INBOX keeps its UIDVALIDITY and UIDNEXT: the UIDs it gave away are never given again.
            C: Z436 STATUS INBOX (MESSAGES UIDNEXT)
            S: * STATUS "INBOX" (MESSAGES 0 UIDNEXT 3)
            S: Z436 OK Status completed.
            C: Z437 SELECT old-mail
            S: * FLAGS *
            S: * 2 EXISTS
            S: * 2 RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 3] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: Z437 OK [READ-WRITE] Select completed.
            C: Z438 FETCH 1:2 BODY.PEEK[HEADER.FIELDS (SUBJECT)]
            S: * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}
            S: Subject: first
            S:
            S: )
            S: * 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {19}
            S: Subject: second
            S:
            S: )
            S: Z438 OK Fetch completed.
            """);
    }

    [Test]
    public async Task Subscriptions_may_name_mailboxes_that_do_not_exist()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, """
            §6.3.7: a subscription is a name; it need not exist, and it outlives its mailbox.
            C: A001 CREATE Vegetable/Broccoli
            S: A001 OK [MAILBOXID (F*)] Create completed.
            C: A002 SUBSCRIBE Fruit/Peach
            S: A002 OK Subscribe completed.
            C: A003 SUBSCRIBE Vegetable
            S: A003 OK Subscribe completed.
            C: A004 SUBSCRIBE Vegetable/Broccoli
            S: A004 OK Subscribe completed.
            C: A005 DELETE Vegetable/Broccoli
            S: A005 OK Delete completed.
            RFC 5258 §5 example 2 (a new account's own mailboxes are subscribed).
            C: A02 LIST (SUBSCRIBED) "" "*"
            S: * LIST (\HasNoChildren \Subscribed) "/" "INBOX"
            S: * LIST (\HasNoChildren \Subscribed \Archive) "/" "Archive"
            S: * LIST (\HasNoChildren \Subscribed \Drafts) "/" "Drafts"
            S: * LIST (\NonExistent \Subscribed) "/" "Fruit/Peach"
            S: * LIST (\HasNoChildren \Subscribed \Junk) "/" "Junk"
            S: * LIST (\HasNoChildren \Subscribed \Sent) "/" "Sent"
            S: * LIST (\HasNoChildren \Subscribed \Trash) "/" "Trash"
            S: * LIST (\HasNoChildren \Subscribed) "/" "Vegetable"
            S: * LIST (\NonExistent \Subscribed) "/" "Vegetable/Broccoli"
            S: A02 OK LIST completed.
            RFC 5258 §5 example 9: a parent that is not subscribed but has subscribed children.
            C: A03 LIST (SUBSCRIBED RECURSIVEMATCH) "" "F%"
            S: * LIST (\NonExistent) "/" "Fruit" ("CHILDINFO" ("SUBSCRIBED"))
            S: A03 OK LIST completed.
            C: A04 LSUB "" "Fruit/*"
            S: * LSUB (\Noselect) "/" "Fruit/Peach"
            S: A04 OK LSUB completed.
            Unsubscribing a name that is not subscribed is not an error here (Dovecot answers OK too).
            C: A05 UNSUBSCRIBE Fruit/Peach
            S: A05 OK Unsubscribe completed.
            C: A06 UNSUBSCRIBE Fruit/Peach
            S: A06 OK Unsubscribe completed.
            C: A07 LSUB "" "Fruit/*"
            S: A07 OK LSUB completed.
            """);
    }

    [Test]
    public async Task LIST_RETURN_gives_children_special_use_and_status_in_one_answer()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await ImapFixture.DeliverAsync(_node, login, ImapFixture.Message("unread"));
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, """
            RFC 5819 §2: each STATUS follows its LIST; RFC 6154 §2: RETURN (SPECIAL-USE) and the
            (SPECIAL-USE) selection.
            C: A01 LIST "" "%" RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))
            S: * LIST (\HasNoChildren) "/" "INBOX"
            S: * STATUS "INBOX" (MESSAGES 1 UNSEEN 1)
            S: * LIST (\HasNoChildren \Archive) "/" "Archive"
            S: * STATUS "Archive" (MESSAGES 0 UNSEEN 0)
            S: * LIST (\HasNoChildren \Drafts) "/" "Drafts"
            S: * STATUS "Drafts" (MESSAGES 0 UNSEEN 0)
            S: * LIST (\HasNoChildren \Junk) "/" "Junk"
            S: * STATUS "Junk" (MESSAGES 0 UNSEEN 0)
            S: * LIST (\HasNoChildren \Sent) "/" "Sent"
            S: * STATUS "Sent" (MESSAGES 0 UNSEEN 0)
            S: * LIST (\HasNoChildren \Trash) "/" "Trash"
            S: * STATUS "Trash" (MESSAGES 0 UNSEEN 0)
            S: A01 OK LIST completed.
            C: A02 LIST (SPECIAL-USE) "" "*"
            S: * LIST (\HasNoChildren \Archive) "/" "Archive"
            S: * LIST (\HasNoChildren \Drafts) "/" "Drafts"
            S: * LIST (\HasNoChildren \Junk) "/" "Junk"
            S: * LIST (\HasNoChildren \Sent) "/" "Sent"
            S: * LIST (\HasNoChildren \Trash) "/" "Trash"
            S: A02 OK LIST completed.
            RFC 9051 §6.3.11: STATUS of the mailbox names its items in the order given; DELETED and SIZE are rev2's.
            C: A03 STATUS INBOX (UIDNEXT MESSAGES DELETED SIZE)
            S: * STATUS "INBOX" (UIDNEXT 2 MESSAGES 1 DELETED 0 SIZE *)
            S: A03 OK Status completed.
            C: A04 STATUS nothere (MESSAGES)
            S: A04 NO [NONEXISTENT] No such mailbox.
            C: A05 STATUS INBOX (MESSAGES NOTANITEM)
            S: A05 BAD *
            """);
    }

    [Test]
    public async Task CREATE_with_USE_gives_a_special_use_once_and_refuses_what_it_cannot_give()
    {
        var login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, login);
        await Transcript.PlayAsync(client, """
            RFC 6154 §3 (and §5.2's example): one mailbox per special use on this server.
            C: t1 CREATE MySent (USE (\Sent))
            S: t1 NO [USEATTR] Another mailbox is \Sent already.
            C: t2 DELETE Trash
            S: t2 OK Delete completed.
            C: t3 CREATE Papierkorb (USE (\Trash))
            S: t3 OK [MAILBOXID (F*)] Create completed.
            C: t4 LIST (SPECIAL-USE) "" "Papierkorb"
            S: * LIST (\HasNoChildren \Trash) "/" "Papierkorb"
            S: t4 OK LIST completed.
            C: t5 CREATE MySpecial (USE (\Drafts \Sent))
            S: t5 NO [USEATTR] A mailbox can have one special use here.
            C: t6 CREATE Important (USE (\Important))
            S: t6 NO [USEATTR] \Important is not a special use this server gives.
            C: t7 LIST "" "My*"
            S: t7 OK LIST completed.
            C: t8 CREATE Plain (USE ())
            S: t8 OK [MAILBOXID (F*)] Create completed.
            C: t9 CREATE Broken (USE (Sent))
            S: t9 BAD *
            """);
    }
}
