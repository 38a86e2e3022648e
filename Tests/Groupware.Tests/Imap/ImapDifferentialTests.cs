namespace Groupware.Tests.Imap;

/// <summary>
/// Why answers may differ, each said once: what the RFCs leave to the server, where Dovecot 2.3 is
/// lenient or quirky, and what ours does on purpose.
/// </summary>
internal static class Differences
{
    public const string Strict = "ours answers BAD to what the grammar does not allow (RFC 9051 §9); Dovecot takes it";

    public const string Placeholders = "superior names: Dovecot keeps them as \\Noselect placeholders, ours as mailboxes; RFC 9051 §6.3.4 allows both";

    public const string ReadOnly = "ours refuses a change to a mailbox opened with EXAMINE, NO [READ-ONLY] (RFC 9051 §6.3.3, RFC 5530 §3); Dovecot ignores or performs it";

    public const string ResponseCode = "response codes are optional (RFC 5530 §3); ours names the reason where Dovecot gives none";

    public const string ExpungeOrder = "EXPUNGEs of several messages: ours in ascending order as RFC 9051 §6.4.3's example, Dovecot descending; both numberings are right";

    public const string EarlyRefusal = "a synchronizing literal: Dovecot refuses the command before asking for it, ours after reading it; RFC 9051 §7.5 allows both";

    public const string EncodedNames = "ENVELOPE display names: Dovecot sends the encoded-words as they came, ours decodes them and encodes again in UTF-8 (RFC 2047 §5; ENVELOPE fixes neither)";

    public const string DovecotBinarySize = "Dovecot's BINARY.SIZE of a message/rfc822 part is not the size of the BINARY data it sends (RFC 3516 §4.2: the decoded size)";

    public const string BinaryWhole = "BINARY[] of a whole message: Dovecot decodes the parts inside and leaves their headers; ours decodes the section's own transfer encoding, identity for a message (RFC 3516 §4.2)";

    public const string DovecotLayout = "Dovecot's maildir with LAYOUT=fs cannot rename INBOX or move a mailbox below another one";
}

/// <summary>
/// The same scripts on Debian's Dovecot 2.3 and on our node, each on a fresh account holding the
/// <see cref="DifferentialCorpus"/>: every answer compared after <see cref="ImapAnswerNormaliser"/>,
/// every difference either allowed here with its reason or a failure.
/// </summary>
public sealed class ImapDifferentialFetchTests : ImapDifferentialTest
{
    [Test]
    public Task Select() => CompareAsync([
        "SELECT INBOX",
        "EXAMINE INBOX",
        "SELECT Drafts",
        "SELECT Nonexistent",
        "FETCH 1:* (FLAGS)",
    ], [new("SELECT Nonexistent", "{tag} NO [NONEXISTENT]", "{tag} NO", Differences.ResponseCode)]);

