using System.Net;
using Groupware.Tests.Support;

namespace Groupware.Tests.Admin;

/// <summary>
/// <c>/metrics</c> on the admin listener: the node's instruments in the Prometheus text format
/// (checked with prometheus_client's parser), only this node's, with the database pool and
/// <c>node_plaintext_allowed</c>.
/// </summary>
public sealed class MetricsEndpointTests
{
    [Test]
    public async Task Connections_are_counted_by_listener_and_TLS_state_and_the_node_says_it_is_secure()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol())
            .Listener("echos", "echo", "implicit").Listener("echo", "echo", "starttls"));

        await EchoAsync(node.EndPoint("echo"), startTls: true);
        await EchoAsync(node.EndPoint("echo"), startTls: false);
        await EchoAsync(node.EndPoint("echos"), implicitTls: true);

        var (response, text) = await ScrapeAsync(node);
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/plain; version=0.0.4; charset=utf-8"));
        var families = await PrometheusParser.ParseAsync(text);
        Assert.That(families.Value("groupware_connections_opened_total", ("listener", "echo"), ("tls", "clear")), Is.EqualTo(2), text);
        Assert.That(families.Value("groupware_connections_opened_total", ("listener", "echos"), ("tls", "tls")), Is.EqualTo(1), text);
        Assert.That(families.Value("groupware_starttls_upgrades_total", ("listener", "echo")), Is.EqualTo(1), text);
        Assert.That(families.Value("node_plaintext_allowed"), Is.Zero, text);
        Assert.That(families.Single(f => f.Name == "groupware_connections_opened").Type, Is.EqualTo("counter"));
        Assert.That(families.Single(f => f.Name == "groupware_connections_open").Type, Is.EqualTo("gauge"));
        Assert.That(families.Select(f => f.Name), Is.SupersetOf(new[]
        {
            "groupware_connections_refused", "groupware_logins", "groupware_plaintext_credentials_refused",
            "groupware_deliveries", "groupware_errors",
        }), "every instrument is announced, counted or not");
    }

    [Test]
    public async Task The_database_pool_of_this_node_is_exported()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        var (_, text) = await ScrapeAsync(node);
        var families = await PrometheusParser.ParseAsync(text);
        var pool = families.SelectMany(f => f.Samples).Where(s => s.Name.StartsWith("db_client_connection", StringComparison.Ordinal)).ToList();
        Assert.That(pool.Where(s => s.Name == "db_client_connection_max").Select(s => s.Value), Is.EqualTo(new[] { 100.0 }),
            "one pool, Npgsql's default Max Pool Size\n" + text);
        Assert.That(pool.Where(s => s.Name == "db_client_connection_count").Select(s => s.Labels["db_client_connection_state"]),
            Is.SupersetOf(new[] { "idle", "used" }), text);
        Assert.That(pool.SelectMany(s => s.Labels.Keys), Has.None.Contains("pool_name"), "the pool's name is internal");
    }

    [Test]
    public async Task A_legacy_node_says_so_and_two_nodes_in_one_process_keep_their_counts_apart()
    {
        await using var secure = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        await using var legacy = await TestNode.StartAsync(n => n.Set("Node:Name", "print1").Set("Node:AllowPlaintextAuth", "true")
            .Protocol(new EchoProtocol()).Listener("printers", "echo", "none"));
        await EchoAsync(legacy.EndPoint("printers"), startTls: false);
        await EchoAsync(secure.EndPoint("echo"), startTls: false);
        await EchoAsync(secure.EndPoint("echo"), startTls: false);

        var legacyFamilies = await PrometheusParser.ParseAsync((await ScrapeAsync(legacy)).Text);
        var secureFamilies = await PrometheusParser.ParseAsync((await ScrapeAsync(secure)).Text);

        Assert.That(legacyFamilies.Value("node_plaintext_allowed"), Is.EqualTo(1));
        Assert.That(secureFamilies.Value("node_plaintext_allowed"), Is.Zero);
        Assert.That(legacyFamilies.Value("groupware_connections_opened_total", ("listener", "printers"), ("tls", "clear")), Is.EqualTo(1));
        Assert.That(legacyFamilies.Value("groupware_connections_opened_total", ("listener", "echo"), ("tls", "clear")), Is.Null);
        Assert.That(secureFamilies.Value("groupware_connections_opened_total", ("listener", "echo"), ("tls", "clear")), Is.EqualTo(2));
        Assert.That(secureFamilies.Value("groupware_connections_opened_total", ("listener", "printers"), ("tls", "clear")), Is.Null);
        Assert.That(legacyFamilies.Where(f => f.Name == "db_client_connection_max").SelectMany(f => f.Samples).Count(), Is.EqualTo(1),
            "only the node's own pool");
    }

    [Test]
    public async Task Only_the_admin_paths_are_served_and_only_to_GET_and_HEAD()
    {
        await using var node = await TestNode.StartAsync(n => n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{node.AdminEndPoint}"), Timeout = TimeSpan.FromSeconds(15) };
        Assert.That((await http.GetAsync(new Uri("/", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await http.PostAsync(new Uri("/metrics", UriKind.Relative), null)).StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        using var head = new HttpRequestMessage(HttpMethod.Head, new Uri("/health/live", UriKind.Relative));
        Assert.That((await http.SendAsync(head)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    internal static async Task<(HttpResponseMessage Response, string Text)> ScrapeAsync(TestNode node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var response = await http.GetAsync(new Uri($"http://{node.AdminEndPoint}/metrics"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static async Task EchoAsync(IPEndPoint endPoint, bool startTls = false, bool implicitTls = false)
    {
        await using var client = await LineClient.ConnectAsync(endPoint, implicitTls);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK"));
        if (startTls)
        {
            await client.SendLineAsync("STLS");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK"));
            await client.StartTlsAsync();
        }

        await client.SendLineAsync("QUIT");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK bye"));
    }
}
