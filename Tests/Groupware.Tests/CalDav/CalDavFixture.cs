using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;

namespace Groupware.Tests.CalDav;

/// <summary>
/// Nodes, accounts and a real HTTP client for the CalDAV tests: every request goes over a socket,
/// through TLS on the <c>caldav</c> listener (HTTP/2 when offered) or in clear on <c>caldavclear</c>.
/// </summary>
internal static class CalDavFixture
{
    public const string Password = "correct horse battery staple";

    public static readonly XNamespace Dav = "DAV:";
    public static readonly XNamespace Cal = "urn:ietf:params:xml:ns:caldav";
    public static readonly XNamespace CalendarServer = "http://calendarserver.org/ns/";

    /// <summary>A secure node: caldav over implicit TLS, and a clear-text caldav listener that may only redirect.</summary>
    public static Task<TestNode> StartSecureNodeAsync(Action<TestNodeOptions>? configure = null) =>
        TestNode.StartAsync(n =>
        {
            n.Listener("caldav", "caldav", "implicit").Listener("caldavclear", "caldav", "none");
            configure?.Invoke(n);
        });

    /// <summary>A legacy node: the clear-text caldav listener serves CalDAV, for the accounts the legacy policy allows.</summary>
    public static Task<TestNode> StartLegacyNodeAsync() =>
        TestNode.StartAsync(n => n.Set("Node:Name", "legacy1").Set("Node:AllowPlaintextAuth", "true")
            .Listener("caldav", "caldav", "implicit").Listener("caldavclear", "caldav", "none"));

    public static Task<string> CreateAccountAsync(bool legacyDevice = false) => TestAccounts.CreateAsync(Password, legacyDevice);

    /// <summary>The base URL of a listener: https for caldav, http for caldavclear.</summary>
    public static Uri BaseOf(TestNode node, string listener = "caldav") =>
        new($"{(listener == "caldav" ? "https" : "http")}://127.0.0.1:{node.EndPoint(listener).Port}/");

    /// <summary>A client that trusts the test certificate, never follows redirects, and asks for HTTP/2 where offered.</summary>
    public static HttpClient Client(TestNode node, string? login, string? password = Password, string listener = "caldav")
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        var client = new HttpClient(handler)
        {
            BaseAddress = BaseOf(node, listener),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (login is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login}:{password}")));
        }

        return client;
    }

    /// <summary>Sends a WebDAV request with an optional body (XML unless <paramref name="contentType"/> says otherwise).</summary>
    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, string method, string path, string? body = null,
        string? depth = null, string contentType = "application/xml; charset=utf-8", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Version = client.DefaultRequestVersion,
            VersionPolicy = client.DefaultVersionPolicy,
        };
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (depth is not null)
        {
            request.Headers.Add("Depth", depth);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request);
    }

    /// <summary>PUTs an iCalendar text.</summary>
    public static Task<HttpResponseMessage> PutCalendarAsync(this HttpClient client, string path, string ical, params (string Name, string Value)[] headers) =>
        client.SendAsync("PUT", path, ical, contentType: "text/calendar; charset=utf-8", headers: headers);

    /// <summary>The body of a 207 as XML, asserting the status.</summary>
    public static async Task<XElement> MultistatusAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(207), text);
        var root = XElement.Parse(text);
        Assert.That(root.Name, Is.EqualTo(Dav + "multistatus"));
        return root;
    }

    /// <summary>The hrefs of a multistatus's responses, in order.</summary>
    public static List<string> Hrefs(XElement multistatus) =>
        [.. multistatus.Elements(Dav + "response").Select(r => r.Element(Dav + "href")!.Value)];

    /// <summary>The value of a property in the 200 propstat of the response for <paramref name="href"/>.</summary>
    public static XElement? Property(XElement multistatus, string href, XName property) =>
        multistatus.Elements(Dav + "response").Single(r => r.Element(Dav + "href")!.Value == href)
            .Elements(Dav + "propstat").Where(p => p.Element(Dav + "status")!.Value.Contains(" 200 ", StringComparison.Ordinal))
            .Select(p => p.Element(Dav + "prop")!.Element(property)).FirstOrDefault(e => e is not null);

    /// <summary>The precondition element named in a DAV:error body.</summary>
    public static async Task<XName?> PreconditionAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : XElement.Parse(text).Elements().FirstOrDefault()?.Name;
    }

    /// <summary>An RFC 5545 object with CRLF lines from lines written one per line.</summary>
    public static string ICalendarText(string text) => string.Join("\r\n", text.Trim().Split('\n').Select(l => l.Trim())) + "\r\n";

    /// <summary>
    /// A calendar object of one <paramref name="component"/> (VEVENT, VTODO) with its UID and a DTSTAMP,
    /// then <paramref name="properties"/> (lines separated by LF; none when empty).
    /// </summary>
    public static string CalendarObject(string component, string uid, string properties) =>
        ICalendarText(string.Join('\n', new[]
        {
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//groupware tests//EN", $"BEGIN:{component}", $"UID:{uid}", "DTSTAMP:20240101T000000Z",
            properties, $"END:{component}", "END:VCALENDAR",
        }.Where(part => part.Length > 0)));
}
