using Groupware.Storage.Mail;
using Groupware.Tests.Support;

namespace Groupware.Tests.Storage;

/// <summary>
/// SEARCH (RFC 9051 §6.4.4, RFC 7162 §3.1.5) over a small mailbox whose messages each stand out in
/// some key: every key alone, then combined; substrings case-insensitive, with the LIKE wildcards
/// of a client's string taken literally.
/// </summary>
public sealed class SearchTests : ImapStoreTest
{
    private long _account;
    private long _mailbox;
    private long _report;
    private long _greeting;
    private long _big;
    private long _reply;
    private long _delivered;
    private long _modSeqBeforeReply;

    [OneTimeSetUp]
    public async Task FillAsync()
    {
        _account = await NewAccountAsync("search");
        _mailbox = (await MailboxAsync(_account, "INBOX")).Id;
        _report = await AppendAsync(_account, "INBOX",
            "From: Alice Example <alice@example.org>\r\nTo: bob@example.test\r\nCc: carol@example.net\r\nSubject: Quarterly report\r\n" +
            "Date: Mon, 2 Nov 2026 23:30:00 -0500\r\n\r\nThe numbers are 100% up_to date.\r\n",
            SystemFlags.Seen | SystemFlags.Flagged, ["$Work"], At(2026, 11, 3, 4, 30));
        _greeting = await AppendAsync(_account, "INBOX",
            "From: bob@example.test\r\nTo: alice@example.org\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nX-Custom: \r\nDate: Sun, 1 Nov 2026 08:00:00 +0000\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n" +
            "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nDie Gr=F6=DFe z=E4hlt.\r\n" +
            "--b\r\nContent-Type: text/html\r\n\r\n<p>Hallo <b>Welt</b></p>\r\n--b--\r\n",
            internalDate: At(2026, 11, 1, 8, 0));
        _big = await AppendAsync(_account, "INBOX",
            "From: carol@example.net\r\nBcc: secret@example.org\r\nSubject: no date here\r\n\r\n" + new string('x', 10_000) + "\r\n",
            SystemFlags.Deleted, internalDate: At(2026, 10, 15, 23, 59));
        _modSeqBeforeReply = (await MailboxAsync(_account, "INBOX")).HighestModSeq;
        _reply = await AppendAsync(_account, "INBOX",
            "From: Alice <alice@example.org>\r\nSubject: Re: report\r\nDate: Tue, 3 Nov 2026 10:00:00 +0100\r\nContent-Type: text/html\r\n\r\n" +
            "<html><style>.hidden { color: red }</style><body>Thanks &amp; regards</body></html>\r\n",
            SystemFlags.Answered | SystemFlags.Draft, ["Later"], At(2026, 11, 3, 9, 0));
        await using var news = await IncomingAsync("From: list@example.org\r\nSubject: newsletter\r\n\r\nplain news\r\n");
        var trace = TraceFields.Build("list@example.org", "rcpt@example.test",
            new ReceivedField("mx.example.org", "192.0.2.7", "mail.example.test", "LMTP", "q1", DateTimeOffset.UtcNow));
        _delivered = (await Store.DeliverAsync(news, [new MessageDelivery(_account, trace)], DateTimeOffset.UtcNow, CancellationToken.None))[0].Uid;
    }

    private IEnumerable<long> AllUids => [_report, _greeting, _big, _reply, _delivered];

    [Test]
    public async Task System_flags_set_and_unset()
    {
        Assert.That(await SearchAsync(MessageQuery.FlagSet(SystemFlags.Seen)), Is.EqualTo(new[] { _report }));
        Assert.That(await SearchAsync(MessageQuery.FlagUnset(SystemFlags.Seen)), Is.EqualTo(new[] { _greeting, _big, _reply, _delivered }));
        Assert.That(await SearchAsync(MessageQuery.FlagSet(SystemFlags.Deleted)), Is.EqualTo(new[] { _big }));
        Assert.That(await SearchAsync(MessageQuery.FlagSet(SystemFlags.Answered | SystemFlags.Draft)), Is.EqualTo(new[] { _reply }));
        Assert.That(await SearchAsync(MessageQuery.FlagSet(SystemFlags.Seen | SystemFlags.Draft)), Is.Empty, "all of them, not any");
        Assert.That(await SearchAsync(MessageQuery.FlagUnset(SystemFlags.Seen | SystemFlags.Deleted)), Is.EqualTo(new[] { _greeting, _reply, _delivered }));
        Assert.That(await SearchAsync(MessageQuery.FlagSet(SystemFlags.Flagged)), Is.EqualTo(new[] { _report }));
    }

