using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace Groupware.Tests.Imap;

/// <summary>
/// SORT and THREAD (RFC 5256) with SORT=DISPLAY (RFC 5957), on seven messages laid out so that every
/// key orders them differently: base subjects with reply and list artifacts, sent dates apart from
/// arrival, a thread whose root is missing (a dummy), and a reply that joins its thread by subject alone.
/// </summary>
public sealed class ImapSortThreadTests
{
    private TestNode _node = null!;
    private string _login = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _node = await ImapFixture.StartSecureNodeAsync();
        _login = await ImapFixture.CreateAccountAsync();
        await using var client = await ImapFixture.LogInAsync(_node, _login);
        (string Headers, string Arrival)[] messages =
        [
            ("From: Aaron <z@example.test>\r\nSubject: beta\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m1@example.test>", "01-Feb-2024 10:06:00 +0000"),
            ("From: Anna <b@example.test>\r\nSubject: Re: alpha\r\nDate: Wed, 3 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m2@example.test>\r\n" +
                "In-Reply-To: <m3@example.test>\r\nReferences: <m3@example.test>", "01-Feb-2024 10:05:00 +0000"),
            ("From: carl@example.test\r\nSubject: alpha\r\nDate: Tue, 2 Jan 2024 09:00:00 +0100\r\nMessage-ID: <m3@example.test>", "01-Feb-2024 10:04:00 +0000"),
            ("From: Dora Q <dora@example.test>\r\nSubject: Re: alpha\r\nDate: Thu, 4 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m4@example.test>\r\n" +
                "References: <m3@example.test> <\"m2\"@example.test>", "01-Feb-2024 10:03:00 +0000"),
            ("From: ed@example.test\r\nSubject: [list] gamma\r\nDate: Tue, 2 Jan 2024 12:00:00 +0000\r\nMessage-ID: <m5@example.test>\r\n" +
                "References: <gone@example.test>", "01-Feb-2024 10:02:00 +0000"),
            ("Subject: Re: gamma\r\nDate: Fri, 5 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m6@example.test>\r\nReferences: <gone@example.test>",
                "01-Feb-2024 10:01:00 +0000"),
            ("From: Fred <fred@example.test>\r\nSubject: Re: beta\r\nDate: Sat, 6 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m7@example.test>",
                "01-Feb-2024 10:00:00 +0000"),
        ];
        foreach (var (headers, arrival) in messages)
        {
            await ImapFixture.AppendAsync(client, "INBOX", "", $"{headers}\r\nTo: someone@example.test\r\n\r\nText.\r\n", arrival);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    [Test]
    public async Task ESORT_answers_ESEARCH_in_the_sort_order()
    {
        await using var client = await ImapFixture.LogInAsync(_node, _login);
        Assert.That((await ImapFixture.CommandAsync(client, "c", "CAPABILITY"))[0], Does.Contain(" ESORT"));
        await ImapFixture.CommandAsync(client, "s", "EXAMINE INBOX");
        await Transcript.PlayAsync(client, """
            RFC 5267 §3.1's examples: COUNT, and MIN and MAX the first and the last in the sort order.
            C: A283 SORT RETURN (COUNT) (DATE) UTF-8 SINCE 1-Feb-1994
            S: * ESEARCH (TAG "A283") COUNT 7
            S: A283 OK Sort completed.
            C: A284 SORT RETURN (MIN) (DATE) UTF-8 SINCE 1-Feb-1994
            S: * ESEARCH (TAG "A284") MIN 1
            S: A284 OK Sort completed.
            C: A285 SORT RETURN (MAX) (DATE) UTF-8 SINCE 1-Feb-1994
            S: * ESEARCH (TAG "A285") MAX 7
            S: A285 OK Sort completed.
            ALL keeps the order: DATE sorts them 1 3 5 2 4 6 7.
            C: A286 SORT RETURN (ALL) (DATE) UTF-8 SINCE 1-Feb-1994
            S: * ESEARCH (TAG "A286") ALL 1,3,5,2,4,6:7
            S: A286 OK Sort completed.
            C: A287 UID SORT RETURN (MIN MAX COUNT) (REVERSE ARRIVAL) UTF-8 NOT SUBJECT gamma
            S: * ESEARCH (TAG "A287") UID MIN 1 MAX 7 COUNT 5
            S: A287 OK Sort completed.
            A range is a set, so a descending order is written one by one.
            C: A288 SORT RETURN () (ARRIVAL) UTF-8 ALL
            S: * ESEARCH (TAG "A288") ALL 7,6,5,4,3,2,1
            S: A288 OK Sort completed.
            C: A289 SORT RETURN (COUNT) (DATE) UTF-8 SUBJECT nothing
            S: * ESEARCH (TAG "A289") COUNT 0
            S: A289 OK Sort completed.
            RFC 5182 §2.4: SAVE keeps the result for $; alone it answers no ESEARCH.
            C: A290 SORT RETURN (SAVE) (SUBJECT) UTF-8 SUBJECT beta
            S: A290 OK *
            C: A291 UID SEARCH UID $
            S: * SEARCH 1 7
            S: A291 OK *
            C: A292 SORT RETURN (PARTIAL 1:5) (DATE) UTF-8 ALL
            S: A292 BAD *
            C: A293 SORT RETURN (COUNT) UTF-8 ALL
            S: A293 BAD *
            """);
    }

    [Test]
    public async Task SORT_orders_by_each_key_with_ties_in_mailbox_order()
    {
        await using var client = await ImapFixture.LogInAsync(_node, _login);
        Assert.That((await ImapFixture.CommandAsync(client, "c", "CAPABILITY"))[0],
            Does.Contain(" SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES"));
        await Transcript.PlayAsync(client, """
            C: s EXAMINE INBOX
            S: * FLAGS *
            S: * 7 EXISTS
            S: * * RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 8] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: s OK [READ-ONLY] Examine completed.
            Sent date, normalised to UTC (§2.2): message 3 was sent at 08:00 UTC on 2 January.
            C: a1 SORT (DATE) UTF-8 ALL
            S: * SORT 1 3 5 2 4 6 7
            S: a1 OK Sort completed.
            C: a2 SORT (ARRIVAL) UTF-8 ALL
            S: * SORT 7 6 5 4 3 2 1
            S: a2 OK Sort completed.
            Base subjects ALPHA, BETA, GAMMA; within one, mailbox order, or the second key.
            C: a3 SORT (SUBJECT) UTF-8 ALL
            S: * SORT 2 3 4 1 7 5 6
            S: a3 OK Sort completed.
            C: a4 SORT (SUBJECT REVERSE DATE) UTF-8 ALL
            S: * SORT 4 2 3 7 1 6 5
            S: a4 OK Sort completed.
            REVERSE reverses one key only, never the implicit mailbox order of ties (§3).
            C: a5 SORT (REVERSE SUBJECT) UTF-8 ALL
            S: * SORT 5 6 1 7 2 3 4
            S: a5 OK Sort completed.
            FROM is the first address's mailbox part; a missing field is the empty string, first.
            C: a6 SORT (FROM) UTF-8 ALL
            S: * SORT 6 2 3 4 5 7 1
            S: a6 OK Sort completed.
            RFC 5957: the display name, or the address when there is none.
            C: a7 SORT (DISPLAYFROM) UTF-8 ALL
            S: * SORT 6 1 2 3 4 5 7
            S: a7 OK Sort completed.
            The search criteria choose what is sorted.
            C: a8 SORT (DATE) US-ASCII SUBJECT alpha
            S: * SORT 3 2 4
            S: a8 OK Sort completed.
            C: a9 UID SORT (REVERSE DATE) UTF-8 UID 2:5
            S: * SORT 4 2 5 3
            S: a9 OK Sort completed.
            C: a10 SORT (SUBJECT) US-ASCII TEXT "not in mailbox"
            S: * SORT
            S: a10 OK Sort completed.
            C: b1 SORT (BOGUS) UTF-8 ALL
            S: b1 BAD *
            C: b2 SORT () UTF-8 ALL
            S: b2 BAD *
            C: b3 SORT (DATE) KOI9-R ALL
            S: b3 NO [BADCHARSET (US-ASCII UTF-8 ISO-8859-1)] *
            C: b4 SORT (DATE) ALL
            S: b4 BAD *
            C: b5 SORT (REVERSE) UTF-8 ALL
            S: b5 BAD *
            """);
    }

    [Test]
    public async Task A_group_sorts_by_its_name_as_the_first_address_of_the_envelope()
    {
        await using var client = await ImapFixture.LogInAsync(_node, _login);
        await ImapFixture.CommandAsync(client, "c", "CREATE Groups");
        string[] to = ["foo bar <a@b.c>", "b@c.d", "team: xx@xx.org, yy@yy.org;", "empty:;", "=?iso-8859-1?q?foo_aar?= <e@f.g>"];
        foreach (var address in to)
        {
            await ImapFixture.AppendAsync(client, "Groups", "", $"From: x@example.test\r\nTo: {address}\r\nCc: {address}\r\nSubject: s\r\n\r\nText.\r\n",
                "01-Feb-2024 10:00:00 +0000");
        }

        await Transcript.PlayAsync(client, """
            C: s EXAMINE Groups
            S: * FLAGS *
            S: * 5 EXISTS
            S: * * RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 6] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: s OK [READ-ONLY] Examine completed.
            ENVELOPE lists a group first as its start marker, whose mailbox is the group's name (RFC 9051 §7.5.2).
            C: a1 SORT (CC) UTF-8 ALL
            S: * SORT 1 2 5 4 3
            S: a1 OK Sort completed.
            RFC 5957: the display name, else the address, else the group's name.
            C: a2 SORT (DISPLAYTO) UTF-8 ALL
            S: * SORT 2 4 5 1 3
            S: a2 OK Sort completed.
            """);
    }

    [Test]
    public async Task THREAD_builds_the_threads_of_RFC_5256_by_references_and_by_subject()
    {
        await using var client = await ImapFixture.LogInAsync(_node, _login);
        await Transcript.PlayAsync(client, """
            C: s EXAMINE INBOX
            S: * FLAGS *
            S: * 7 EXISTS
            S: * * RECENT
            S: * OK [PERMANENTFLAGS *] *
            S: * OK [UIDVALIDITY *] *
            S: * OK [UIDNEXT 8] *
            S: * OK [MAILBOXID (F*)] *
            S: * OK [UNSEEN 1] *
            S: s OK [READ-ONLY] Examine completed.
            REFERENCES: 3 <- 2 <- 4 by their References (4's quoted ID is 2's); 5 and 6 under a dummy for
            the missing <gone>, kept at the root since it has two children; 7 joins 1 by its subject, being a
            reply (step 5); threads by the sent date of their first message.
            C: t1 THREAD REFERENCES UTF-8 ALL
            S: * THREAD (1 7)(3 2 4)((5)(6))
            S: t1 OK Thread completed.
            ORDEREDSUBJECT: by base subject, then sent date; the first message of each is the root, the others its children.
            C: t2 THREAD ORDEREDSUBJECT UTF-8 ALL
            S: * THREAD (1 7)(3 (2)(4))(5 6)
            S: t2 OK Thread completed.
            C: t3 UID THREAD REFERENCES UTF-8 NOT SUBJECT beta
            S: * THREAD (3 2 4)((5)(6))
            S: t3 OK Thread completed.
            C: t4 THREAD ORDEREDSUBJECT US-ASCII TEXT "gewp"
            S: * THREAD
            S: t4 OK Thread completed.
            C: t5 THREAD JWZ UTF-8 ALL
            S: t5 BAD *
            C: t6 THREAD REFERENCES UTF-16 ALL
            S: t6 NO [BADCHARSET *] *
            """);
    }

    [Test]
    public async Task MailKit_sorts_and_threads_on_the_server()
    {
        using var client = await ImapFixture.MailKitAsync(_node, _login);
        Assert.That(client.ThreadingAlgorithms, Is.EquivalentTo(new[] { ThreadingAlgorithm.OrderedSubject, ThreadingAlgorithm.References }));
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);

        var byDate = await client.Inbox.SortAsync(SearchQuery.All, [OrderBy.ReverseDate]);
        Assert.That(byDate.Select(u => u.Id), Is.EqualTo(new uint[] { 7, 6, 4, 2, 5, 3, 1 }));
        var byDisplay = await client.Inbox.SortAsync(SearchQuery.All, [OrderBy.DisplayFrom]);
        Assert.That(byDisplay.Select(u => u.Id), Is.EqualTo(new uint[] { 6, 1, 2, 3, 4, 5, 7 }));

        var threads = await client.Inbox.ThreadAsync(ThreadingAlgorithm.References, SearchQuery.All);
        Assert.That(threads.Select(t => t.UniqueId?.Id), Is.EqualTo(new uint?[] { 1, 3, null }), "roots; the third is a dummy");
        Assert.That(threads[1].Children.Single().UniqueId?.Id, Is.EqualTo(2));
        Assert.That(threads[1].Children.Single().Children.Single().UniqueId?.Id, Is.EqualTo(4));
        Assert.That(threads[2].Children.Select(c => c.UniqueId?.Id), Is.EqualTo(new uint?[] { 5, 6 }));
        await client.DisconnectAsync(true);
    }
}
