using Groupware.Connections;
using Groupware.Tests.Support;

namespace Groupware.Tests.Connections;

/// <summary>
/// <see cref="SessionLimits.MaxCommandSize"/>: lines and in-memory literals of one command together
/// are bounded, so many literals of permitted size cannot add up to an unbounded command. A literal
/// that would cross the bound is refused; the rest of the command is discarded to its end.
/// </summary>
public sealed class MaxCommandSizeTests
{
    [Test]
    public async Task Literals_that_add_up_beyond_the_bound_fail_the_command_and_the_session_goes_on()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol(new SessionLimits { MaxCommandSize = 10_000 })).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();

        // Three literals of 4000 octets: the third crosses 10,000 and is discarded, as is the line after it.
        var block = new string('b', 4000);
        await client.SendAsync($"ECHO {{4000+}}\r\n{block} {{4000+}}\r\n{block} {{4000+}}\r\n{block} ECHO injected\r\nECHO after\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR literal too big"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK after"));
    }

    [Test]
    public async Task Literals_within_the_bound_reach_the_command()
    {
        await using var node = await TestNode.StartAsync(n => n
            .Protocol(new EchoProtocol(new SessionLimits { MaxCommandSize = 10_000 })).Listener("echo", "echo", "starttls"));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("echo"));
        await client.ReadLineAsync();
        var block = new string('b', 4000);
        await client.SendAsync($"ECHO {{4000+}}\r\n{block} {{4000+}}\r\n{block}\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK got 8000"));
    }
}
