using System.Net;
using Groupware.Storage.Mail;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Pop3;

/// <summary>Nodes, accounts and deliveries for the POP3 tests: every message arrives over real LMTP.</summary>
internal static class Pop3Fixture
{
    public const string Password = "correct horse battery staple";

    /// <summary>A secure node: pop3 (STLS), pop3s (implicit TLS) and local LMTP.</summary>
    public static Task<TestNode> StartSecureNodeAsync(Action<TestNodeOptions>? configure = null) =>
        TestNode.StartAsync(n =>
        {
            n.Listener("pop3", "pop3", "starttls").Listener("pop3s", "pop3", "implicit").Listener("lmtp", "lmtp", "none");
            configure?.Invoke(n);
        });

    /// <summary>A legacy node: a clear-text pop3 listener (STLS still offered), pop3s and local LMTP.</summary>
    public static Task<TestNode> StartLegacyNodeAsync(Action<TestNodeOptions>? configure = null) =>
        TestNode.StartAsync(n =>
        {
            n.Set("Node:Name", "legacy1").Set("Node:AllowPlaintextAuth", "true");
            n.Listener("pop3", "pop3", "none").Listener("pop3s", "pop3", "implicit").Listener("lmtp", "lmtp", "none");
            configure?.Invoke(n);
        });

    /// <summary>Creates an account with <see cref="Password"/>; returns its login (also the local part of its address).</summary>
    public static Task<string> CreateAccountAsync(bool legacyDevice = false, string password = Password) =>
        TestAccounts.CreateAsync(password, legacyDevice);

    /// <summary>Delivers <paramref name="message"/> (CRLF lines, not yet dot-stuffed) over the node's LMTP listener.</summary>
    public static Task DeliverAsync(TestNode node, string login, string message)
    {
        var stuffed = string.Join("\r\n", message.Split("\r\n").Select(l => l.StartsWith('.') ? "." + l : l));
        var data = stuffed + (stuffed.EndsWith("\r\n", StringComparison.Ordinal) ? "" : "\r\n") + ".\r\n";
        return LmtpSender.DeliverAsync(node.EndPoint("lmtp"), $"{login}@example.test", 1, System.Text.Encoding.UTF8.GetBytes(data));
    }

    public static string Message(string subject, string body = "Hello.") =>
        $"From: sender@example.test\r\nTo: someone@example.test\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.test>\r\n\r\n{body}\r\n";

    /// <summary>A connection greeted, upgraded with STLS and logged in with USER/PASS.</summary>
    public static async Task<LineClient> LogInOverStlsAsync(TestNode node, string login, string password = Password)
    {
        var client = await LineClient.ConnectAsync(node.EndPoint("pop3"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK"));
        await client.SendLineAsync("STLS");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("+OK"));
        await client.StartTlsAsync();
        await client.SendLineAsync($"USER {login}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK"));
        await client.SendLineAsync($"PASS {password}");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("+OK Logged in."));
        return client;
    }

    /// <summary>Reads a multi-line response's lines up to (not including) the terminating ".".</summary>
    public static async Task<List<string>> ReadMultiLineAsync(LineClient client)
    {
        var lines = await client.ReadUntilAsync(l => l == ".");
        Assert.That(lines[^1], Is.EqualTo("."), "multi-line response not terminated");
        return lines[..^1];
    }

    public static IPAddress Loopback2 { get; } = IPAddress.Parse("127.0.0.2");

    /// <summary>
    /// Moves a node's fake clock on by <paramref name="by"/> once its maildrop leases wait for their next
    /// renewal, and returns when that renewal is done: time passes as it would on a real clock, renewals
    /// included.
    /// </summary>
    public static async Task AdvanceLeasesAsync(TestNode node, SessionClock clock, TimeSpan by)
    {
        var leases = node.Services.GetRequiredService<MaildropLeases>();
        await clock.WaitForTimerAsync(d => d > TimeSpan.Zero && d <= by, "the maildrop leases' renewal");
        var round = leases.NextRoundAsync();
        clock.Advance(by);
        await round.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
