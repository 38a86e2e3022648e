namespace Groupware.Tests.Imap;

/// <summary>
/// The messages both servers of the differential tests receive, in this order (so UIDs 1 to 5 in
/// each INBOX): mail as it arrives, with the structures where servers disagree — MIME trees with
/// nested parts and a message/rfc822, each transfer encoding, encoded words in two charsets,
/// address groups, an obsolete date, folded fields, and a message without MIME headers at all.
/// </summary>
internal static class DifferentialCorpus
{
    /// <summary>1: text/plain in 7bit, every envelope address field but Sender and Reply-To.</summary>
    public const string PlainText =
        "From: Alice Example <alice@example.org>\r\n" +
        "To: Bob <bob@example.test>\r\n" +
        "Cc: carol@example.net\r\n" +
        "Subject: Plain text lunch\r\n" +
        "Date: Tue, 06 Feb 2024 09:15:00 +0100\r\n" +
        "Message-ID: <plain.1@example.org>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=us-ascii\r\n" +
        "Content-Transfer-Encoding: 7bit\r\n" +
        "\r\n" +
        "Shall we have lunch on Friday?\r\n" +
        "The usual place, at noon.\r\n";

    /// <summary>
    /// 2: multipart/alternative of quoted-printable UTF-8 text and base64 HTML; an ISO-8859-1 encoded
    /// word in From, a base64 UTF-8 one in Subject, a group in To, Reply-To and In-Reply-To.
    /// </summary>
    public const string Alternative =
        "From: =?ISO-8859-1?Q?Bernd_B=E4cker?= <bernd@example.de>\r\n" +
        "To: Team: alice@example.org, Bob <bob@example.test>;\r\n" +
        "Reply-To: replies@example.de\r\n" +
        "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\n" +
        "Date: Wed, 07 Feb 2024 18:30:00 -0500\r\n" +
        "Message-ID: <alt.2@example.de>\r\n" +
        "In-Reply-To: <plain.1@example.org>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/alternative; boundary=\"alt-boundary\"\r\n" +
        "\r\n" +
        "--alt-boundary\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: quoted-printable\r\n" +
        "\r\n" +
        "Gr=C3=BC=C3=9Fe aus K=C3=B6ln! Das Treffen ist am Freitag um zw=C3=B6lf Uhr, =\r\n" +
        "bitte p=C3=BCnktlich.\r\n" +
        "--alt-boundary\r\n" +
        "Content-Type: text/html; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "\r\n" +
        "PGh0bWw+PGJvZHk+PHA+R3LDvMOfZSBhdXMgS8O2bG4hPC9wPjwvYm9keT48L2h0bWw+\r\n" +
        "--alt-boundary--\r\n";

    /// <summary>
    /// 3: multipart/mixed of 8bit UTF-8 text, a forwarded message/rfc822 (itself multipart/alternative,
    /// with a quoted-printable UTF-8 subject) and a base64 attachment holding every octet value, NUL
    /// included; Sender, Bcc, an empty group in Cc and a preamble.
    /// </summary>
    public static string Mixed { get; } =
        "From: Carol <carol@example.net>\r\n" +
        "Sender: Secretary <secretary@example.net>\r\n" +
        "To: alice@example.org\r\n" +
        "Cc: Undisclosed recipients:;\r\n" +
        "Bcc: archive@example.net\r\n" +
        "Subject: Report with attachment and forwarded note\r\n" +
        "Date: Fri, 09 Feb 2024 23:45:00 +0000\r\n" +
        "Message-ID: <mixed.3@example.net>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"mixed-boundary\"\r\n" +
        "\r\n" +
        "This is a multi-part message in MIME format.\r\n" +
        "--mixed-boundary\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 8bit\r\n" +
        "\r\n" +
        "Hier ist der Bericht. Schöne Grüße, Carol\r\n" +
        "--mixed-boundary\r\n" +
        "Content-Type: message/rfc822\r\n" +
        "Content-Description: forwarded message\r\n" +
        "\r\n" +
        "From: Dave <dave@example.com>\r\n" +
        "To: carol@example.net\r\n" +
        "Subject: =?UTF-8?Q?Weitergeleitet:_M=C3=BCnchen?=\r\n" +
        "Date: Thu, 08 Feb 2024 08:00:00 +0100\r\n" +
        "Message-ID: <inner.4@example.com>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/alternative; boundary=\"inner-boundary\"\r\n" +
        "\r\n" +
        "--inner-boundary\r\n" +
        "Content-Type: text/plain; charset=us-ascii\r\n" +
        "\r\n" +
        "The inner plain text.\r\n" +
        "--inner-boundary\r\n" +
        "Content-Type: text/html; charset=us-ascii\r\n" +
        "\r\n" +
        "<p>The inner HTML.</p>\r\n" +
        "--inner-boundary--\r\n" +
        "\r\n" +
        "--mixed-boundary\r\n" +
        "Content-Type: application/pdf; name=\"report.pdf\"\r\n" +
        "Content-Disposition: attachment; filename=\"report.pdf\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Description: Quarterly report\r\n" +
        "\r\n" +
        Convert.ToBase64String([.. Enumerable.Range(0, 600).Select(i => (byte)(i * 7))], Base64FormattingOptions.InsertLineBreaks) + "\r\n" +
        "--mixed-boundary--\r\n";

    /// <summary>4: ISO-8859-1 quoted-printable with a soft line break, an obsolete date (no weekday, GMT), quoted display names, no Message-ID.</summary>
    public const string Latin1 =
        "From: \"Eve, the tester\" <eve@example.org>\r\n" +
        "To: \"Last, First\" <first.last@example.test>, plain@example.test\r\n" +
        "Subject: Re: [list] Plain text lunch\r\n" +
        "Date: 10 Feb 2024 07:00:00 GMT\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=\"iso-8859-1\"; format=flowed\r\n" +
        "Content-Transfer-Encoding: quoted-printable\r\n" +
        "\r\n" +
        "Gr=FC=DFe, this line is soft-broken =\r\n" +
        "and continues here.\r\n";

    /// <summary>5: no MIME header fields (so text/plain us-ascii 7bit by default), a folded Subject, an X- field.</summary>
    public const string NoMime =
        "From: bob@example.test\r\n" +
        "To: alice@example.org\r\n" +
        "Subject: A rather long subject line that is folded\r\n" +
        " onto a second line\r\n" +
        "Date: Sun, 11 Feb 2024 12:00:00 +0000\r\n" +
        "X-Priority: 1\r\n" +
        "\r\n" +
        "No MIME header fields here at all.\r\n";

    public static IReadOnlyList<string> All { get; } = [PlainText, Alternative, Mixed, Latin1, NoMime];
}