    [Test]
    public Task Fetch() => CompareAsync([
        "SELECT INBOX",
        "FETCH 1:* (FLAGS UID)",
        "FETCH 1:* ENVELOPE",
        "FETCH 1:* BODY",
        "FETCH 1:* BODYSTRUCTURE",
        "FETCH 1:* (BODY.PEEK[HEADER.FIELDS (From To Subject)])",
        "FETCH 1:* (BODY.PEEK[HEADER.FIELDS.NOT (Return-Path Delivered-To Received)])",
        "FETCH 1:* (BODY.PEEK[TEXT])",
        "FETCH 1:* (BODY.PEEK[1])",
        "FETCH 1:* (BODY.PEEK[1.MIME])",
        "FETCH 1:* (BODY.PEEK[2.1])",
        "FETCH 1:* (BODY.PEEK[2])",
        "FETCH 1:* (BODY.PEEK[2.MIME] BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT])",
        "FETCH 1:* (BODY.PEEK[TEXT]<0.100>)",
        "FETCH 1:* (BINARY.PEEK[1] BINARY.SIZE[1])",
        "FETCH 1:* (BINARY.PEEK[2] BINARY.SIZE[2])",
        "FETCH 3 (BINARY.PEEK[3] BINARY.SIZE[3])",
        "FETCH 1:* (FLAGS)",
        "FETCH 2 BODY[1]",
        "FETCH 1:* (FLAGS)",
        "UID FETCH 2:4 (FLAGS)",
        "UID FETCH 4:* (UID)",
        "FETCH 9 FLAGS",
        "FETCH 0 FLAGS",
        "FETCH 1,3:* RFC822.HEADER",
    ], [
        Allowance.Answer("FETCH 1:* ENVELOPE", Differences.EncodedNames),
        Allowance.Answer("FETCH 1:* (BINARY.PEEK[2] BINARY.SIZE[2])", Differences.DovecotBinarySize),
    ], [
        new("FETCH 1:* BODY",
            """* 1 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 59 2))""",
            """* 2 FETCH (BODY (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 101 1)("text" "html" ("charset" "utf-8") NIL NIL "base64" 68 0) "alternative"))""",
            """* 3 FETCH (BODY (("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 44 0)("message" "rfc822" NIL NIL "forwarded message" "7bit" 458 ("Thu, 08 Feb 2024 08:00:00 +0100" "=?UTF-8?Q?Weitergeleitet:_M=C3=BCnchen?=" (("Dave" NIL "dave" "example.com")) (("Dave" NIL "dave" "example.com")) (("Dave" NIL "dave" "example.com")) ((NIL NIL "carol" "example.net")) NIL NIL NIL "<inner.4@example.com>") (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 21 0)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 22 0) "alternative") 17)("application" "pdf" ("name" "report.pdf") NIL "Quarterly report" "base64" 820) "mixed"))""",
            """* 4 FETCH (BODY ("text" "plain" ("charset" "iso-8859-1" "format" "flowed") NIL NIL "quoted-printable" 60 2))""",
            """* 5 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 36 1))""",
            "{tag} OK"),
    ]);
}

/// <summary>The differential scripts of STORE, SEARCH, COPY/MOVE/EXPUNGE, APPEND, mailboxes and errors.</summary>
public sealed class ImapDifferentialCommandTests : ImapDifferentialTest
{
    private static readonly string Appended = DifferentialCorpus.PlainText;

    [Test]
    public Task Store() => CompareAsync([
        "SELECT INBOX",
        "STORE 1 +FLAGS (\\Flagged)",
        "STORE 1:2 +FLAGS (\\Seen \\Answered)",
        "STORE 2 -FLAGS (\\Seen)",
        "STORE 3 FLAGS (\\Draft $Forwarded)",
        "STORE 3 +FLAGS.SILENT (\\Deleted)",
        "FETCH 1:* FLAGS",
        "STORE 4 FLAGS.SILENT (custom1 custom2)",
        "FETCH 4 FLAGS",
        "SELECT INBOX",
        "UID STORE 5 +FLAGS ($Junk)",
        "STORE 1 +FLAGS (\\Recent)",
        "STORE 1 +FLAGS (\\Bogus)",
        "STORE 9 +FLAGS (\\Seen)",
        "STORE 1 FLAGS ()",
        "STORE 1 +FLAGS \\Seen",
        "STORE 2 -FLAGS.SILENT (\\Answered)",
        "EXAMINE INBOX",
        "STORE 1 +FLAGS (\\Seen)",
        "FETCH 1:* FLAGS",
    ], [new("STORE 1 +FLAGS (\\Seen)", "{tag} NO [READ-ONLY]", "{tag} OK", Differences.ReadOnly)]);

