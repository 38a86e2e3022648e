using Groupware.Sasl.Syntax;

namespace Groupware.Sasl;

/// <summary>
/// The server's answers to a request of the Dovecot authentication protocol: <c>OK</c> with the user name,
/// <c>FAIL</c> with an optional reason (which Postfix shows the SMTP client after <c>535 5.7.8</c>) and the
/// <c>temp</c> flag for a temporary failure (Postfix's <c>454 4.7.0</c>), and <c>CONT</c> with a challenge.
/// </summary>
internal static class SaslReply
{
    public static string Ok(uint id, string user) => $"OK\t{id}\tuser={TabEscape.Encode(user)}";

    public static string Fail(uint id, string? reason = null, bool temporary = false) =>
        $"FAIL\t{id}{(temporary ? "\ttemp" : "")}{(reason is null ? "" : $"\treason={TabEscape.Encode(reason)}")}";

    public static string Continue(uint id, string base64) => $"CONT\t{id}\t{base64}";
}
