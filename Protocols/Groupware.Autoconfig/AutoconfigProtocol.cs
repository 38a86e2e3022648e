using System.Text;
using Groupware.Auth;
using Groupware.Autoconfig.Documents;
using Groupware.Connections;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Groupware.Autoconfig;

/// <summary>
/// Client set-up documents on an <c>autoconfig</c> listener of their own, and on every <c>caldav</c> listener:
/// Thunderbird's autoconfig, Outlook's Autodiscover (POX and the JSON v2 endpoint) and an Apple configuration
/// profile. Every document offers only TLS (<see cref="ClientOffers"/>). An address is looked up only to tell
/// whether its account is a legacy device, which is pointed at the legacy node; an unknown address gets the
/// same answer as an ordinary account, so that no document tells which addresses exist. Nothing here takes a
/// credential; a request that carries one without TLS anyway is handed to the auth module, which records the
/// password as exposed without checking it (DESIGN.md, the security invariant), and refused with 403.
/// </summary>
internal sealed partial class AutoconfigProtocol(AuthService auth, AccountStore accounts, ClientSetupOptions options,
    ILogger<AutoconfigProtocol> logger) : HttpFrontEnd
{
    private const string XmlContentType = "text/xml; charset=utf-8";

    public override string Name => "autoconfig";

    /// <summary>Served on CalDAV listeners too: clients look for <c>/.well-known/autoconfig</c> on the domain's HTTPS host.</summary>
    public override IReadOnlyList<string> AlsoServedOn { get; } = ["caldav"];

    public override bool Claims(HttpRequest request) => Route(request.Path) is not Document.None;

    private enum Document
    {
        None,
        Thunderbird,
        AutodiscoverPox,
        AutodiscoverJson,
        AppleProfile,
    }

    public override async Task HandleAsync(HttpContext context, ListenerContext listener)
    {
        var request = context.Request;
        var security = listener.SecurityOf(context);
        if (request.Headers.Authorization.Count > 0 && !security.IsTls)
        {
            await RefuseCredentialsAsync(context, security);
            return;
        }

        var document = Route(request.Path);
        var (status, contentType, body) = document switch
        {
            Document.Thunderbird when IsRead(request) => await ThunderbirdAsync(request, context.RequestAborted),
            Document.AutodiscoverPox when HttpMethods.IsPost(request.Method) => await AutodiscoverPoxAsync(request, context.RequestAborted),
            Document.AutodiscoverJson when IsRead(request) => AutodiscoverJsonAnswer(request),
            Document.AppleProfile when IsRead(request) => await AppleProfileAsync(request, context.RequestAborted),
            Document.None => (StatusCodes.Status404NotFound, "text/plain; charset=utf-8", "not found\n"u8.ToArray()),
            _ => (StatusCodes.Status405MethodNotAllowed, "text/plain; charset=utf-8", "method not allowed\n"u8.ToArray()),
        };

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        // The answer depends on the address asked about; no shared cache should keep it.
        response.Headers.CacheControl = "no-store";
        if (status == StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers.Allow = document == Document.AutodiscoverPox ? "POST" : "GET, HEAD";
        }

        if (document == Document.AppleProfile && status == StatusCodes.Status200OK)
        {
            response.Headers.ContentDisposition = "attachment; filename=\"groupware.mobileconfig\"";
        }

        if (!HttpMethods.IsHead(request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static bool IsRead(HttpRequest request) => HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

    /// <summary>The document a path names; paths are matched without regard to case, as Outlook capitalises them.</summary>
    private static Document Route(PathString path)
    {
        var value = path.Value ?? "";
        if (value.Equals("/mail/config-v1.1.xml", StringComparison.OrdinalIgnoreCase)
            || value.Equals("/.well-known/autoconfig/mail/config-v1.1.xml", StringComparison.OrdinalIgnoreCase))
        {
            return Document.Thunderbird;
        }

        if (value.Equals("/autodiscover/autodiscover.xml", StringComparison.OrdinalIgnoreCase))
        {
            return Document.AutodiscoverPox;
        }

        if (value.Equals("/autodiscover/autodiscover.json", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("/autodiscover/autodiscover.json/", StringComparison.OrdinalIgnoreCase))
        {
            return Document.AutodiscoverJson;
        }

        return value.Equals("/mobileconfig", StringComparison.OrdinalIgnoreCase) ? Document.AppleProfile : Document.None;
    }

    private async Task<(int, string, byte[])> ThunderbirdAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // Thunderbird sends the address; without it the domain is the host's, autoconfig.DOMAIN.
        var address = EmailAddress.TryParse(request.Query["emailaddress"]);
        var domain = address?.Domain ?? DomainOfHost(request.Host.Host);
        var offers = ClientOffers.For(options, await IsLegacyDeviceAsync(address, cancellationToken));
        return (StatusCodes.Status200OK, XmlContentType, ThunderbirdConfig.Render(domain, offers));
    }

    private async Task<(int, string, byte[])> AutodiscoverPoxAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, AutodiscoverPox.MaxRequestSize, cancellationToken);
        var parsed = body is null ? null : AutodiscoverPox.Parse(body);
        var address = EmailAddress.TryParse(parsed?.EMailAddress);
        if (parsed is null || address is null)
        {
            return (StatusCodes.Status200OK, XmlContentType, AutodiscoverPox.RenderError(600, "Invalid Request"));
        }

        if (parsed.AcceptableResponseSchema is { } schema && schema != AutodiscoverPox.OutlookResponseSchema)
        {
            // The mobilesync (ActiveSync) schema and others: [MS-OXDSCLI] has the server say it does not serve them.
            return (StatusCodes.Status200OK, XmlContentType, AutodiscoverPox.RenderError(601, "Provider could not be found"));
        }

        var offers = ClientOffers.For(options, await IsLegacyDeviceAsync(address, cancellationToken));
        return (StatusCodes.Status200OK, XmlContentType, AutodiscoverPox.Render(address, offers));
    }

    private (int, string, byte[]) AutodiscoverJsonAnswer(HttpRequest request)
    {
        var protocol = request.Query["Protocol"].ToString();
        return protocol.Equals(AutodiscoverJson.AutodiscoverV1, StringComparison.OrdinalIgnoreCase)
            ? (StatusCodes.Status200OK, "application/json", AutodiscoverJson.RenderRedirect(options.HostName, options.CalDavPort))
            : (StatusCodes.Status400BadRequest, "application/json", AutodiscoverJson.RenderInvalidProtocol(protocol));
    }

    private async Task<(int, string, byte[])> AppleProfileAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (EmailAddress.TryParse(request.Query["emailaddress"]) is not { } address)
        {
            return (StatusCodes.Status400BadRequest, "text/plain; charset=utf-8", "give the address as ?emailaddress=\n"u8.ToArray());
        }

        var offers = ClientOffers.For(options, await IsLegacyDeviceAsync(address, cancellationToken));
        return (StatusCodes.Status200OK, AppleProfile.ContentType, AppleProfile.Render(address, offers));
    }

    /// <summary>
    /// Whether the address belongs to an account flagged legacy-device. Unknown addresses, and any address while the
    /// account store is unreachable, are ordinary: the secure nodes are never the wrong answer for a client that sets
    /// itself up, which can do TLS.
    /// </summary>
    private async Task<bool> IsLegacyDeviceAsync(EmailAddress? address, CancellationToken cancellationToken)
    {
        if (address is null || options.LegacyHostName is null)
        {
            return false;
        }

        try
        {
            return (await accounts.FindByAddressAsync(address.Address, cancellationToken))?.LegacyDevice == true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && DatabaseFailure.IsUnavailable(e))
        {
            LogStoreUnavailable(logger, e.Message);
            return false;
        }
    }

    /// <summary>
    /// A request with credentials on a clear-text connection: they are handed to the auth module, which refuses them
    /// unchecked and records a password as exposed, and the answer is 403 whatever it decides (nothing here logs in).
    /// </summary>
    private async Task RefuseCredentialsAsync(HttpContext context, ConnectionSecurity security)
    {
        if (BasicCredentials.TryRead(context.Request.Headers.Authorization.ToString()) is { } credentials)
        {
            _ = await auth.AuthenticateAsync(credentials, security, context.RequestAborted);
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("set-up documents take no credentials; a password sent here without TLS is exposed: change it\n",
            context.RequestAborted);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private string DomainOfHost(string host) =>
        host.StartsWith("autoconfig.", StringComparison.OrdinalIgnoreCase) ? host["autoconfig.".Length..].ToLowerInvariant()
        : host.Length > 0 && !System.Net.IPAddress.TryParse(host, out _) ? host.ToLowerInvariant()
        : options.HostName;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The account store is unreachable; client set-up answered for the secure nodes: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);
}

/// <summary>HTTP Basic (RFC 7617 §2) as a client sends it, read only to be handed to the auth module.</summary>
internal static class BasicCredentials
{
    public static AuthRequest? TryRead(string header)
    {
        const string Scheme = "Basic ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !Auth.Sasl.SaslBase64.TryDecode(header.AsSpan(Scheme.Length).Trim(), out var decoded))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(decoded);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null : new AuthRequest(text[..colon], text[(colon + 1)..], "BASIC");
    }
}

/// <summary>Registers the client set-up front-end.</summary>
public static class AutoconfigServiceCollectionExtensions
{
    /// <summary>Expects <see cref="ClientSetupOptions"/> registered (the host reads them from <c>ClientSetup</c>).</summary>
    public static IServiceCollection AddAutoconfig(this IServiceCollection services)
    {
        services.TryAddSingleton<AccountStore>();
        services.AddSingleton<HttpFrontEnd, AutoconfigProtocol>();
        return services;
    }
}
