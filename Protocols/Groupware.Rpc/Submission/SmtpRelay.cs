using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Groupware.Rpc.Submission;

/// <summary>What became of a relay attempt.</summary>
internal enum RelayOutcome
{
    Sent,

    /// <summary>The relay refused a recipient or the message (an SMTP 5xx, RFC 5321 §4.2.1).</summary>
    Refused,

    /// <summary>The relay could not be reached, did not offer TLS, or answered 4xx: try again later.</summary>
    Unavailable,
}

/// <summary>
/// Hands submitted messages to the node's relay (option Rpc:RelayHost) with MailKit's SmtpClient,
/// always over TLS: STARTTLS required (RFC 3207; <see cref="SecureSocketOptions.StartTls"/> fails
/// when the relay does not offer it) or implicit TLS (RFC 8314 §3.3). There is no clear-text path.
/// </summary>
internal sealed class SmtpRelay(RpcOptions options)
{
    public bool Configured => options.RelayHost is { Length: > 0 };

    /// <summary>Sends the message to the recipients, with the sender as the envelope's MAIL FROM.</summary>
    public async Task<(RelayOutcome Outcome, string Detail)> SendAsync(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients,
        CancellationToken cancellationToken)
    {
        using var client = new SmtpClient();
        if (options.TrustedRelayCertificate is { } trusted)
        {
            // The system's trust store, or exactly this certificate (a test's relay with a self-signed one).
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None
                || (certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString());
        }

        try
        {
            await client.ConnectAsync(options.RelayHost!, options.RelayPort,
                options.RelayTls == RelayTls.Implicit ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls, cancellationToken);
            // MailKit leaves Bcc out of what it transmits; the envelope still names every recipient.
            await client.SendAsync(message, sender, recipients, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            return (RelayOutcome.Sent, "");
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            return (RelayOutcome.Refused, $"{(int)e.StatusCode} {e.Message}");
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException or System.Net.Sockets.SocketException
            or System.Security.Authentication.AuthenticationException or NotSupportedException or SslHandshakeException)
        {
            return (RelayOutcome.Unavailable, e.Message);
        }
    }
}
