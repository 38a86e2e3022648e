using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Groupware.Tests.Auth;

namespace Groupware.Tests.Autoconfig;

/// <summary>
/// Every client set-up document fetched with curl, over the <c>autoconfig</c> listener (clear HTTP) and the
/// <c>caldav</c> listener (HTTPS), for an ordinary account, a legacy-device account and an address nobody has,
/// and checked the way the clients read it: Thunderbird's config-v1.1 and Outlook's POX structurally (neither
/// has a published schema a client validates against), the JSON v2 answer as JSON, the Apple profile parsed as a
/// property list. No document may offer a login without TLS.
/// </summary>
public sealed class AutoconfigCurlTests
{
    private const string Password = "autoconfig pw";
    private const string Secure = "mail.example.test";
    private const string Legacy = "legacy.example.test";
    private const string Submission = "smtp.example.test";

    private static readonly XNamespace Outlook = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    private TestNode _node = null!;
    private string _ordinary = null!;
    private string _device = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("gwtest-autoconfig-").FullName;
        _node = await TestNode.StartAsync(n => n.Listener("autoconfig", "autoconfig", "none").Listener("caldav", "caldav", "implicit")
            .Set("ClientSetup:HostName", Secure).Set("ClientSetup:LegacyHostName", Legacy).Set("ClientSetup:SubmissionHostName", Submission)
            .Set("Auth:FailureDelayMilliseconds", "0"));
        _ordinary = $"{await CreateAsync("ac", legacyDevice: false)}@example.test";
        _device = $"{await CreateAsync("acdev", legacyDevice: true)}@example.test";
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> CreateAsync(string prefix, bool legacyDevice)
    {
        var login = AuthFixtures.UniqueLogin(prefix);
        await AuthFixtures.CreateAccountAsync(_node.Services, login, Password, legacyDevice);
        return login;
    }

    private string Base(string listener) =>
        listener == "caldav" ? $"https://127.0.0.1:{_node.EndPoint("caldav").Port}" : $"http://127.0.0.1:{_node.EndPoint("autoconfig").Port}";

