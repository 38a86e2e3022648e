namespace Groupware.Auth.Sasl;

/// <summary>What a SASL exchange (RFC 4422) wants next, after one client response.</summary>
public abstract record SaslStep
{
    /// <summary>Send this challenge (the front-end base64-encodes it) and pass the next client response.</summary>
    public sealed record Challenge(byte[] Data) : SaslStep;

    /// <summary>The credentials are complete: hand them to <c>AuthService.AuthenticateAsync</c>.</summary>
    public sealed record Credentials(AuthRequest Request) : SaslStep;

    /// <summary>The client's response is malformed (RFC 4616 §2 syntax); the exchange fails without checking anything.</summary>
    public sealed record Malformed(string Reason) : SaslStep;
}

/// <summary>
/// One SASL exchange, sans-IO: the front-end decodes base64 and feeds each client response;
/// the mechanism answers with a challenge, the complete credentials, or a syntax failure.
/// </summary>
public abstract class SaslExchange
{
    /// <summary>The IANA name of the mechanism, upper case.</summary>
    public abstract string Mechanism { get; }

    /// <summary>Takes the next client response (the initial response first, possibly empty).</summary>
    public abstract SaslStep Respond(ReadOnlySpan<byte> clientResponse);
}