    [Test]
    public Task Search() => CompareAsync([
        "SELECT INBOX",
        "STORE 1 +FLAGS (\\Seen \\Flagged)",
        "STORE 2 +FLAGS ($Forwarded \\Answered)",
        "STORE 3 +FLAGS (\\Deleted \\Draft)",
        "SEARCH ALL",
        "SEARCH 2:4",
        "SEARCH UID 3:*",
        "SEARCH FROM alice",
        "SEARCH FROM example.org",
        "SEARCH TO bob",
        "SEARCH CC carol",
        "SEARCH BCC archive",
        "SEARCH SUBJECT lunch",
        "SEARCH SUBJECT \"folded onto\"",
        "SEARCH HEADER X-Priority 1",
        "SEARCH HEADER Message-ID \"<alt.2@example.de>\"",
        "SEARCH HEADER X-Priority \"\"",
        "SEARCH BODY Friday",
        "SEARCH BODY Freitag",
        "SEARCH TEXT carol",
        "SEARCH TEXT \"inner plain\"",
        "SEARCH OR FROM alice FROM bob",
        "SEARCH NOT FROM alice",
        "SEARCH SEEN", "SEARCH UNSEEN", "SEARCH FLAGGED", "SEARCH UNFLAGGED", "SEARCH ANSWERED", "SEARCH DELETED", "SEARCH UNDELETED",
        "SEARCH DRAFT", "SEARCH UNDRAFT", "SEARCH NEW", "SEARCH OLD", "SEARCH RECENT",
        "SEARCH KEYWORD $Forwarded", "SEARCH UNKEYWORD $Forwarded", "SEARCH KEYWORD nothing",
        "SEARCH SENTSINCE 8-Feb-2024", "SEARCH SENTBEFORE 8-Feb-2024", "SEARCH SENTON 10-Feb-2024", "SEARCH SENTON 9-Feb-2024",
        "SEARCH SINCE 1-Jan-2020", "SEARCH BEFORE 1-Jan-2020",
        "SEARCH LARGER 1000", "SEARCH SMALLER 1000",
        $"SEARCH CHARSET UTF-8 SUBJECT {Literal("Grüße")}",
        $"SEARCH CHARSET UTF-8 BODY {Literal("Grüße")}",
        $"SEARCH CHARSET UTF-8 FROM {Literal("Bäcker")}",
        "SEARCH CHARSET BOGUS-CHARSET ALL",
        "SEARCH RETURN (MIN MAX COUNT ALL) FROM example",
        "SEARCH RETURN () ALL",
        "SEARCH RETURN (COUNT) NOT ALL",
        "SEARCH RETURN (MIN MAX COUNT ALL) NOT ALL",
        "UID SEARCH RETURN (MIN MAX) ALL",
        "UID SEARCH 2:3",
        "SEARCH 10",
        "SEARCH BOGUS",
        "SEARCH",
        "SEARCH (FROM alice SEEN) 1:3",
    ], [
        new("SEARCH KEYWORD nothing", null, "* FLAGS ($Forwarded \\Answered \\Deleted \\Draft \\Flagged \\Seen nothing)",
            "Dovecot makes a keyword of a word it only searched for, and announces it"),
        new("SEARCH KEYWORD nothing", null, "* OK [PERMANENTFLAGS ($Forwarded \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen nothing)]",
            "Dovecot makes a keyword of a word it only searched for, and announces it"),
        new("SEARCH CHARSET BOGUS-CHARSET ALL", "{tag} NO [BADCHARSET (US-ASCII UTF-8 ISO-8859-1)]", "{tag} NO [BADCHARSET]",
            "the list of charsets in BADCHARSET is optional (RFC 9051 §7.1)"),
    ]);

    [Test]
    public Task CopyMoveExpunge() => CompareAsync([
        "SELECT INBOX",
        "COPY 1:2 Archive",
        "COPY 3 Nonexistent",
        "MOVE 1 Trash",
        "UID MOVE 4:5 Junk",
        "UID COPY 2 Archive",
        "FETCH 1:* (UID)",
        "STATUS Archive (MESSAGES UIDNEXT UNSEEN)",
        "COPY 9 Archive",
        "STORE 1 +FLAGS.SILENT (\\Deleted)",
        "EXPUNGE",
        "SELECT Archive",
        "FETCH 1:* (UID FLAGS)",
        "STORE 1,3 +FLAGS.SILENT (\\Deleted)",
        "UID EXPUNGE 3",
        "FETCH 1:* (UID FLAGS)",
        "EXPUNGE",
        "MOVE 1 Archive",
        "CLOSE",
        "SELECT Junk",
        "STORE 1:* +FLAGS.SILENT (\\Deleted)",
        "CLOSE",
        "STATUS Junk (MESSAGES)",
    ], [new("UID MOVE 4:5 Junk", "* 3 EXPUNGE", "* 4 EXPUNGE", Differences.ExpungeOrder)]);

