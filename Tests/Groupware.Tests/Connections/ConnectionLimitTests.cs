using System.Net;
using Groupware.Connections;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>The per-address and per-listener connection limits (<c>MaxConnectionsPerIp</c>, <c>MaxConnections</c>).</summary>
public sealed class ConnectionLimitTests
{
    [Test]
    public async Task The_per_address_limit_refuses_the_next_connection_with_the_protocols_busy_line_and_frees_a_place_on_close()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol())
            .Listener("echo", "echo", "starttls")
            .Set("Listeners:echo:MaxConnectionsPerIp", "3"));
        var endPoint = node.EndPoint("echo");
        var open = new List<LineClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = await LineClient.ConnectAsync(endPoint);
                open.Add(client);
                Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK echo ready"));
            }

            await using (var refused = await LineClient.ConnectAsync(endPoint))
            {
                Assert.That(await refused.ReadLineAsync(), Is.EqualTo("-ERR [SYS/TEMP] too many connections from your address"));
                Assert.That(await refused.IsClosedByServerAsync(), Is.True);
            }

            // Another loopback address is another client: it still gets in.
            await using (var other = await LineClient.ConnectAsync(endPoint, bindTo: IPAddress.Parse("127.0.0.2")))
            {
                Assert.That(await other.ReadLineAsync(), Is.EqualTo("+OK echo ready"));
            }

            await open[0].SendLineAsync("QUIT");
            Assert.That(await open[0].ReadLineAsync(), Is.EqualTo("+OK bye"));
            Assert.That(await open[0].IsClosedByServerAsync(), Is.True);

            // The place is released when the session ends; poll briefly for the server side to finish.
            string? greeting = null;
            for (var attempt = 0; attempt < 50 && greeting != "+OK echo ready"; attempt++)
            {
                await using var again = await LineClient.ConnectAsync(endPoint);
                greeting = await again.ReadLineAsync();
                if (greeting != "+OK echo ready")
                {
                    await Task.Delay(100);
                }
            }

            Assert.That(greeting, Is.EqualTo("+OK echo ready"));
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task The_listener_limit_counts_every_address()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol())
            .Listener("echo", "echo", "starttls")
            .Set("Listeners:echo:MaxConnections", "2"));
        var endPoint = node.EndPoint("echo");
        await using var first = await LineClient.ConnectAsync(endPoint, bindTo: IPAddress.Parse("127.0.0.3"));
        await using var second = await LineClient.ConnectAsync(endPoint, bindTo: IPAddress.Parse("127.0.0.4"));
        Assert.That(await first.ReadLineAsync(), Is.EqualTo("+OK echo ready"));
        Assert.That(await second.ReadLineAsync(), Is.EqualTo("+OK echo ready"));

        await using var third = await LineClient.ConnectAsync(endPoint, bindTo: IPAddress.Parse("127.0.0.5"));
        Assert.That(await third.ReadLineAsync(), Is.EqualTo("-ERR [SYS/TEMP] too many connections"));
    }

    [Test]
    public async Task On_an_implicit_TLS_listener_a_refused_connection_is_closed_before_any_handshake()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol())
            .Listener("echos", "echo", "implicit")
            .Set("Listeners:echos:MaxConnectionsPerIp", "1"));
        var endPoint = node.EndPoint("echos");
        await using var first = await LineClient.ConnectAsync(endPoint, implicitTls: true);
        Assert.That(await first.ReadLineAsync(), Is.EqualTo("+OK echo ready"));

        Assert.That(async () => await LineClient.ConnectAsync(endPoint, implicitTls: true),
            Throws.InstanceOf<IOException>().Or.InstanceOf<System.Security.Authentication.AuthenticationException>());
    }

    /// <summary>
    /// An IPv6 host holds a whole /64 (RFC 6177; throttling counts it so too): counted by address, one
    /// host could take every place of the listener from addresses of its own prefix. Addresses of the
    /// documentation prefix (RFC 3849) are only counted here, never connected to.
    /// </summary>
    [Test]
    public void IPv6_clients_are_counted_by_their_prefix()
    {
        var limiter = new ConnectionLimiter(maxConnections: 100, maxConnectionsPerAddress: 2, ipv6PrefixLength: 64);
        using var first = limiter.TryAcquire(IPAddress.Parse("2001:db8:0:1::1"), out _);
        using var second = limiter.TryAcquire(IPAddress.Parse("2001:db8:0:1::2"), out _);
        Assert.That(first, Is.Not.Null);
        Assert.That(second, Is.Not.Null);

        Assert.That(limiter.TryAcquire(IPAddress.Parse("2001:db8:0:1:ffff::3"), out var perAddress), Is.Null, "a third address of the same /64");
        Assert.That(perAddress, Is.True);

        using var elsewhere = limiter.TryAcquire(IPAddress.Parse("2001:db8:0:2::1"), out _);
        Assert.That(elsewhere, Is.Not.Null, "another /64 is another client");

        second!.Dispose();
        using var again = limiter.TryAcquire(IPAddress.Parse("2001:db8:0:1::3"), out _);
        Assert.That(again, Is.Not.Null, "a place of the prefix is free again");
    }
}
