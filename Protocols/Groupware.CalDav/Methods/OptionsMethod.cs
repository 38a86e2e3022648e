using Microsoft.AspNetCore.Http;

namespace Groupware.CalDav.Methods;

/// <summary>
/// OPTIONS (RFC 4918 §10.1 and §18): the compliance classes in the DAV header — 1 and 3 (RFC 4918;
/// no 2, as there are no locks), calendar-access (RFC 4791 §5.1) and extended-mkcol (RFC 5689 §3).
/// </summary>
internal static class OptionsMethod
{
    public const string Allow = "OPTIONS, GET, HEAD, PUT, DELETE, COPY, MOVE, PROPFIND, PROPPATCH, MKCALENDAR, MKCOL, REPORT";

    public const string ComplianceClasses = "1, 3, calendar-access, extended-mkcol";

    public static DavResponse Answer() => DavResponse.Empty(StatusCodes.Status200OK)
        .With("DAV", ComplianceClasses)
        .With("Allow", Allow)
        .With("Content-Length", "0");
}