    [Test]
    public Task Append() => CompareAsync([
        $"APPEND Drafts (\\Draft \\Seen) \"05-Mar-2024 10:00:00 +0100\" {Literal(Appended)}",
        $"APPEND Nonexistent {Literal(Appended)}",
        $"APPEND Drafts {Literal(DifferentialCorpus.Mixed)}",
        $"APPEND Drafts (\\Recent) {Literal(Appended)}",
        $"APPEND Drafts (keyword1) \"01-Feb-2024 23:30:00 -0500\" {Literal(DifferentialCorpus.Alternative)}",
        "STATUS Drafts (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)",
        "SELECT Drafts",
        "FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE)",
        "FETCH 1 (BODY[])",
        "FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[1.MIME] RFC822.SIZE)",
        "FETCH 1:* (BODY.PEEK[]<0.100>)",
        "SEARCH SINCE 2-Feb-2024", "SEARCH ON 1-Feb-2024", "SEARCH BEFORE 2-Feb-2024", "SEARCH ON 2-Feb-2024",
        "SEARCH LARGER 1000", "SEARCH SMALLER 1000",
    ], [
        new($"APPEND Nonexistent {Literal(Appended)}", "+", null, Differences.EarlyRefusal),
        new($"APPEND Drafts (\\Recent) {Literal(Appended)}", "+", null, Differences.EarlyRefusal),
    ]);

    [Test]
    public Task Mailboxes() => CompareAsync([
        "LIST \"\" \"\"",
        "LIST \"\" \"*\"",
        "LIST \"\" \"%\"",
        "CREATE Projects",
        "CREATE Projects",
        "CREATE INBOX",
        "CREATE Projects/2024",
        "CREATE Deep",
        "CREATE Deep/Er",
        "CREATE Deep/Er/Child",
        "LIST \"\" \"Projects/%\"",
        "LIST \"\" \"*\" RETURN (CHILDREN)",
        "LIST (SUBSCRIBED) \"\" \"*\"",
        "LIST \"\" \"*\" RETURN (SPECIAL-USE)",
        "LIST (SPECIAL-USE) \"\" \"*\"",
        "LIST \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN))",
        "LIST \"\" \"*\" RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))",
        "LSUB \"\" \"*\"",
        "SUBSCRIBE Projects",
        "LSUB \"\" \"*\"",
        "UNSUBSCRIBE Projects",
        "LIST \"\" INBOX",
        "LIST \"\" inbox",
        "LIST \"\" \"%/%\"",
        "RENAME Projects Plans",
        "LIST \"\" \"*\"",
        "RENAME Nonexistent Other",
        "RENAME Plans Archive",
        "STATUS Nonexistent (MESSAGES)",
        "DELETE Plans",
        "DELETE Nonexistent",
        "DELETE INBOX",
        "DELETE Plans/2024",
        "delete Plans",
        "CREATE \"Caf&AOk-\"",
        "LIST \"\" \"Caf*\"",
        "DELETE Deep/Er",
        "list \"\" \"*\"",
        "SELECT Deep/Er",
        "RENAME INBOX Old-Inbox",
        "STATUS Old-Inbox (MESSAGES)",
        "STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)",
    ], [
        new("STATUS Nonexistent (MESSAGES)", "{tag} NO [NONEXISTENT]", "{tag} NO", Differences.ResponseCode),
        new("DELETE INBOX", "{tag} NO [CANNOT]", "{tag} NO", Differences.ResponseCode),
        new("delete Plans", "{tag} NO [NONEXISTENT]", "{tag} OK",
            "ours removes a \\Noselect name when its last inferior goes, so there is nothing left to delete; Dovecot keeps the directory (RFC 9051 §6.3.4 lets both be)"),
        new("SELECT Deep/Er", "{tag} NO [CANNOT]", "{tag} NO", Differences.ResponseCode),
        Allowance.Answer("RENAME INBOX Old-Inbox", Differences.DovecotLayout),
        Allowance.Answer("STATUS Old-Inbox (MESSAGES)", Differences.DovecotLayout),
        Allowance.Answer("STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)", "RENAME INBOX moved its messages in ours (RFC 9051 §6.3.6); " + Differences.DovecotLayout),
    ]);