    [Test]
    public async Task Keywords_set_and_unset_in_any_case()
    {
        Assert.That(await SearchAsync(MessageQuery.KeywordSet("$work")), Is.EqualTo(new[] { _report }));
        Assert.That(await SearchAsync(MessageQuery.KeywordUnset("LATER")), Is.EqualTo(new[] { _report, _greeting, _big, _delivered }));
        Assert.That(await SearchAsync(MessageQuery.KeywordSet("NeverUsed")), Is.Empty);
        Assert.That(await SearchAsync(MessageQuery.KeywordUnset("NeverUsed")), Is.EqualTo(AllUids));
    }

    [Test]
    public async Task Internal_dates_compare_by_their_UTC_day()
    {
        var nov3 = new DateOnly(2026, 11, 3);
        Assert.That(await SearchAsync(MessageQuery.Internal(DateComparison.On, nov3)), Is.EqualTo(new[] { _report, _reply }));
        Assert.That(await SearchAsync(MessageQuery.Internal(DateComparison.Before, nov3)), Is.EqualTo(new[] { _greeting, _big }));
        Assert.That(await SearchAsync(MessageQuery.Internal(DateComparison.Since, new DateOnly(2026, 11, 1))),
            Is.EqualTo(new[] { _report, _greeting, _reply, _delivered }));
        Assert.That(await SearchAsync(MessageQuery.Internal(DateComparison.On, new DateOnly(2026, 10, 15))), Is.EqualTo(new[] { _big }),
            "23:59 UTC is still that day");
    }

    [Test]
    public async Task Sent_dates_compare_by_the_day_the_Date_field_gives_and_fall_back_to_the_internal_date()
    {
        Assert.That(await SearchAsync(MessageQuery.Sent(DateComparison.On, new DateOnly(2026, 11, 2))), Is.EqualTo(new[] { _report }),
            "23:30 -0500 is the 2nd where it was written, the 3rd in UTC");
        Assert.That(await SearchAsync(MessageQuery.Sent(DateComparison.On, new DateOnly(2026, 10, 15))), Is.EqualTo(new[] { _big }),
            "no Date field: the internal date's day");
        Assert.That(await SearchAsync(MessageQuery.Sent(DateComparison.Before, new DateOnly(2026, 11, 2))), Is.EqualTo(new[] { _greeting, _big }));
        Assert.That(await SearchAsync(MessageQuery.Sent(DateComparison.Since, new DateOnly(2026, 11, 3))), Does.Contain(_reply).And.Not.Contain(_report));
    }

    [Test]
    public async Task Sizes_compare_with_RFC822_SIZE()
    {
        var sizes = (await Store.FetchAsync(_account, _mailbox, [.. AllUids], CancellationToken.None)).ToDictionary(m => m.Uid, m => m.Size);
        Assert.That(await SearchAsync(MessageQuery.Larger(5000)), Is.EqualTo(new[] { _big }));
        Assert.That(await SearchAsync(MessageQuery.Smaller(sizes[_report])), Does.Not.Contain(_report).And.Not.Contain(_big));
        Assert.That(await SearchAsync(MessageQuery.Larger(sizes[_big])), Is.Empty, "larger, not as large");
    }

