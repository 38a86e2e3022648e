using System.Xml.Linq;
using Groupware.CalDav.Xml;
using Groupware.Storage.Accounts;
using Groupware.Storage.Calendar;
using Microsoft.AspNetCore.Http;

namespace Groupware.CalDav;

/// <summary>One authenticated request on its way to a method handler: who asks, for what, and the node's stores and limits.</summary>
internal sealed class DavRequest(HttpContext http, Account account, DavPath path, CalendarStore store, AccountStore accounts, CalDavOptions options,
    Reports.OccurrenceCache occurrences)
{
    public HttpContext Http => http;

    /// <summary>The account that authenticated (RFC 5397's current user).</summary>
    public Account Account => account;

    public DavPath Path => path;

    public CalendarStore Store => store;

    /// <summary>The accounts of the installation: whose calendar another user's free-busy-query asks about.</summary>
    public AccountStore Accounts => accounts;

    public CalDavOptions Options => options;

    /// <summary>The node's remembered occurrences, for calendar-query time ranges.</summary>
    public Reports.OccurrenceCache Occurrences => occurrences;

    public CancellationToken Aborted => http.RequestAborted;

    public string Method => http.Request.Method;

    /// <summary>Whether the path is within the current user's own principal or calendar home.</summary>
    public bool IsOwn(DavPath target) => target.Login is { } login && AccountStore.LoginKey(login) == AccountStore.LoginKey(account.Login);

    /// <summary>
    /// The Depth header (RFC 4918 §10.2): 0, 1, or null for infinity (also when not understood);
    /// <paramref name="absent"/> when there is none (RFC 4918 §9.1: infinity for PROPFIND; RFC 4791 §7.8: 0 for calendar-query).
    /// </summary>
    public int? Depth(int? absent) => http.Request.Headers["Depth"].ToString().Trim().ToLowerInvariant() switch
    {
        "" => absent,
        "0" => 0,
        "1" => 1,
        _ => null,
    };

    /// <summary>
    /// Reads the body, at most <paramref name="limit"/> octets; null when it is larger (the rest is not
    /// read: the connection is closed after the answer, as Kestrel does for an unread body).
    /// </summary>
    public async Task<byte[]?> ReadBodyAsync(int limit)
    {
        if (http.Request.ContentLength is { } declared && declared > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, Aborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Reads an XML body: the document, or null for an empty body; an answer instead when it is too
    /// large (413) or not well-formed (400).
    /// </summary>
    public async Task<(XDocument? Document, DavResponse? Refusal)> ReadXmlAsync()
    {
        var body = await ReadBodyAsync(options.MaxXmlBodySize);
        if (body is null)
        {
            return (null, DavResponse.Text(StatusCodes.Status413PayloadTooLarge, $"the XML body is larger than {options.MaxXmlBodySize} octets"));
        }

        if (body.Length == 0)
        {
            return (null, null);
        }

        var document = DavXml.Parse(body, out var error);
        return document is null ? (null, DavResponse.Text(StatusCodes.Status400BadRequest, "the body is not well-formed XML: " + error)) : (document, null);
    }

    /// <summary>The write condition of If-Match and If-None-Match (RFC 9110 §13.1.1, §13.1.2).</summary>
    public WriteCondition Condition()
    {
        var headers = http.Request.Headers;
        var ifMatch = headers.IfMatch.Count > 0
            ? headers.IfMatch.SelectMany(v => (v ?? "").Split(',')).Select(t => t.Trim()).Where(t => t.Length > 0).ToList()
            : null;
        var noneMatchAny = headers.IfNoneMatch.Any(v => (v ?? "").Trim() == "*");
        return new WriteCondition(ifMatch, noneMatchAny);
    }
}
