namespace Groupware.Imap;

/// <summary>
/// The CAPABILITY list (RFC 9051 §7.2.2), which says only what the session would accept now.
/// Before TLS on a secure node that is STARTTLS and LOGINDISABLED and no AUTH= mechanism (RFC 9051
/// §6.2.3, §11.1; DESIGN.md), so a client that follows it never sends a password in clear; after
/// TLS (or on a legacy node) AUTH=PLAIN and AUTH=LOGIN with SASL-IR. After login, the extensions.
/// </summary>
internal static class ImapCapabilities
{
    /// <summary>What every state offers: both revisions (a client that does not ENABLE IMAP4rev2 gets rev1), and the pre-login extensions.</summary>
    private const string Base = "IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE IDLE SASL-IR";

    /// <summary>
    /// The extensions of the Authenticated and Selected states (RFC 9051 and the extensions clients rely on):
    /// NAMESPACE (RFC 2342), UNSELECT (RFC 3691), UIDPLUS (RFC 4315), MOVE (RFC 6851), CHILDREN (RFC 3348),
    /// LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE and CREATE-SPECIAL-USE (RFC 6154),
    /// ESEARCH (RFC 4731), SEARCHRES (RFC 5182), BINARY (RFC 3516), UTF8=ACCEPT (RFC 6855), CONDSTORE
    /// and QRESYNC (RFC 7162), QUOTA with the STORAGE and MESSAGE resources (RFC 9208), STATUS=SIZE
    /// (RFC 8438), MULTIAPPEND (RFC 3502), COMPRESS=DEFLATE (RFC 4978, after login only), SORT and
    /// THREAD (RFC 5256) with SORT=DISPLAY (RFC 5957) and ESORT (RFC 5267 §3), PREVIEW (RFC 8970), SAVEDATE (RFC 8514), OBJECTID
    /// (RFC 8474), WITHIN (RFC 5032), REPLACE (RFC 8508), METADATA (RFC 5464, server and mailbox annotations), UNAUTHENTICATE (RFC 8437) unless COMPRESS is on; and APPENDLIMIT=n
    /// (RFC 7889), one limit for every mailbox.
    /// </summary>
    private const string LoggedIn =
        "NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE ESEARCH SEARCHRES BINARY UTF8=ACCEPT"
        + " CONDSTORE QRESYNC QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE STATUS=SIZE MULTIAPPEND COMPRESS=DEFLATE"
        + " SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES ESORT PREVIEW SAVEDATE OBJECTID WITHIN REPLACE METADATA";

    public static string For(ImapSession session)
    {
        if (session.State != ImapState.NotAuthenticated)
        {
            // UNAUTHENTICATE (RFC 8437) is refused while COMPRESS is on, and so not offered then.
            return $"{Base} {LoggedIn}{(session.Compressed ? "" : " UNAUTHENTICATE")} APPENDLIMIT={session.Options.MaxMessageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        var capabilities = Base;
        if (session.CanStartTls)
        {
            capabilities += " STARTTLS";
        }

        if (!session.Auth.AcceptsPasswords(session.Security))
        {
            return capabilities + " LOGINDISABLED";
        }

        foreach (var mechanism in session.Auth.SaslMechanisms(session.Security))
        {
            capabilities += " AUTH=" + mechanism;
        }

        return capabilities;
    }
}
