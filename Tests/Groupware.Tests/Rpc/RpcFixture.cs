using System.Net;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Groupware.Rpc.V1;
using Groupware.Storage.Accounts;
using Groupware.Storage.Calendar;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Rpc;

/// <summary>
/// Nodes, accounts and the generated C# client (Grpc.Net.Client) for the RPC tests: every call goes
/// over a socket, through real TLS with ALPN h2 on the <c>rpc</c> listener, or, on a legacy node, in
/// clear by HTTP/2 prior knowledge on <c>rpcclear</c>.
/// </summary>
internal static class RpcFixture
{
    public const string Password = "correct horse battery staple";

    /// <summary>A secure node: rpc on implicit TLS and LMTP for deliveries.</summary>
    public static Task<TestNode> StartSecureNodeAsync(Action<TestNodeOptions>? configure = null) =>
        TestNode.StartAsync(n =>
        {
            n.Listener("rpc", "rpc", "implicit").Listener("lmtp", "lmtp", "none");
            configure?.Invoke(n);
        });

    /// <summary>A legacy node: rpc on TLS and in clear (HTTP/2 prior knowledge), for the accounts the legacy policy allows.</summary>
    public static Task<TestNode> StartLegacyNodeAsync() =>
        TestNode.StartAsync(n => n.Set("Node:Name", "legacy1").Set("Node:AllowPlaintextAuth", "true")
            .Listener("rpc", "rpc", "implicit").Listener("rpcclear", "rpc", "none"));

    public static Task<string> CreateAccountAsync(bool legacyDevice = false) => TestAccounts.CreateAsync(Password, legacyDevice);

    /// <summary>A channel to a listener that trusts the node's test certificate (https), or speaks h2c (http).</summary>
    public static GrpcChannel Channel(TestNode node, string listener = "rpc")
    {
        var tls = listener == "rpc";
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            EnableMultipleHttp2Connections = true,
        };
        return GrpcChannel.ForAddress($"{(tls ? "https" : "http")}://127.0.0.1:{node.EndPoint(listener).Port}",
            new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>Logs on and returns the call metadata that carries the session: <c>authorization: Bearer</c>.</summary>
    public static async Task<Metadata> LogonAsync(GrpcChannel channel, string login, string password = Password)
    {
        var reply = await new Session.SessionClient(channel).LogonAsync(new LogonRequest
        {
            Login = login,
            Password = password,
            ClientName = "groupware tests",
            ClientVersion = "1",
        });
        Assert.That(reply.SessionToken, Is.Not.Empty);
        return Bearer(reply.SessionToken);
    }

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    /// <summary>The status and the machine-readable reason of a refused call.</summary>
    public static (StatusCode Code, ErrorDetail Detail) Refusal(RpcException e)
    {
        var entry = e.Trailers.Get("groupware-error-bin");
        return (e.StatusCode, entry is null ? new ErrorDetail() : ErrorDetail.Parser.ParseFrom(entry.ValueBytes));
    }

    /// <summary>Runs a call that must be refused; returns its status and detail.</summary>
    public static async Task<(StatusCode Code, ErrorDetail Detail)> RefusedAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException e)
        {
            return Refusal(e);
        }

        Assert.Fail("the call was not refused");
        return default;
    }

    /// <summary>The account's folder of a role, or of a path.</summary>
    public static async Task<Folder> FolderAsync(GrpcChannel channel, Metadata session, FolderRole role = FolderRole.Inbox, string? path = null)
    {
        var folders = await new Folders.FoldersClient(channel).ListAsync(new ListFoldersRequest(), session);
        return folders.Folders.Single(f => path is null ? f.Role == role : f.Path == path);
    }

    /// <summary>Delivers messages over the node's LMTP listener, one per subject.</summary>
    public static async Task DeliverAsync(TestNode node, string login, params string[] subjects)
    {
        foreach (var subject in subjects)
        {
            await LmtpSender.DeliverAsync(node.EndPoint("lmtp"), $"{login}@example.test", 1, LmtpSender.Message(600, subject));
        }
    }

    /// <summary>A small MIME message (RFC 5322) from the account.</summary>
    public static byte[] Mime(string login, string subject, string date = "Mon, 01 Jan 2024 10:00:00 +0000", string to = "friend@example.org") =>
        Encoding.ASCII.GetBytes($"From: Test <{login}@example.test>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\n" +
            $"Message-ID: <{Guid.NewGuid():N}@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello {subject}\r\n");

    public static Task<Account?> AccountAsync(TestNode node, string login) =>
        node.Services.GetRequiredService<AccountStore>().FindByLoginAsync(login, CancellationToken.None);

    /// <summary>A calendar of the account (made in the calendar store, as MKCALENDAR does) holding the given iCalendar objects.</summary>
    public static async Task<long> CreateCalendarAsync(TestNode node, string login, string name, params string[] objects)
    {
        var account = (await AccountAsync(node, login))!;
        var store = node.Services.GetRequiredService<CalendarStore>();
        var calendar = (await store.CreateCalendarAsync(account.Id, name, ["VEVENT"], new CalendarProperties(DisplayName: name), CancellationToken.None))!;
        for (var i = 0; i < objects.Length; i++)
        {
            var content = CalendarObjectContent.Parse(objects[i], out _, out var detail) ?? throw new InvalidOperationException(detail);
            var put = await store.PutObjectAsync(account.Id, calendar.Id, $"e{i}.ics", content, WriteCondition.None, CancellationToken.None);
            Assert.That(put.Outcome, Is.EqualTo(PutOutcome.Created));
        }

        return calendar.Id;
    }

    /// <summary>An event from <paramref name="start"/> to <paramref name="end"/> (UTC, iCalendar form), with more properties if given.</summary>
    public static string Event(string uid, string start, string end, string extra = "") =>
        string.Join("\r\n", new[] { "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//groupware tests//EN", "BEGIN:VEVENT", $"UID:{uid}",
            "DTSTAMP:20240101T000000Z", $"DTSTART:{start}", $"DTEND:{end}", extra, "END:VEVENT", "END:VCALENDAR" }.Where(l => l.Length > 0)) + "\r\n";
}
