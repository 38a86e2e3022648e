using Groupware.Connections;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// <see cref="SessionLimits.MaxNonSynchronizingLiteralSize"/>: with LITERAL- (RFC 7888 §5) a
/// non-synchronizing literal may not exceed 4096 octets; a larger one is read and discarded and the
/// command refused, while the same size as a synchronizing literal is fine.
/// </summary>
public sealed class NonSynchronizingLiteralTests
{
    private static Task<TestNode> StartAsync() => TestNode.StartAsync(n => n
        .Protocol(new EchoProtocol(new SessionLimits { MaxNonSynchronizingLiteralSize = 4096 })).Listener("echo", "echo", "starttls"));

    [Test]
    public async Task Up_to_4096_octets_are_taken_without_a_continuation()
    {
        await using var node = await StartAsync();
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        await client.SendAsync("ECHO {4096+}\r\n" + new string('a', 4096) + "\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK got 4096"));
    }

    [Test]
    public async Task A_larger_one_is_discarded_and_refused_and_the_session_stays_in_step()
    {
        await using var node = await StartAsync();
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        var data = string.Concat(Enumerable.Repeat("ECHO injected\r\n", 300))[..4097];
        await client.SendAsync("ECHO {4097+}\r\n" + data + "\r\nECHO after\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR literal too big"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK after"));
    }

    [Test]
    public async Task The_same_size_as_a_synchronizing_literal_is_accepted()
    {
        await using var node = await StartAsync();
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        await client.SendLineAsync("ECHO {4097}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+ go ahead"));
        await client.SendAsync(new string('a', 4097) + "\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK got 4097"));
    }
}
