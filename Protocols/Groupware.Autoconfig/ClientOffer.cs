namespace Groupware.Autoconfig;

/// <summary>The services a client is set up for.</summary>
internal enum ClientService
{
    Imap,
    Pop3,
    Submission,
    CalDav,
}

/// <summary>
/// How a server offered to a client is protected. There is no clear-text member on purpose: a document
/// cannot offer a login without TLS, whatever the configuration says (DESIGN.md, the security invariant).
/// </summary>
internal enum ServerSecurity
{
    /// <summary>TLS from the first octet (RFC 8314 §3).</summary>
    ImplicitTls,

    /// <summary>The clear port, with STARTTLS (or POP3's STLS) required before anything else (RFC 8314 §4.1, RFC 3207, RFC 2595).</summary>
    StartTls,
}

/// <summary>One server a document offers: service, host, port and protection, in the order of preference.</summary>
internal sealed record ServerOffer(ClientService Service, string Host, int Port, ServerSecurity Security);

/// <summary>
/// What every autoconfig document offers, in one place: for each mail service implicit TLS first (RFC 8314
/// §3: preferred to STARTTLS), then STARTTLS required; CalDAV over HTTPS. An account flagged legacy-device
/// is pointed at the legacy node by its configured name, with the same TLS-only settings.
/// </summary>
internal static class ClientOffers
{
    public static IReadOnlyList<ServerOffer> For(ClientSetupOptions options, bool legacyDevice)
    {
        var host = legacyDevice && options.LegacyHostName is { } legacy ? legacy : options.HostName;
        // Submission is the MTA's, wherever it runs: the same for every account.
        var submission = options.SubmissionHost;
        return
        [
            new(ClientService.Imap, host, options.ImapPort, ServerSecurity.ImplicitTls),
            new(ClientService.Imap, host, options.ImapStartTlsPort, ServerSecurity.StartTls),
            new(ClientService.Pop3, host, options.Pop3Port, ServerSecurity.ImplicitTls),
            new(ClientService.Pop3, host, options.Pop3StartTlsPort, ServerSecurity.StartTls),
            new(ClientService.Submission, submission, options.SubmissionPort, ServerSecurity.ImplicitTls),
            new(ClientService.Submission, submission, options.SubmissionStartTlsPort, ServerSecurity.StartTls),
            new(ClientService.CalDav, host, options.CalDavPort, ServerSecurity.ImplicitTls),
        ];
    }

    /// <summary>The first offer of a service: what a document with room for one server per service names.</summary>
    public static ServerOffer First(this IReadOnlyList<ServerOffer> offers, ClientService service) => offers.First(o => o.Service == service);
}