    [Test]
    public Task Superior_names() => CompareAsync([
        "CREATE Deep/Er/Child",
        "CREATE Trailing/",
        "LIST \"\" \"*\"",
        "SELECT Deep",
    ], [
        Allowance.Answer("LIST \"\" \"*\"", Differences.Placeholders + "; \"Trailing/\" declares an intent to create inferiors, which ours meets with a mailbox"),
        Allowance.Answer("SELECT Deep", Differences.Placeholders),
    ]);

    [Test]
    public Task Errors() => CompareAsync([
        "BOGUS",
        "FETCH",
        "SELECT",
        "LOGIN a b",
        "FETCH 1 FLAGS",
        "NOOP",
        "SELECT INBOX",
        "FETCH 1:x FLAGS",
        "FETCH 6 FLAGS",
        "FETCH 1 (FLAGS",
        "FETCH 1 BODY[4.0]",
        "FETCH 1 BOGUS",
        "UID FETCH 99 FLAGS",
        "STORE 1 +FLAGS",
        "CHECK",
        "CLOSE",
        "CLOSE",
        "EXPUNGE",
        "UID BOGUS",
        "CAPABILITY",
        "ID NIL",
    ], [
        Allowance.Answer("FETCH 1 BODY[4.0]", Differences.Strict + ": a part number is nz-number"),
        Allowance.Answer("STORE 1 +FLAGS", Differences.Strict + ": STORE needs its flags"),
    ]);
}

