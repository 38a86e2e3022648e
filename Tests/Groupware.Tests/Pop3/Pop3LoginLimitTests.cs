using Groupware.Pop3;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Pop3;

/// <summary>
/// A connection must log in in time and within a few tries (<see cref="Pop3Options"/>): one that
/// never logs in, or keeps guessing, gives its slot back instead of holding it.
/// </summary>
public sealed class Pop3LoginLimitTests
{
    [Test]
    public async Task The_third_failed_login_on_one_connection_closes_it()
    {
        await using var node = await Pop3Fixture.StartSecureNodeAsync();
        await using var client = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
        await client.ReadLineAsync();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            // A different unknown login each time: the per-login delay does not slow this test down.
            await client.SendLineAsync($"USER nobody{attempt}-{Guid.NewGuid():N}");
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
            await client.SendLineAsync("PASS wrong");
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR [AUTH] Authentication failed."), $"attempt {attempt}");
        }

        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_client_that_keeps_talking_without_logging_in_is_disconnected_at_the_login_deadline()
    {
        await using var node = await Pop3Fixture.StartSecureNodeAsync(n =>
            n.ConfigureServices(s => s.AddSingleton(new Pop3Options { LoginTimeout = TimeSpan.FromSeconds(2) })));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
        await client.ReadLineAsync();

        // CAPA every half second: never idle, never logged in. Bounded: 20 rounds is 10 s.
        string? line = null;
        for (var round = 0; round < 20; round++)
        {
            await Task.Delay(500);
            await client.SendLineAsync("CAPA");
            line = await client.ReadLineAsync();
            if (line != "+OK Capability list follows")
            {
                break;
            }

            await Pop3Fixture.ReadMultiLineAsync(client);
        }

        Assert.That(line, Is.EqualTo("-ERR [SYS/TEMP] No login within 2 seconds; disconnecting."));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task After_login_the_deadline_no_longer_applies()
    {
        await using var node = await Pop3Fixture.StartSecureNodeAsync(n =>
            n.ConfigureServices(s => s.AddSingleton(new Pop3Options { LoginTimeout = TimeSpan.FromSeconds(1) })));
        var login = await Pop3Fixture.CreateAccountAsync();
        await using var client = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
        await client.ReadLineAsync();
        await client.SendLineAsync($"USER {login}");
        await client.ReadLineAsync();
        await client.SendLineAsync($"PASS {Pop3Fixture.Password}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Logged in."));

        await Task.Delay(1500);
        await client.SendLineAsync("NOOP");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
    }
}
