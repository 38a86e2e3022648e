using System.Net;
using System.Net.Sockets;
using System.Text;
using Groupware.Auth;
using Groupware.Tests.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Sasl;

/// <summary>
/// The auth module judges the end user's connection as the MTA reports it, whatever the MTA's own connection is:
/// over a unix socket (how Postfix usually reaches Dovecot) an unsecured password is still exposed, since it crossed
/// the user's network; and failures count against the user's address (<c>rip</c>), which the shared block list then
/// blocks, while another address logs in. Nodes here share a database of their own, so that their blocks touch no
/// other test.
/// </summary>
public sealed class SaslClientAddressTests
{
    private const string Password = "sasl address pw";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private string _database = null!;
    private string _socketDirectory = null!;
    private TestNode _node = null!;
    private string _login = null!;

    private string SocketPath => Path.Combine(_socketDirectory, "auth");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = await TestDatabase.CreateDatabaseAsync("saslrip");
        _socketDirectory = Directory.CreateTempSubdirectory("gwtest-sasl-").FullName;
        _node = await TestNode.StartAsync(n =>
        {
            n.ConnectionString = _database;
            n.Listener("sasl", "sasl", "none").Listener("saslunix", "sasl", "none", $"unix:{SocketPath}")
                .Set("Auth:BlockThreshold", "3").Set("Auth:FailureDelayMilliseconds", "0");
        });
        _login = AuthFixtures.UniqueLogin("rip");
        await AuthFixtures.CreateAccountAsync(_node.Services, _login, Password);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_socketDirectory, recursive: true);
        await TestDatabase.DropDatabaseAsync(_database);
    }

    private string Plain(string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{_login}\0{password}"));

    /// <summary>One connection through the handshake, then each request line and its answer.</summary>
    private static async Task<List<string>> AskAsync(Socket socket, EndPoint endPoint, params string[] requests)
    {
        await socket.ConnectAsync(endPoint);
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(Bound);
        string? line;
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null && line != "DONE")
        {
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes("VERSION\t1\t2\nCPID\t1\n"), timeout.Token);
        var answers = new List<string>();
        foreach (var request in requests)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n"), timeout.Token);
            answers.Add(await reader.ReadLineAsync(timeout.Token) ?? "(closed)");
        }

        return answers;
    }

    private Task<List<string>> AskOverTcpAsync(params string[] requests) =>
        AskAsync(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), _node.EndPoint("sasl"), requests);

    [Test]
    public async Task Over_a_unix_socket_an_unsecured_password_is_still_exposed()
    {
        var answers = await AskAsync(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(SocketPath),
            $"AUTH\t1\tPLAIN\tservice=smtp\tlip=192.0.2.1\trip=192.0.2.70\tresp={Plain(Password)}",
            $"AUTH\t2\tPLAIN\tservice=smtp\tsecured\tlip=192.0.2.1\trip=192.0.2.71\tresp={Plain(Password)}");
        Assert.That(answers[0], Does.StartWith("FAIL\t1\treason=Plaintext authentication disallowed"));
        Assert.That(answers[1], Is.EqualTo($"OK\t2\tuser={_login}"));
        var rows = await AuthFixtures.AuditRowsAsync(_node.Services, "saslunix");
        // An exposed password is written after its check off the client's path, so the order of the rows is not the order of the requests.
        Assert.That(rows.Select(r => (r.RemoteAddress, r.Exposed, r.Outcome)), Is.EquivalentTo(new[]
        {
            ((string?)"192.0.2.70", true, "plaintext-refused"), ("192.0.2.71", false, "success"),
        }));
    }

    [Test]
    public async Task Failures_from_one_client_address_block_it_and_not_another()
    {
        var blocked = IPAddress.Parse("203.0.113.60");
        var failures = Enumerable.Range(1, 4).Select(i => $"AUTH\t{i}\tPLAIN\tservice=smtp\tsecured\trip={blocked}\tresp={Plain("wrong")}").ToArray();
        Assert.That(await AskOverTcpAsync(failures), Is.All.StartWith("FAIL\t"));
        var auth = _node.Services.GetRequiredService<AuthService>();
        await auth.FlushAuditAsync(CancellationToken.None);
        for (var step = 0; step < Bound.TotalMilliseconds / 50 && !auth.Blocks.IsBlocked(new IPNetwork(blocked, 32)); step++)
        {
            await Task.Delay(50);
        }

        var answers = await AskOverTcpAsync(
            $"AUTH\t1\tPLAIN\tservice=smtp\tsecured\trip={blocked}\tresp={Plain(Password)}",
            $"AUTH\t2\tPLAIN\tservice=smtp\tsecured\trip=203.0.113.61\tresp={Plain(Password)}");
        Assert.That(answers, Is.EqualTo(new[]
        {
            "FAIL\t1\treason=Too many failed logins from your network; try again later", $"OK\t2\tuser={_login}",
        }));
    }
}