/// <summary>The differential scripts of the less common forms: sections, partials, SEARCHRES, odd names.</summary>
public sealed class ImapDifferentialEdgeTests : ImapDifferentialTest
{
    [Test]
    public Task Fetch2() => CompareAsync([
        $"APPEND Archive (\\Seen) \"06-Feb-2024 09:15:00 +0100\" {Literal(DifferentialCorpus.PlainText)}",
        $"APPEND Archive () \"07-Feb-2024 18:30:00 -0500\" {Literal(DifferentialCorpus.Alternative)}",
        $"APPEND Archive \"09-Feb-2024 23:45:00 +0000\" {Literal(DifferentialCorpus.Mixed)}",
        $"APPEND Archive (\\Flagged) \"10-Feb-2024 07:00:00 +0000\" {Literal(DifferentialCorpus.Latin1)}",
        $"APPEND Archive \"11-Feb-2024 12:00:00 +0000\" {Literal(DifferentialCorpus.NoMime)}",
        "SELECT Archive",
        "FETCH 1:* (RFC822.SIZE INTERNALDATE)",
        "FETCH 1:5 FAST",
        "FETCH 1:5 ALL",
        "FETCH 2 FULL",
        "FETCH 1:* BODY.PEEK[HEADER]",
        "FETCH 1:* BODY.PEEK[1.MIME]",
        "FETCH 3 (BODY.PEEK[2.2] BODY.PEEK[2.2.MIME] BODY.PEEK[2.1.MIME] BODY.PEEK[3.MIME] BODY.PEEK[2.HEADER.FIELDS (Subject)])",
        "FETCH 3 (BODY.PEEK[3.1] BODY.PEEK[2.3] BODY.PEEK[4] BODY.PEEK[2.1.1])",
        "FETCH 1 (BODY.PEEK[TEXT]<10.20> BODY.PEEK[]<1000.50> BODY.PEEK[]<300.1000>)",
        "FETCH 1 (RFC822.TEXT)",
        "FETCH 4 (RFC822)",
        "FETCH 2 (BINARY.PEEK[1]<5.10> BINARY.SIZE[2] BINARY.PEEK[2]<0.5>)",
        "FETCH 2 (BINARY.PEEK[] BINARY.SIZE[])",
        "FETCH 3 (BINARY.SIZE[2.1] BINARY.PEEK[2.2] BINARY.SIZE[3])",
        "FETCH 1 (BINARY.PEEK[1.MIME])",
        "FETCH 1 (BODY.PEEK[HEADER.FIELDS (Nonexistent)])",
        "FETCH 1 (BODY.PEEK[HEADER.FIELDS ()])",
        "FETCH 1 (BODY.PEEK[TEXT]<0>)",
        "FETCH 1 (BODY.PEEK[TEXT]<0.0>)",
        "FETCH 3:2 UID",
        "FETCH * UID",
        "FETCH *:4 UID",
        "UID FETCH 100:* UID",
        "UID FETCH 3:1 FLAGS",
        "UID FETCH 1:* (FLAGS) ",
        "FETCH 1 BODYSTRUCTURE",
        "FETCH 1 RFC822.HEADER",
        "FETCH 5 RFC822",
        "FETCH 1:* FLAGS",
    ], [
        Allowance.Answer("FETCH 1:5 ALL", Differences.EncodedNames),
        Allowance.Answer("FETCH 2 FULL", Differences.EncodedNames),
        Allowance.Answer("FETCH 2 (BINARY.PEEK[] BINARY.SIZE[])", Differences.BinaryWhole),
        Allowance.Answer("FETCH 1 (BINARY.PEEK[1.MIME])", Differences.Strict + ": BINARY takes a part number only (RFC 3516 §6)"),
        Allowance.Answer("FETCH 1 (BODY.PEEK[TEXT]<0>)", Differences.Strict + ": a partial has an offset and a length"),
        Allowance.Answer("FETCH 1 (BODY.PEEK[TEXT]<0.0>)", Differences.Strict + ": a partial's length is nz-number"),
        Allowance.Answer("UID FETCH 1:* (FLAGS) ", Differences.Strict + ": a space before CRLF"),
    ]);

    [Test]
    public Task Search2() => CompareAsync([
        "SELECT INBOX",
        "SEARCH RETURN (SAVE) FROM alice",
        "FETCH $ UID",
        "SEARCH 1:*", "SEARCH *", "SEARCH 2,4", "SEARCH 4:2",
        "UID SEARCH UID 100:*",
        "SEARCH NOT NOT FROM alice",
        "SEARCH OR OR FROM alice FROM bob FROM carol",
        "SEARCH (OR FROM alice FROM eve) (NOT SUBJECT lunch)",
        "SEARCH BODY Köln",
        $"SEARCH CHARSET UTF-8 BODY {Literal("Köln")}",
        $"SEARCH CHARSET UTF-8 TEXT {Literal("München")}",
        "SEARCH TEXT plain.1",
        "SEARCH HEADER Content-Type multipart",
        "SEARCH HEADER Received \"\"",
        "SEARCH TO Team", "SEARCH TO alice@example.org", "SEARCH FROM \"Bernd\"", "SEARCH FROM B=E4cker",
        "SEARCH SUBJECT \"Re: [list]\"",
        "SEARCH SUBJECT GRÜSSE",
        "SEARCH LARGER 1", "SEARCH SMALLER 100000",
        "SEARCH RETURN (MIN) NOT ALL",
        "SEARCH RETURN (ALL) 1:3,5",
        "SEARCH RETURN (COUNT MIN) SEEN",
        "SEARCH RETURN (BOGUS) ALL",
        "UID SEARCH RETURN (ALL) ALL",
        "SEARCH UNDRAFT 1:2 FROM",
        "SEARCH SINCE 99-Feb-2024",
        "SEARCH SINCE \"1-Feb-2024\"",
        "SEARCH US-ASCII",
        "SEARCH CHARSET US-ASCII ALL",
        "SEARCH CHARSET ISO-8859-1 ALL",
        "SEARCH NEW UNSEEN",
        "SEARCH $",
    ], [Allowance.Answer("SEARCH SINCE 99-Feb-2024", Differences.Strict + ": date-day is at most 31")]);