    [Test]
    public async Task Header_fields_match_by_name_in_any_case_and_by_decoded_substring()
    {
        Assert.That(await SearchAsync(MessageQuery.From("ALICE@example")), Is.EqualTo(new[] { _report, _reply }));
        Assert.That(await SearchAsync(MessageQuery.From("Alice Example")), Is.EqualTo(new[] { _report }));
        Assert.That(await SearchAsync(MessageQuery.To("bob@")), Is.EqualTo(new[] { _report }));
        Assert.That(await SearchAsync(MessageQuery.Cc("carol")), Is.EqualTo(new[] { _report }));
        Assert.That(await SearchAsync(MessageQuery.Bcc("secret")), Is.EqualTo(new[] { _big }));
        Assert.That(await SearchAsync(MessageQuery.Subject("GRÜSSE")), Is.Empty, "ß is not ss");
        Assert.That(await SearchAsync(MessageQuery.Subject("grüße")), Is.EqualTo(new[] { _greeting }), "decoded, and beyond ASCII in any case");
        Assert.That(await SearchAsync(MessageQuery.Subject("report")), Is.EqualTo(new[] { _report, _reply }));
        Assert.That(await SearchAsync(MessageQuery.Header("x-custom", "")), Is.EqualTo(new[] { _greeting }), "the empty string: the field exists");
        Assert.That(await SearchAsync(MessageQuery.Header("Subject", "")), Is.EqualTo(AllUids));
        Assert.That(await SearchAsync(MessageQuery.Header("Bcc", "alice")), Is.Empty, "the field's own value, not the next line's");
        Assert.That(await SearchAsync(MessageQuery.Header("Received", "for <")), Is.EqualTo(new[] { _delivered }),
            "the trace fields of a delivered copy are header fields too");
    }

    [Test]
    public async Task Body_and_text_search_the_decoded_text_with_wildcards_taken_literally()
    {
        Assert.That(await SearchAsync(MessageQuery.Body("100% up_to")), Is.EqualTo(new[] { _report }));
        Assert.That(await SearchAsync(MessageQuery.Body("100_ up")), Is.Empty, "_ is not a wildcard");
        Assert.That(await SearchAsync(MessageQuery.Body("%")), Is.EqualTo(new[] { _report }), "% is not a wildcard");
        Assert.That(await SearchAsync(MessageQuery.Body("größe zählt")), Is.EqualTo(new[] { _greeting }), "quoted-printable ISO-8859-1, decoded");
        Assert.That(await SearchAsync(MessageQuery.Body("the plain")), Is.Empty);
        Assert.That(await SearchAsync(MessageQuery.Body("Hallo Welt")), Is.Empty,
            "of a multipart/alternative only the text/plain alternative is kept");
        Assert.That(await SearchAsync(MessageQuery.Body("thanks & regards")), Is.EqualTo(new[] { _reply }), "HTML without markup, entities decoded");
        Assert.That(await SearchAsync(MessageQuery.Body("color")), Is.Empty, "style sheets are not text");
        Assert.That(await SearchAsync(MessageQuery.Body("html")), Is.Empty, "tags are not text");
        Assert.That(await SearchAsync(MessageQuery.Body("quarterly")), Is.Empty, "BODY is not the header");
        Assert.That(await SearchAsync(MessageQuery.Text("quarterly")), Is.EqualTo(new[] { _report }));
        Assert.That(await SearchAsync(MessageQuery.Text("PLAIN NEWS")), Is.EqualTo(new[] { _delivered }));
        Assert.That(await SearchAsync(MessageQuery.Text("rcpt@example.TEST")), Is.EqualTo(new[] { _delivered }), "trace fields are header text");
    }

