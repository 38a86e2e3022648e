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

    /// <summary>On a fake clock: CAPA every 50 s keeps the connection busy, never idle, never logged in.</summary>
    [Test]
    public async Task A_client_that_keeps_talking_without_logging_in_is_disconnected_at_the_login_deadline()
    {
        var clock = new SessionClock();
        await using var node = await Pop3Fixture.StartSecureNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        await using var client = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
        await client.ReadLineAsync();

        // Dovecot's 180 s: the read deadline shrinks by what each round used.
        for (var used = 0; used < 150; used += 50)
        {
            await clock.WaitForTimerAsync(TimeSpan.FromSeconds(180 - used));
            clock.Advance(TimeSpan.FromSeconds(50));
            await client.SendLineAsync("CAPA");
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Capability list follows"));
            await Pop3Fixture.ReadMultiLineAsync(client);
        }

        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(30));
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("-ERR [SYS/TEMP] No login within 180 seconds; disconnecting."));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task After_login_the_deadline_no_longer_applies()
    {
        var clock = new SessionClock();
        await using var node = await Pop3Fixture.StartSecureNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        var login = await Pop3Fixture.CreateAccountAsync();
        await using var client = await LineClient.ConnectAsync(node.EndPoint("pop3s"), implicitTls: true);
        await client.ReadLineAsync();
        await client.SendLineAsync($"USER {login}");
        await client.ReadLineAsync();
        await client.SendLineAsync($"PASS {Pop3Fixture.Password}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Logged in."));

        // The autologout of RFC 1939 §3 (10 minutes) replaces the login deadline. Nine minutes pass in
        // steps of the lease's renewal, each renewal done before the next step, as on a real clock.
        await clock.WaitForTimerAsync(TimeSpan.FromMinutes(10));
        for (var step = 0; step < 18; step++)
        {
            await Pop3Fixture.AdvanceLeasesAsync(node, clock, TimeSpan.FromSeconds(30));
        }

        await client.SendLineAsync("NOOP");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
    }
}