    [Test]
    public Task Changes2() => CompareAsync([
        "SELECT INBOX",
        "UID COPY 99 Archive",
        "UID MOVE 99 Archive",
        "UID EXPUNGE 99",
        "STORE 1 +FLAGS (a(b)",
        "STORE 1 +FLAGS (\\Seen \\Seen)",
        "STORE 1 FLAGS.SILENT (\\Seen)",
        "STORE 1 -FLAGS (\\Seen)",
        "STORE 1:* +FLAGS.SILENT ($Label1)",
        "STORE 1 FOO (\\Seen)",
        "COPY 1:* INBOX",
        "FETCH 1:* (UID FLAGS)",
        "COPY 2 \"\"",
        "MOVE 1:2 inbox",
        "CLOSE",
        "EXAMINE INBOX",
        "EXPUNGE",
        "COPY 1 Archive",
        "UNSELECT",
        $"APPEND Archive \"bad date\" {Literal(DifferentialCorpus.NoMime)}",
        "APPEND Archive {0}\r\n",
        $"APPEND Archive (\\Deleted \\Answered \\Flagged \\Draft $MDNSent) {Literal(DifferentialCorpus.NoMime)}",
        "STATUS Archive (MESSAGES RECENT UIDNEXT UNSEEN)",
        "SELECT Archive",
        "FETCH 1:* (FLAGS RFC822.SIZE BODY.PEEK[])",
        "NAMESPACE",
        "STATUS Archive (MESSAGES BOGUS)",
        "STATUS Archive ()",
        "STATUS Archive (SIZE)",
        "EXAMINE INBOX",
        "MOVE 1 Archive",
        $"APPEND Archive (\\Seen) {Literal(DifferentialCorpus.NoMime)} ",
        "APPEND Archive ~{5}\r\nab\0cd",
        "CLOSE",
        "LOGOUT",
    ], [
        new("MOVE 1:2 inbox", "* 1 EXPUNGE", "* 2 EXPUNGE", Differences.ExpungeOrder),
        new("EXPUNGE", "{tag} NO [READ-ONLY]", "{tag} OK", Differences.ReadOnly),
        new($"APPEND Archive \"bad date\" {Literal(DifferentialCorpus.NoMime)}", "+", null, Differences.EarlyRefusal),
        new("APPEND Archive {0}\r\n", "+", null, Differences.EarlyRefusal),
        new("STATUS Archive (SIZE)", "{tag} OK", "{tag} OK [CLIENTBUG]", "Dovecot's CLIENTBUG: SIZE is not in its capability list"),
        Allowance.Answer("MOVE 1 Archive", Differences.ReadOnly),
        Allowance.Answer($"APPEND Archive (\\Seen) {Literal(DifferentialCorpus.NoMime)} ", Differences.Strict + ": a space after the literal"),
        new("APPEND Archive ~{5}\r\nab\0cd", "{tag} NO [UNKNOWN-CTE]", "{tag} OK [APPENDUID V2 5]",
            "NUL outside any MIME part: ours refuses as RFC 3516 §4.4 says, Dovecot stores 0x80 for NUL"),
    ]);