    [Test]
    public async Task UIDs_and_ranges_with_star_as_the_highest_UID()
    {
        Assert.That(await SearchAsync(MessageQuery.Uids(new UidRange(_greeting, _big))), Is.EqualTo(new[] { _greeting, _big }));
        Assert.That(await SearchAsync(MessageQuery.Uids(new UidRange(_big, _greeting))), Is.EqualTo(new[] { _greeting, _big }), "either order");
        Assert.That(await SearchAsync(MessageQuery.Uids(new UidRange(_reply, UidRange.Highest))), Is.EqualTo(new[] { _reply, _delivered }));
        Assert.That(await SearchAsync(MessageQuery.Uids(new UidRange(1000, UidRange.Highest))), Is.EqualTo(new[] { _delivered }),
            "1000:* includes the highest UID even below 1000");
        Assert.That(await SearchAsync(MessageQuery.Uids(new UidRange(UidRange.Highest, UidRange.Highest))), Is.EqualTo(new[] { _delivered }));
        Assert.That(await SearchAsync(MessageQuery.Uids(UidRange.Only(_report), UidRange.Only(_reply), UidRange.Only(777))),
            Is.EqualTo(new[] { _report, _reply }));
        var many = Enumerable.Range(0, 40).Select(i => UidRange.Only(1000 + i)).Append(UidRange.Only(_big)).ToArray();
        Assert.That(await SearchAsync(MessageQuery.Uids(many)), Is.EqualTo(new[] { _big }), "many ranges as arrays");
        Assert.That(await SearchAsync(MessageQuery.Uids()), Is.Empty);
    }

    [Test]
    public async Task MODSEQ_finds_what_changed_from_a_point_on()
    {
        Assert.That(await SearchAsync(MessageQuery.ModSeqAtLeast(_modSeqBeforeReply + 1)), Is.EqualTo(new[] { _reply, _delivered }));
        Assert.That(await SearchAsync(MessageQuery.ModSeqAtLeast(1)), Is.EqualTo(AllUids));
    }

    [Test]
    public async Task Keys_combine_with_and_or_and_not()
    {
        Assert.That(await SearchAsync(MessageQuery.All), Is.EqualTo(AllUids));
        Assert.That(await SearchAsync(MessageQuery.And()), Is.EqualTo(AllUids));
        Assert.That(await SearchAsync(MessageQuery.And(MessageQuery.From("alice"), MessageQuery.FlagUnset(SystemFlags.Seen))), Is.EqualTo(new[] { _reply }));
        Assert.That(await SearchAsync(MessageQuery.Or(MessageQuery.Larger(5000), MessageQuery.KeywordSet("later"))), Is.EqualTo(new[] { _big, _reply }));
        Assert.That(await SearchAsync(MessageQuery.Not(MessageQuery.Or(MessageQuery.From("alice"), MessageQuery.Body("news")))),
            Is.EqualTo(new[] { _greeting, _big }));
        Assert.That(await SearchAsync(MessageQuery.And(MessageQuery.FlagUnset(SystemFlags.Deleted),
                MessageQuery.Not(MessageQuery.Text("report")), MessageQuery.Internal(DateComparison.Since, new DateOnly(2026, 11, 1)))),
            Is.EqualTo(new[] { _greeting, _delivered }));
        Assert.That(await SearchAsync(MessageQuery.Not(MessageQuery.Body("x"))), Does.Contain(_greeting).And.Not.Contain(_big),
            "NOT of a body match is exact");
    }

    [Test]
    public void Criteria_nested_beyond_the_limit_are_refused()
    {
        var query = MessageQuery.All;
        for (var i = 0; i <= MessageQuery.MaxDepth; i++)
        {
            query = MessageQuery.Not(query);
        }

        Assert.ThrowsAsync<ArgumentException>(() => Store.SearchAsync(_account, _mailbox, query, CancellationToken.None));
    }

    [Test]
    public async Task Another_account_or_mailbox_finds_none_of_these()
    {
        var other = await NewAccountAsync("searchother");
        Assert.That(await Store.SearchAsync(other, _mailbox, MessageQuery.All, CancellationToken.None), Is.Empty);
        var trash = await MailboxAsync(_account, "Trash");
        Assert.That(await Store.SearchAsync(_account, trash.Id, MessageQuery.All, CancellationToken.None), Is.Empty);
    }

    private static DateTimeOffset At(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private async Task<IReadOnlyList<long>> SearchAsync(MessageQuery query) =>
        await Store.SearchAsync(_account, _mailbox, query, CancellationToken.None);
}
