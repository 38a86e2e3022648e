using System.Globalization;
using System.Net;
using System.Text;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Storage.Accounts;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Groupware.CalDav;

/// <summary>
/// CalDAV (RFC 4791 on WebDAV, RFC 4918; discovery by RFC 6764 and RFC 5397; sync by RFC 6578)
/// on the <c>caldav</c> listeners. Every request passes here first: on a clear-text listener of a
/// secure node it is only redirected to HTTPS, and one that carries credentials there is refused
/// with 403 after they are handed to the auth module, which records them as exposed without
/// checking them (DESIGN.md, the security invariant). Everywhere else HTTP Basic (RFC 7617) is
/// the only authentication, decided by the auth module; then <see cref="MethodTable"/> dispatches.
/// </summary>
internal sealed partial class CalDavProtocol(AuthService auth, CalendarStore store, AccountStore accounts, ListenerDirectory listeners, CalDavOptions options,
    Reports.OccurrenceCache occurrences, ILogger<CalDavProtocol> logger) : HttpFrontEnd
{
    /// <summary>RFC 7617 §2: the realm, and the charset parameter that tells clients to send UTF-8.</summary>
    private const string Challenge = "Basic realm=\"groupware\", charset=\"UTF-8\"";

    public override string Name => "caldav";

    public override async Task HandleAsync(HttpContext context, ListenerContext listener)
    {
        var security = listener.SecurityOf(context);
        var response = await AnswerAsync(context, security);
        await response.WriteAsync(context, HttpMethods.IsHead(context.Request.Method));
    }

    private async Task<DavResponse> AnswerAsync(HttpContext context, ConnectionSecurity security)
    {
        var request = context.Request;
        if (!security.IsTls && !security.Node.AllowPlaintextAuth)
        {
            return await RedirectOnlyAsync(context, security);
        }

        // The target as sent, still percent-encoded: Path is decoded already, and decoding twice would misread "%2525".
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var path = DavPath.ParseHref(target.Split('?', 2)[0]);
        if (path.Kind == DavResourceKind.WellKnown)
        {
            // RFC 6764 §5: a redirect to the context path, absolute because Apple Calendar and DAVx5 want it so.
            return DavResponse.Empty(StatusCodes.Status301MovedPermanently).With("Location", $"{request.Scheme}://{request.Host}/");
        }

        if (HttpMethods.IsOptions(request.Method))
        {
            // RFC 4918 §10.1, RFC 4791 §5.1, RFC 5689 §3: answered before authentication, as clients probe with it.
            return Methods.OptionsMethod.Answer();
        }

        if (!TryReadBasic(request.Headers.Authorization.ToString(), out var credentials))
        {
            return DavResponse.Text(StatusCodes.Status401Unauthorized, "log in with your account's login and password")
                .With("WWW-Authenticate", Challenge);
        }

        var result = await auth.AuthenticateAsync(credentials!, security, context.RequestAborted);
        if (!result.Succeeded)
        {
            return result.Outcome switch
            {
                AuthOutcome.Throttled => DavResponse.Text(StatusCodes.Status429TooManyRequests, "too many failed logins from your network; try later")
                    .With("Retry-After", "60"),
                AuthOutcome.TemporaryFailure => DavResponse.Text(StatusCodes.Status503ServiceUnavailable, "the account store is unavailable; try again")
                    .With("Retry-After", "30"),
                AuthOutcome.PlaintextRefused or AuthOutcome.NotAllowedOnThisNode =>
                    DavResponse.Text(StatusCodes.Status403Forbidden, "this account may not log in without TLS here; use https"),
                _ => DavResponse.Text(StatusCodes.Status401Unauthorized, "wrong login or password").With("WWW-Authenticate", Challenge),
            };
        }

        var handler = MethodTable.Find(request.Method);
        if (handler is null)
        {
            return DavResponse.Text(StatusCodes.Status405MethodNotAllowed, $"{request.Method} is not supported")
                .With("Allow", Methods.OptionsMethod.Allow);
        }

        var davRequest = new DavRequest(context, result.Account!, path, store, accounts, options, occurrences);
        try
        {
            return await handler(davRequest);
        }
        catch (Exception e) when (Storage.DatabaseFailure.IsUnavailable(e) && !context.RequestAborted.IsCancellationRequested)
        {
            LogDatabaseUnavailable(logger, request.Method, path.Href, e.Message);
            return DavResponse.Text(StatusCodes.Status503ServiceUnavailable, "the calendar store is unavailable; try again").With("Retry-After", "30");
        }
    }

    /// <summary>
    /// A clear-text listener on a secure node: a request with credentials gets 403 (the credentials go
    /// to the auth module, which refuses them unchecked and records the exposure); any other is
    /// redirected to the same URL on the node's HTTPS caldav listener.
    /// </summary>
    private async Task<DavResponse> RedirectOnlyAsync(HttpContext context, ConnectionSecurity security)
    {
        var request = context.Request;
        if (request.Headers.Authorization.Count > 0)
        {
            // A trusted network's clear text counts as protected: nothing crossed exposed, but this listener still only redirects.
            if (TryReadBasic(request.Headers.Authorization.ToString(), out var credentials) && !auth.AcceptsPasswords(security))
            {
                await auth.AuthenticateAsync(credentials!, security, context.RequestAborted);
            }

            return DavResponse.Text(StatusCodes.Status403Forbidden,
                "credentials sent without TLS are refused, and your password must now be treated as exposed; change it, and use https");
        }

        if (listeners.TlsPortOf(Name) is not { } port)
        {
            return DavResponse.Text(StatusCodes.Status403Forbidden, "this listener serves only redirects to https, and this node has no https caldav listener");
        }

        var host = request.Host.HasValue ? request.Host.Host : context.Connection.LocalIpAddress?.ToString() ?? "localhost";
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = "[" + host + "]";
        }

        var location = string.Create(CultureInfo.InvariantCulture, $"https://{host}{(port == 443 ? "" : ":" + port)}{request.PathBase}{request.Path}{request.QueryString}");

        // 301 for GET and HEAD, which every client follows; 308 keeps the method and body of the others (RFC 9110 §15.4.2, RFC 7538).
        var status = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            ? StatusCodes.Status301MovedPermanently
            : StatusCodes.Status308PermanentRedirect;
        return DavResponse.Text(status, "use " + location).With("Location", location);
    }

    /// <summary>Reads <c>Authorization: Basic</c> (RFC 7617 §2): base64 of UTF-8 <c>login:password</c>, split at the first colon.</summary>
    internal static bool TryReadBasic(string header, out AuthRequest? credentials)
    {
        credentials = null;
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] octets;
        try
        {
            octets = Convert.FromBase64String(header[scheme.Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        var text = new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(octets);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        credentials = new AuthRequest(text[..colon], text[(colon + 1)..], "BASIC");
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CalDAV {Method} {Href}: the calendar store is unavailable: {Reason}")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string method, string href, string reason);
}

/// <summary>Registers the CalDAV front-end.</summary>
public static class CalDavServiceCollectionExtensions
{
    public static IServiceCollection AddCalDav(this IServiceCollection services)
    {
        services.TryAddSingleton(new CalDavOptions());
        services.TryAddSingleton<CalendarStore>();
        services.TryAddSingleton<ListenerDirectory>();
        services.TryAddSingleton<Reports.OccurrenceCache>();
        services.AddSingleton<HttpFrontEnd, CalDavProtocol>();
        return services;
    }
}