    [Test]
    public Task Mailboxes2() => CompareAsync([
        "CREATE INBOX/Child",
        "CREATE \"\"",
        "CREATE \"a//b\"",
        "CREATE /leading",
        "CREATE \"With Space\"",
        "CREATE a*b",
        "CREATE \"a%b\"",
        "CREATE Work",
        "LIST \"\" \"*\"",
        "RENAME \"With Space\" Work/Projects",
        "RENAME Work Work",
        "RENAME Work/Projects Work/Projects",
        "LIST \"\" \"W*\"",
        "LIST \"Work\" \"%\"",
        "LIST \"Work/\" \"%\"",
        "LIST \"Work/\" \"*\"",
        "LIST \"\" \"work/*\"",
        "LIST \"\" \"INBOX*\"",
        "LIST \"\" \"Inbox/%\"",
        "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"",
        "LIST (RECURSIVEMATCH) \"\" \"%\"",
        "LIST (BOGUS) \"\" \"%\"",
        "LIST \"\" \"%\" RETURN (BOGUS)",
        "LIST \"\" (\"INBOX\" \"Sent\")",
        "LIST \"\" \"*\" RETURN (SUBSCRIBED)",
        "SUBSCRIBE Nonexistent",
        "LSUB \"\" \"*\"",
        "LIST (SUBSCRIBED) \"\" \"*\" RETURN (CHILDREN SPECIAL-USE)",
        "UNSUBSCRIBE Nonexistent",
        "UNSUBSCRIBE NeverSubscribed",
        "LIST \"\" \"*\" RETURN (SPECIAL-USE)",
        "CREATE MySent (USE (\\Sent))",
        "CREATE MyJunk (USE (\\Bogus))",
        "STATUS INBOX (MESSAGES)",
        "SELECT INBOX",
        "STATUS INBOX (MESSAGES RECENT UNSEEN)",
        "DELETE INBOX/Child",
        "RENAME Work/Projects INBOX",
        "RENAME Archive Trash/Archive",
        "list \"\" \"*\"",
        "lsub \"\" \"*\"",
    ], [
        Allowance.Answer("CREATE a*b", Differences.Strict + ": a wildcard is no ATOM-CHAR"),
        new("CREATE \"a%b\"", "{tag} NO [CANNOT]", "{tag} OK", "ours refuses LIST wildcards in names (RFC 9051 §5.1: hard to LIST); Dovecot takes them"),
        Allowance.Answer("LIST \"\" \"*\"", "Dovecot made a*b and a%b, ours did not (above)"),
        Allowance.Answer("LIST \"\" \"*\" RETURN (SUBSCRIBED)", "Dovecot made a*b and a%b, ours did not (above)"),
        Allowance.Answer("LIST \"\" \"*\" RETURN (SPECIAL-USE)", "Dovecot made a*b and a%b, ours did not (above)"),
        new("SUBSCRIBE Nonexistent", "{tag} OK", "{tag} NO", "RFC 9051 §6.3.7 lets a server take or refuse a name that does not exist; ours takes it, as a client may subscribe before it creates"),
        new("LSUB \"\" \"*\"", "* LSUB (\\Noselect) \"/\" Nonexistent", null, "subscribed above in ours only"),
        new("LIST (SUBSCRIBED) \"\" \"*\" RETURN (CHILDREN SPECIAL-USE)", "* LIST (\\NonExistent \\Subscribed) \"/\" Nonexistent", null, "subscribed above in ours only"),
        new("CREATE MySent (USE (\\Sent))", "{tag} NO [USEATTR]", "{tag} OK",
            "a second \\Sent: RFC 6154 §3 lets a server refuse it as a conflict; Dovecot ignores USE altogether"),
        new("CREATE MyJunk (USE (\\Bogus))", "{tag} NO [USEATTR]", "{tag} OK", "an unknown use: ours refuses it with USEATTR (RFC 6154 §3); Dovecot ignores USE altogether"),
        new("STATUS INBOX (MESSAGES RECENT UNSEEN)", "{tag} OK", "{tag} OK [CLIENTBUG]", "Dovecot's CLIENTBUG for STATUS of the selected mailbox (RFC 9051 §6.3.11 advises against it)"),
        Allowance.Answer("RENAME Archive Trash/Archive", Differences.DovecotLayout),
        Allowance.Answer("list \"\" \"*\"", Differences.DovecotLayout + "; Dovecot made a*b, a%b, MySent and MyJunk, ours did not"),
        Allowance.Answer("lsub \"\" \"*\"", "Archive is Trash/Archive in ours after the RENAME, so its subscription names no mailbox (\\Noselect, RFC 3501 §6.3.9)"),
    ]);
}
