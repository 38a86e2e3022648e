using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// Real LMTP clients against the node: Python's smtplib.LMTP (TCP and unix socket) and swaks
/// (<c>--protocol LMTP</c>, pipelined, with STARTTLS, and over the unix socket).
/// </summary>
public sealed class LmtpInteropTests : LmtpNodeTest
{
    private const string Python = "/usr/bin/python3";

    private static readonly string SocketDirectory = Directory.CreateTempSubdirectory("gwtest-lmtp-").FullName;
    private static readonly string SocketPath = Path.Combine(SocketDirectory, "lmtp.sock");

    private const string SmtplibScript = """
        import json, smtplib, sys
        from email.message import EmailMessage
        target, subject, good, bad = sys.argv[1:5]
        message = EmailMessage()
        message["From"] = "python@example.org"
        message["To"] = good
        message["Subject"] = subject
        message.set_content("Hello from smtplib.LMTP\n.a line that starts with a dot\nGrüße\n")
        client = smtplib.LMTP(target) if target.startswith("/") else smtplib.LMTP("127.0.0.1", int(target))
        with client:
            refused = client.send_message(message, from_addr="python@example.org", to_addrs=[good, bad])
        print(json.dumps({k: [v[0], v[1].decode()] for k, v in refused.items()}))
        """;

    protected override void Configure(TestNodeOptions node) =>
        node.Listener("lmtps", "lmtp", "starttls").Listener("lmtpsock", "lmtp", "none", $"unix:{SocketPath}");

    [OneTimeTearDown]
    public void RemoveSocketDirectory() => Directory.Delete(SocketDirectory, recursive: true);

    [TestCase("tcp")]
    [TestCase("unix")]
    public async Task Python_smtplib_LMTP_delivers_and_sees_the_refused_recipient(string transport)
    {
        var account = await MailAccounts.CreateAsync(Data, "py");
        var subject = MailAccounts.UniqueSubject("smtplib");
        var target = transport == "unix" ? SocketPath : Node.EndPoint("lmtp").Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = await ExternalProcess.RunAsync(Python, ["-c", SmtplibScript, target, subject, account.PrimaryAddress, "nobody@example.test"]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output.Trim(), Is.EqualTo("{\"nobody@example.test\": [550, \"5.1.1 <nobody@example.test> No such user here\"]}"));
        var stored = (await MailAccounts.MessagesAsync(Data, account.Id)).Single();
        Assert.That(stored.Subject, Is.EqualTo(subject));
        var content = await ReadMessageAsync(account.Id, stored);
        Assert.That(content, Does.Contain("\r\n.a line that starts with a dot\r\n"), "the client's stuffed dot was removed");
        Assert.That(content, Does.Contain("Return-Path: <python@example.org>\r\n"));
        Assert.That(content, Does.Contain(transport == "unix" ? "(unix socket)" : "(127.0.0.1)"));
    }

    [Test]
    public async Task Swaks_delivers_to_several_recipients_with_pipelining()
    {
        var first = await MailAccounts.CreateAsync(Data, "swaks");
        var second = await MailAccounts.CreateAsync(Data, "swaks");
        var subject = MailAccounts.UniqueSubject("swaks");
        var result = await SwaksAsync(["--server", $"127.0.0.1:{Node.EndPoint("lmtp").Port}", "--pipeline",
            "--to", $"{first.PrimaryAddress},{second.PrimaryAddress}", "--header", $"Subject: {subject}"]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain($"<-  250 2.0.0 <{first.PrimaryAddress}> Saved as UID 1"));
        Assert.That(result.Output, Does.Contain($"<-  250 2.0.0 <{second.PrimaryAddress}> Saved as UID 1"));
        Assert.That((await MailAccounts.MessagesAsync(Data, second.Id)).Single().Subject, Is.EqualTo(subject));
    }

    [Test]
    public async Task Swaks_upgrades_with_STARTTLS_and_delivers()
    {
        var account = await MailAccounts.CreateAsync(Data, "swakstls");
        var result = await SwaksAsync(["--server", $"127.0.0.1:{Node.EndPoint("lmtps").Port}", "--tls", "--to", account.PrimaryAddress]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("TLS started"));
        Assert.That((await MailAccounts.MessagesAsync(Data, account.Id)).Single().TraceFields, Does.Contain(" with LMTPS id "));
    }

    [Test]
    public async Task Swaks_delivers_over_the_unix_socket_and_reports_an_unknown_recipient()
    {
        var account = await MailAccounts.CreateAsync(Data, "swaksock");
        var delivered = await SwaksAsync(["--socket", SocketPath, "--to", account.PrimaryAddress]);
        Assert.That(delivered.ExitCode, Is.Zero, delivered.ToString());
        Assert.That(await MailAccounts.MessagesAsync(Data, account.Id), Has.Count.EqualTo(1));

        var refused = await SwaksAsync(["--socket", SocketPath, "--to", "nobody@example.test"]);
        Assert.That(refused.ExitCode, Is.Not.Zero, "swaks fails when its only recipient is refused");
        Assert.That(refused.Output, Does.Contain("550 5.1.1 <nobody@example.test> No such user here"));
    }

    private static Task<ProcessResult> SwaksAsync(IEnumerable<string> arguments) =>
        ExternalProcess.RunAsync(ExternalProcess.Require("swaks"),
            ["--protocol", "LMTP", "--from", "swaks@example.org", "--helo", "swaks.example", "--timeout", "20", .. arguments]);
}
