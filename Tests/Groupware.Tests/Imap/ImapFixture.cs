using System.Net;

namespace Groupware.Tests.Imap;

/// <summary>Nodes, accounts and sessions for the IMAP tests: mail arrives over real LMTP, sessions over real TLS.</summary>
internal static class ImapFixture
{
    public const string Password = "correct horse battery staple";

    /// <summary>A secure node: imap (STARTTLS), imaps (implicit TLS) and local LMTP.</summary>
    public static Task<TestNode> StartSecureNodeAsync(Action<TestNodeOptions>? configure = null) =>
        TestNode.StartAsync(n =>
        {
            n.Listener("imap", "imap", "starttls").Listener("imaps", "imap", "implicit").Listener("lmtp", "lmtp", "none");
            configure?.Invoke(n);
        });

    /// <summary>A legacy node: a clear-text imap listener (STARTTLS still offered), imaps and local LMTP.</summary>
    public static Task<TestNode> StartLegacyNodeAsync(Action<TestNodeOptions>? configure = null) =>
        TestNode.StartAsync(n =>
        {
            n.Set("Node:Name", "legacy1").Set("Node:AllowPlaintextAuth", "true");
            n.Listener("imap", "imap", "none").Listener("imaps", "imap", "implicit").Listener("lmtp", "lmtp", "none");
            configure?.Invoke(n);
        });

    public static Task<string> CreateAccountAsync(bool legacyDevice = false) => TestAccounts.CreateAsync(Password, legacyDevice);

    /// <summary>Delivers <paramref name="message"/> (CRLF lines) over the node's LMTP listener.</summary>
    public static Task DeliverAsync(TestNode node, string login, string message)
    {
        var stuffed = string.Join("\r\n", message.Split("\r\n").Select(l => l.StartsWith('.') ? "." + l : l));
        var data = stuffed + (stuffed.EndsWith("\r\n", StringComparison.Ordinal) ? "" : "\r\n") + ".\r\n";
        return LmtpSender.DeliverAsync(node.EndPoint("lmtp"), $"{login}@example.test", 1, System.Text.Encoding.UTF8.GetBytes(data));
    }

    public static string Message(string subject, string body = "Hello.") =>
        $"From: Sender <sender@example.test>\r\nTo: someone@example.test\r\nSubject: {subject}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@example.test>\r\n\r\n{body}\r\n";

    /// <summary>A session over implicit TLS, greeted and logged in with LOGIN (tag <c>L</c>).</summary>
    public static async Task<LineClient> LogInAsync(TestNode node, string login, string listener = "imaps")
    {
        var client = await LineClient.ConnectAsync(node.EndPoint(listener), implicitTls: true);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("* OK "));
        await client.SendLineAsync($"L LOGIN {login} \"{Password}\"");
        var lines = await client.ReadUntilAsync(l => l.StartsWith("L ", StringComparison.Ordinal));
        Assert.That(lines[^1], Does.StartWith("L OK "), string.Join("\n", lines));
        return client;
    }

    /// <summary>Sends one tagged command and reads every line up to and including its tagged completion.</summary>
    /// <summary>MailKit's ImapClient connected to the node (implicit TLS on imaps, or STARTTLS on imap) and logged in as <paramref name="login"/>.</summary>
    public static async Task<MailKit.Net.Imap.ImapClient> MailKitAsync(TestNode node, string login, bool startTls = false)
    {
        var client = new MailKit.Net.Imap.ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 15000 };
        var endPoint = node.EndPoint(startTls ? "imap" : "imaps");
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port,
            startTls ? MailKit.Security.SecureSocketOptions.StartTls : MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(login, Password);
        return client;
    }

    public static async Task<List<string>> CommandAsync(LineClient client, string tag, string command)
    {
        await client.SendLineAsync($"{tag} {command}");
        return await client.ReadUntilAsync(l => l.StartsWith(tag + " ", StringComparison.Ordinal));
    }

    /// <summary>
    /// APPENDs <paramref name="message"/> (CRLF lines) with <paramref name="flags"/> and, when given,
    /// <paramref name="internalDate"/> (a date-time, RFC 9051 §9) through a LITERAL+ literal (RFC 7888)
    /// and returns the tagged answer.
    /// </summary>
    public static async Task<string> AppendAsync(LineClient client, string mailbox, string flags, string message, string? internalDate = null)
    {
        var octets = System.Text.Encoding.UTF8.GetBytes(message);
        var date = internalDate is null ? "" : $" \"{internalDate}\"";
        await client.SendAsync($"ap APPEND {mailbox} ({flags}){date} {{{octets.Length}+}}\r\n");
        await client.SendAsync(octets);
        await client.SendAsync("\r\n");
        var lines = await client.ReadUntilAsync(l => l.StartsWith("ap ", StringComparison.Ordinal));
        Assert.That(lines[^1], Does.StartWith("ap OK [APPENDUID "), string.Join("\n", lines));
        return lines[^1];
    }

    public static IPAddress Loopback2 { get; } = IPAddress.Parse("127.0.0.2");
}
