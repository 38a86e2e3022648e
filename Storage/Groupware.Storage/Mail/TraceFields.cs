using System.Globalization;
using System.Text;

namespace Groupware.Storage.Mail;

/// <summary>
/// The trace fields the final delivery adds above a message (RFC 5321 §4.4): Return-Path with the
/// envelope sender, Delivered-To with the recipient as addressed (Postfix's convention, which
/// Dovecot and Sieve read), and a Received field. They are stored per copy, apart from the shared
/// blob, so one message to many recipients is still stored once.
/// </summary>
public static class TraceFields
{
    /// <summary>
    /// The three fields, CRLF-terminated, in the order Dovecot's LMTP writes them.
    /// </summary>
    /// <param name="reversePath">The envelope sender, or empty for the null reverse-path (a bounce).</param>
    /// <param name="recipient">The address the message was delivered to, as the client gave it.</param>
    /// <param name="received">Details of the Received field.</param>
    public static byte[] Build(string reversePath, string recipient, ReceivedField received)
    {
        var text = new StringBuilder(256);
        text.Append("Return-Path: <").Append(Sanitize(reversePath)).Append(">\r\n");
        text.Append("Delivered-To: ").Append(Sanitize(recipient)).Append("\r\n");
        received.AppendTo(text, recipient);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Keeps a value on one header line: no CR, LF or other control characters.</summary>
    internal static string Sanitize(string value)
    {
        if (!value.Any(char.IsControl))
        {
            return value;
        }

        return new string(value.Where(c => !char.IsControl(c)).ToArray());
    }
}

/// <summary>
/// The clauses of a Received field (RFC 5321 §4.4): <c>from</c> the client's LHLO name and address,
/// <c>by</c> this host, <c>with</c> the protocol as registered by RFC 3848 (LMTP, LMTPS) and an
/// <c>id</c> for the transaction, written at delivery time.
/// </summary>
/// <param name="HeloName">The name the client gave in LHLO; null for a local pipe (<c>groupware deliver</c>).</param>
/// <param name="ClientAddress">The client's address, e.g. <c>127.0.0.1</c> or <c>unix socket</c>.</param>
/// <param name="ByHost">This host's name.</param>
/// <param name="With">RFC 3848 protocol name: <c>LMTP</c>, <c>LMTPS</c>, or <c>local</c>.</param>
/// <param name="Id">The transaction's id, also in the node's log.</param>
/// <param name="Date">When the message was received.</param>
public sealed record ReceivedField(string? HeloName, string? ClientAddress, string ByHost, string With, string Id, DateTimeOffset Date)
{
    internal void AppendTo(StringBuilder text, string recipient)
    {
        text.Append("Received:");
        if (HeloName is not null)
        {
            text.Append(" from ").Append(Clause(HeloName));
            if (ClientAddress is not null)
            {
                text.Append(" (").Append(Comment(ClientAddress)).Append(')');
            }

            text.Append("\r\n\t");
        }

        text.Append(" by ").Append(Clause(ByHost)).Append(" (groupware) with ").Append(Clause(With))
            .Append(" id ").Append(Clause(Id)).Append("\r\n\t for <").Append(TraceFields.Sanitize(recipient)).Append(">; ")
            .Append(Date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture))
            .Append(Date.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal))
            .Append("\r\n");
    }

    /// <summary>The text of a comment: no control characters or parentheses.</summary>
    private static string Comment(string value) =>
        new(value.Where(c => !char.IsControl(c) && c is not ('(' or ')' or '\\')).Take(255).ToArray());

    /// <summary>One atom of a clause: no control characters, blanks, parentheses or angle brackets.</summary>
    private static string Clause(string value)
    {
        var clean = new string(value.Where(c => !char.IsControl(c) && c is not (' ' or '(' or ')' or '<' or '>' or ';')).Take(255).ToArray());
        return clean.Length == 0 ? "unknown" : clean;
    }
}