    /// <summary>Fetches with curl: status, content type and body.</summary>
    private async Task<(int Status, string ContentType, byte[] Body)> CurlAsync(string url, string? postXml = null, params string[] extra)
    {
        var output = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        List<string> arguments = ["-sS", "-k", "--max-time", "20", "-o", output, "-w", "%{http_code} %{content_type}", .. extra];
        if (postXml is not null)
        {
            var body = output + ".request";
            await File.WriteAllTextAsync(body, postXml);
            arguments.AddRange(["-H", "Content-Type: text/xml", "--data-binary", "@" + body]);
        }

        arguments.Add(url);
        var result = await ExternalProcess.RunAsync(ExternalProcess.Require("curl"), arguments, timeout: TimeSpan.FromSeconds(60));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var parts = result.Output.Split(' ', 2);
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts.Length > 1 ? parts[1] : "",
            File.Exists(output) ? await File.ReadAllBytesAsync(output) : []);
    }

    private static string PoxRequest(string address) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
          <Request><EMailAddress>{address}</EMailAddress>
            <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
          </Request>
        </Autodiscover>
        """;

    /// <summary>Thunderbird's servers: (type, host, port, socketType), each checked for the elements the format requires.</summary>
    private static List<(string Type, string Host, int Port, string Socket)> ThunderbirdServers(byte[] body, string domain)
    {
        var root = XDocument.Parse(Encoding.UTF8.GetString(body)).Root!;
        Assert.That((root.Name.LocalName, (string?)root.Attribute("version")), Is.EqualTo(("clientConfig", "1.1")));
        var provider = root.Element("emailProvider")!;
        Assert.That((string?)provider.Attribute("id"), Is.EqualTo(domain));
        Assert.That(provider.Elements("domain").Select(d => d.Value), Does.Contain(domain));
        Assert.That(provider.Element("displayName")?.Value, Is.Not.Empty);
        var servers = provider.Elements().Where(e => e.Name.LocalName is "incomingServer" or "outgoingServer").ToList();
        foreach (var server in servers)
        {
            Assert.That(server.Elements().Select(e => e.Name.LocalName), Is.SupersetOf(new[] { "hostname", "port", "socketType", "authentication", "username" }));
            Assert.That(server.Element("username")!.Value, Is.EqualTo("%EMAILADDRESS%"));
        }

        return servers.Select(s => ((string)s.Attribute("type")!, s.Element("hostname")!.Value, int.Parse(s.Element("port")!.Value,
            System.Globalization.CultureInfo.InvariantCulture), s.Element("socketType")!.Value)).ToList();
    }

    private static void OnlyTls(IEnumerable<(string Type, string Host, int Port, string Socket)> servers)
    {
        // Thunderbird's socketType "plain" is the clear-text login this must never offer.
        Assert.That(servers.Select(s => s.Socket), Is.All.AnyOf("SSL", "STARTTLS"));
    }

    [TestCase("autoconfig", "/mail/config-v1.1.xml")]
    [TestCase("autoconfig", "/.well-known/autoconfig/mail/config-v1.1.xml")]
    [TestCase("caldav", "/.well-known/autoconfig/mail/config-v1.1.xml")]
    public async Task Thunderbird_is_offered_only_TLS_on_the_secure_nodes(string listener, string path)
    {
        var (status, contentType, body) = await CurlAsync($"{Base(listener)}{path}?emailaddress={_ordinary}");
        Assert.That((status, contentType), Is.EqualTo((200, "text/xml; charset=utf-8")));
        var servers = ThunderbirdServers(body, "example.test");
        OnlyTls(servers);
        Assert.That(servers, Is.EqualTo(new[]
        {
            ("imap", Secure, 993, "SSL"), ("imap", Secure, 143, "STARTTLS"), ("pop3", Secure, 995, "SSL"), ("pop3", Secure, 110, "STARTTLS"),
            ("smtp", Submission, 465, "SSL"), ("smtp", Submission, 587, "STARTTLS"),
        }));
    }

    [Test]
    public async Task A_legacy_device_is_pointed_at_the_legacy_node_still_with_TLS_only()
    {
        var (_, _, body) = await CurlAsync($"{Base("autoconfig")}/mail/config-v1.1.xml?emailaddress={_device}");
        var servers = ThunderbirdServers(body, "example.test");
        OnlyTls(servers);
        Assert.That(servers.Where(s => s.Type != "smtp").Select(s => s.Host), Is.All.EqualTo(Legacy));
    }

    [Test]
    public async Task An_unknown_address_gets_the_same_documents_as_an_ordinary_account()
    {
        var unknown = $"nobody-{Guid.NewGuid():N}@example.test";
        var known = await CurlAsync($"{Base("autoconfig")}/mail/config-v1.1.xml?emailaddress={_ordinary}");
        var nobody = await CurlAsync($"{Base("autoconfig")}/mail/config-v1.1.xml?emailaddress={unknown}");
        Assert.That(nobody.Body, Is.EqualTo(known.Body));

        var knownPox = await CurlAsync($"{Base("caldav")}/autodiscover/autodiscover.xml", PoxRequest(_ordinary));
        var nobodyPox = await CurlAsync($"{Base("caldav")}/autodiscover/autodiscover.xml", PoxRequest(unknown));
        Assert.That(Encoding.UTF8.GetString(nobodyPox.Body).Replace(unknown, _ordinary, StringComparison.Ordinal), Is.EqualTo(Encoding.UTF8.GetString(knownPox.Body)));

        var knownProfile = await CurlAsync($"{Base("autoconfig")}/mobileconfig?emailaddress={_ordinary}");
        var nobodyProfile = await CurlAsync($"{Base("autoconfig")}/mobileconfig?emailaddress={unknown}");
        var shape = (object p) => string.Join(",", Keys(p));
        Assert.That(shape(PropertyList.Parse(nobodyProfile.Body)), Is.EqualTo(shape(PropertyList.Parse(knownProfile.Body))));
    }

    private static IEnumerable<string> Keys(object value) => value switch
    {
        Dictionary<string, object> dict => dict.SelectMany(kv => new[] { kv.Key }.Concat(Keys(kv.Value))),
        List<object> list => list.SelectMany(Keys),
        _ => [],
    };

    [TestCase("autoconfig", false)]
    [TestCase("caldav", false)]
    [TestCase("caldav", true)]
    public async Task Outlook_POX_Autodiscover_offers_IMAP_POP3_and_SMTP_over_SSL(string listener, bool legacyDevice)
    {
        var address = legacyDevice ? _device : _ordinary;
        var (status, contentType, body) = await CurlAsync($"{Base(listener)}/Autodiscover/Autodiscover.xml", PoxRequest(address));
        Assert.That((status, contentType), Is.EqualTo((200, "text/xml; charset=utf-8")));
        var root = XDocument.Parse(Encoding.UTF8.GetString(body)).Root!;
        Assert.That(root.Name, Is.EqualTo(XName.Get("Autodiscover", "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006")));
        var account = root.Element(Outlook + "Response")!.Element(Outlook + "Account")!;
        Assert.That((account.Element(Outlook + "AccountType")?.Value, account.Element(Outlook + "Action")?.Value), Is.EqualTo(("email", "settings")));
        var protocols = account.Elements(Outlook + "Protocol").Select(p => (
            Type: p.Element(Outlook + "Type")!.Value, Server: p.Element(Outlook + "Server")!.Value, Port: p.Element(Outlook + "Port")!.Value,
            Ssl: p.Element(Outlook + "SSL")!.Value, Encryption: p.Element(Outlook + "Encryption")!.Value,
            Login: p.Element(Outlook + "LoginName")!.Value)).ToList();
        // No schema of the 2006a response is published; Exchange's reference of Protocol (POX) gives the order of its children.
        string[] documented = ["Type", "Server", "Port", "LoginName", "DomainRequired", "SPA", "SSL", "Encryption", "AuthRequired", "UsePOPAuth", "SMTPLast"];
        foreach (var protocol in account.Elements(Outlook + "Protocol"))
        {
            var names = protocol.Elements().Select(e => e.Name.LocalName).ToList();
            Assert.That(names, Is.SubsetOf(documented));
            Assert.That(names.Select(n => Array.IndexOf(documented, n)), Is.Ordered, string.Join(",", names));
        }

        var host = legacyDevice ? Legacy : Secure;
        Assert.That(protocols, Is.EqualTo(new[]
        {
            ("IMAP", host, "993", "on", "SSL", address), ("POP3", host, "995", "on", "SSL", address), ("SMTP", Submission, "465", "on", "SSL", address),
        }));
    }

    [Test]
    public async Task POX_without_an_address_or_for_ActiveSync_is_an_Autodiscover_error()
    {
        var (_, _, garbage) = await CurlAsync($"{Base("autoconfig")}/autodiscover/autodiscover.xml", "<not-autodiscover/>");
        Assert.That(XDocument.Parse(Encoding.UTF8.GetString(garbage)).Descendants().Single(e => e.Name.LocalName == "ErrorCode").Value, Is.EqualTo("600"));
        var activeSync = PoxRequest(_ordinary).Replace("outlook/responseschema/2006a", "mobilesync/responseschema/2006", StringComparison.Ordinal);
        var (_, _, body) = await CurlAsync($"{Base("autoconfig")}/autodiscover/autodiscover.xml", activeSync);
        Assert.That(XDocument.Parse(Encoding.UTF8.GetString(body)).Descendants().Single(e => e.Name.LocalName == "ErrorCode").Value, Is.EqualTo("601"));
        var dtd = """<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>""";
        var (_, _, refused) = await CurlAsync($"{Base("autoconfig")}/autodiscover/autodiscover.xml", dtd);
        Assert.That(Encoding.UTF8.GetString(refused), Does.Contain("<ErrorCode>600</ErrorCode>"), "a DTD is never processed");
    }

    [TestCase("/autodiscover/autodiscover.json?Email={0}&Protocol=AutodiscoverV1")]
    [TestCase("/autodiscover/autodiscover.json/v1.0/{0}?Protocol=AutodiscoverV1&RedirectCount=1")]
    public async Task The_JSON_endpoint_points_Outlook_at_the_POX_endpoint_over_HTTPS(string path)
    {
        var (status, contentType, body) = await CurlAsync(Base("autoconfig") + string.Format(System.Globalization.CultureInfo.InvariantCulture, path, _ordinary));
        Assert.That((status, contentType), Is.EqualTo((200, "application/json")));
        using var json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("Protocol").GetString(), Is.EqualTo("AutodiscoverV1"));
        Assert.That(json.RootElement.GetProperty("Url").GetString(), Is.EqualTo($"https://{Secure}/autodiscover/autodiscover.xml"));
    }

    [Test]
    public async Task The_JSON_endpoint_refuses_protocols_it_does_not_serve()
    {
        var (status, _, body) = await CurlAsync($"{Base("autoconfig")}/autodiscover/autodiscover.json?Email={_ordinary}&Protocol=ActiveSync");
        Assert.That(status, Is.EqualTo(400));
        using var json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("ErrorCode").GetString(), Is.EqualTo("InvalidProtocol"));
    }

    [TestCase("autoconfig", false)]
    [TestCase("caldav", true)]
    public async Task The_Apple_profile_parses_and_uses_SSL_for_mail_and_calendar(string listener, bool legacyDevice)
    {
        var address = legacyDevice ? _device : _ordinary;
        var (status, contentType, body) = await CurlAsync($"{Base(listener)}/mobileconfig?emailaddress={address}");
        Assert.That((status, contentType), Is.EqualTo((200, "application/x-apple-aspen-config")));
        var profile = (Dictionary<string, object>)PropertyList.Parse(body);
        Assert.That((profile["PayloadType"], profile["PayloadVersion"]), Is.EqualTo(("Configuration", 1L)));
        Assert.That(Guid.TryParse((string)profile["PayloadUUID"], out _), Is.True);
        var payloads = ((List<object>)profile["PayloadContent"]).Cast<Dictionary<string, object>>().ToDictionary(p => (string)p["PayloadType"]);
        Assert.That(payloads.Keys, Is.EquivalentTo(new[] { "com.apple.mail.managed", "com.apple.caldav.account" }));
        foreach (var payload in payloads.Values)
        {
            Assert.That(payload.Keys, Is.SupersetOf(new[] { "PayloadIdentifier", "PayloadUUID", "PayloadVersion", "PayloadDisplayName" }));
            Assert.That(Guid.TryParse((string)payload["PayloadUUID"], out _), Is.True);
        }

        var host = legacyDevice ? Legacy : Secure;
        var mail = payloads["com.apple.mail.managed"];
        Assert.That((mail["EmailAccountType"], mail["EmailAddress"], mail["IncomingMailServerHostName"], mail["IncomingMailServerPortNumber"],
            mail["IncomingMailServerUseSSL"], mail["IncomingMailServerUsername"]), Is.EqualTo(("EmailTypeIMAP", address, host, 993L, true, address)));
        Assert.That((mail["OutgoingMailServerHostName"], mail["OutgoingMailServerPortNumber"], mail["OutgoingMailServerUseSSL"]),
            Is.EqualTo((Submission, 465L, true)));
        var caldav = payloads["com.apple.caldav.account"];
        Assert.That((caldav["CalDAVHostName"], caldav["CalDAVPort"], caldav["CalDAVUseSSL"], caldav["CalDAVUsername"]), Is.EqualTo((host, 443L, true, address)));

        var again = await CurlAsync($"{Base(listener)}/mobileconfig?emailaddress={address}");
        Assert.That(again.Body, Is.EqualTo(body), "the same profile again, so that installing it twice replaces the account");
    }

    [Test]
    public async Task No_document_holds_a_false_SSL_setting_or_a_plain_socket()
    {
        foreach (var address in new[] { _ordinary, _device })
        {
            var documents = new[]
            {
                (await CurlAsync($"{Base("autoconfig")}/mail/config-v1.1.xml?emailaddress={address}")).Body,
                (await CurlAsync($"{Base("autoconfig")}/autodiscover/autodiscover.xml", PoxRequest(address))).Body,
                (await CurlAsync($"{Base("autoconfig")}/mobileconfig?emailaddress={address}")).Body,
            }.Select(Encoding.UTF8.GetString).ToList();
            Assert.That(documents, Has.None.Contains("<socketType>plain</socketType>"));
            Assert.That(documents, Has.None.Contains("<SSL>off</SSL>"));
            Assert.That(documents, Has.None.Contains("<Encryption>None</Encryption>"));
            Assert.That(documents, Has.None.Match(@"UseSSL</key>\s*<false"));
        }
    }

    [Test]
    public async Task Credentials_sent_in_clear_to_the_autoconfig_listener_are_refused_and_recorded_as_exposed()
    {
        var (status, _, _) = await CurlAsync($"{Base("autoconfig")}/mail/config-v1.1.xml?emailaddress={_ordinary}", null, "-u", $"{_ordinary}:{Password}");
        Assert.That(status, Is.EqualTo(403));
        var row = (await AuthFixtures.AuditRowsAsync(_node.Services, "autoconfig")).Single(r => r.Login == _ordinary);
        Assert.That((row.Exposed, row.Outcome), Is.EqualTo((true, "plaintext-refused")));
    }

    [Test]
    public async Task HEAD_answers_the_headers_of_GET_and_a_wrong_method_is_told_the_right_one()
    {
        var url = $"{Base("autoconfig")}/mail/config-v1.1.xml?emailaddress={_ordinary}";
        var head = await ExternalProcess.RunAsync(ExternalProcess.Require("curl"), ["-sS", "-I", "--max-time", "20", url]);
        Assert.That(head.Output, Does.StartWith("HTTP/1.1 200"));
        var length = (await CurlAsync(url)).Body.Length;
        Assert.That(head.Output, Does.Contain($"Content-Length: {length}").IgnoreCase.And.Contain("Cache-Control: no-store").IgnoreCase);

        var post = await ExternalProcess.RunAsync(ExternalProcess.Require("curl"),
            ["-sS", "-i", "--max-time", "20", "-X", "POST", "--data", "x", $"{Base("autoconfig")}/mobileconfig?emailaddress={_ordinary}"]);
        Assert.That(post.Output, Does.StartWith("HTTP/1.1 405").And.Contain("Allow: GET, HEAD").IgnoreCase);
    }

    [Test]
    public async Task Other_paths_and_methods_are_not_served()
    {
        Assert.That((await CurlAsync($"{Base("autoconfig")}/calendars/")).Status, Is.EqualTo(404));
        Assert.That((await CurlAsync($"{Base("autoconfig")}/autodiscover/autodiscover.xml")).Status, Is.EqualTo(405));
        Assert.That((await CurlAsync($"{Base("autoconfig")}/mobileconfig")).Status, Is.EqualTo(400));
        // The CalDAV listener still answers CalDAV: only the set-up paths are claimed.
        Assert.That((await CurlAsync($"{Base("caldav")}/.well-known/caldav")).Status, Is.EqualTo(301));
    }
}
