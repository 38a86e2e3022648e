using System.Text;

namespace Groupware.Auth.Sasl;

/// <summary>
/// The PLAIN mechanism (RFC 4616): one client message <c>[authzid] NUL authcid NUL passwd</c>, in
/// UTF-8, sent as the initial response or after an empty challenge. An authorization identity may
/// be given only if it names the login itself; the auth module refuses any other (acting for
/// another account is not offered). Passwords are compared as sent, as Dovecot does, without the
/// SASLprep of RFC 4616 §2.
/// </summary>
internal sealed class PlainExchange : SaslExchange
{
    private bool _challenged;
    private bool _done;

    public override string Mechanism => "PLAIN";

    public override SaslStep Respond(ReadOnlySpan<byte> clientResponse)
    {
        if (_done)
        {
            return new SaslStep.Malformed("the exchange is already complete");
        }

        if (clientResponse.IsEmpty && !_challenged)
        {
            // No initial response: RFC 4616 §2 has the server send an empty challenge.
            _challenged = true;
            return new SaslStep.Challenge([]);
        }

        _done = true;
        return Parse(clientResponse);
    }

    /// <summary>
    /// Parses <c>message = [authzid] UTF8NUL authcid UTF8NUL passwd</c> (RFC 4616 §2). Octets that are
    /// not UTF-8 (a device sending ISO-8859-1) are read as U+FFFD: such a password is still a password
    /// sent, so it goes to the auth module, which never checks it but records it when it came in clear.
    /// </summary>
    internal static SaslStep Parse(ReadOnlySpan<byte> message)
    {
        var first = message.IndexOf((byte)0);
        if (first < 0)
        {
            return new SaslStep.Malformed("the message has no NUL separator");
        }

        var rest = message[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return new SaslStep.Malformed("the message has one NUL separator, not two");
        }

        var authzid = message[..first];
        var authcid = rest[..second];
        var passwd = rest[(second + 1)..];
        if (passwd.IndexOf((byte)0) >= 0)
        {
            return new SaslStep.Malformed("the message has more than two NUL separators");
        }

        if (authcid.IsEmpty)
        {
            return new SaslStep.Malformed("the authentication identity is empty");
        }

        if (passwd.IsEmpty)
        {
            return new SaslStep.Malformed("the password is empty");
        }

        return new SaslStep.Credentials(new AuthRequest(
            Encoding.UTF8.GetString(authcid),
            Encoding.UTF8.GetString(passwd),
            "PLAIN",
            authzid.IsEmpty ? null : Encoding.UTF8.GetString(authzid)));
    }
}
