using System.Text;
using System.Xml.Linq;
using Groupware.CalDav.Xml;
using Microsoft.AspNetCore.Http;

namespace Groupware.CalDav;

/// <summary>
/// The answer to one request, as a value: what every method handler returns, refusals included
/// (a status with the RFC 4918 §16 precondition element), written to the client in one place.
/// </summary>
internal sealed class DavResponse
{
    private DavResponse(int status, byte[]? body, string? contentType)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
    }

    public int Status { get; }

    public byte[]? Body { get; }

    public string? ContentType { get; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public const string XmlContentType = "application/xml; charset=utf-8";
    public const string CalendarContentType = "text/calendar; charset=utf-8";

    /// <summary>A status without a body.</summary>
    public static DavResponse Empty(int status) => new(status, null, null);

    /// <summary>207 Multi-Status (RFC 4918 §13) with these responses, and more root content (a sync token) after them.</summary>
    public static DavResponse Multistatus(IEnumerable<XElement> responses, params XElement[] after) =>
        Xml(StatusCodes.Status207MultiStatus, new XElement(DavNames.Multistatus, DavNames.Prefixes(), responses, after));

    public static DavResponse Xml(int status, XElement root) => new(status, DavXml.Serialize(root), XmlContentType);

    /// <summary>A refused precondition or postcondition: the status with a DAV:error naming it (RFC 4918 §16).</summary>
    public static DavResponse Precondition(int status, XName condition, params object[] content) =>
        Xml(status, new XElement(DavNames.Error, DavNames.Prefixes(), new XElement(condition, content)));

    /// <summary>A short plain-text explanation, for statuses clients show to people.</summary>
    public static DavResponse Text(int status, string text) => new(status, Encoding.UTF8.GetBytes(text + "\n"), "text/plain; charset=utf-8");

    public static DavResponse Calendar(int status, string ical) => new(status, Encoding.UTF8.GetBytes(ical), CalendarContentType);

    public DavResponse With(string header, string value)
    {
        Headers[header] = value;
        return this;
    }

    /// <summary>Writes the answer; for HEAD only the headers (with the length the body would have).</summary>
    public async Task WriteAsync(HttpContext context, bool head)
    {
        var response = context.Response;
        response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        if (Body is null)
        {
            return;
        }

        response.ContentType = ContentType;
        response.ContentLength = Body.Length;
        if (!head)
        {
            await response.Body.WriteAsync(Body, context.RequestAborted);
        }
    }
}
