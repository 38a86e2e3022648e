using System.Net.Sockets;
using Dapper;
using Grpc.Core;
using Groupware.Auth;
using Groupware.Rpc.V1;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>
/// The security invariant on the RPC (DESIGN.md): a password logon without TLS is refused by the
/// auth module before the password is checked, on the terms of the node's policy.
/// </summary>
public sealed class RpcPlaintextPolicyTests
{
    [Test]
    public async Task A_clear_text_HTTP2_logon_to_the_TLS_port_gets_no_answer_at_all()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var clear = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{node.EndPoint("rpc").Port}");
        var e = Assert.ThrowsAsync<RpcException>(async () =>
            await new Session.SessionClient(clear).LogonAsync(new LogonRequest { Login = login, Password = Password }, deadline: DateTime.UtcNow.AddSeconds(10)));
        Assert.That(e!.StatusCode, Is.EqualTo(StatusCode.Unavailable).Or.EqualTo(StatusCode.Internal).Or.EqualTo(StatusCode.DeadlineExceeded));
        await node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);
        await using var connection = await node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM auth_attempts WHERE login = @login", new { login }), Is.Zero,
            "nothing reached the auth module");
    }

    [Test]
    public async Task On_a_legacy_node_a_clear_text_logon_of_an_ordinary_account_is_refused_unchecked_and_recorded_as_exposed()
    {
        await using var node = await StartLegacyNodeAsync();
        var login = await CreateAccountAsync();
        using var clear = Channel(node, "rpcclear");
        var (code, detail) = await RefusedAsync(() => new Session.SessionClient(clear).LogonAsync(new LogonRequest { Login = login, Password = Password }).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.PermissionDenied, "plaintext-refused")));

        await node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);
        await using var connection = await node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        var (outcome, exposed, tls) = await connection.QuerySingleAsync<(string, bool, bool)>(
            "SELECT outcome, exposed, tls FROM auth_attempts WHERE login = @login AND mechanism = 'RPC'", new { login });
        Assert.That((outcome, exposed, tls), Is.EqualTo(("not-allowed-on-this-node", true, false)));

        using var tlsChannel = Channel(node);
        await LogonAsync(tlsChannel, login);
    }

    [Test]
    public async Task On_a_legacy_node_a_legacy_device_may_log_on_in_clear_text()
    {
        await using var node = await StartLegacyNodeAsync();
        var login = await CreateAccountAsync(legacyDevice: true);
        using var clear = Channel(node, "rpcclear");
        var session = await LogonAsync(clear, login);
        var folders = await new Folders.FoldersClient(clear).ListAsync(new ListFoldersRequest(), session);
        Assert.That(folders.Folders.Any(f => f.Role == FolderRole.Inbox), Is.True);
    }

    [Test]
    public void A_secure_node_refuses_a_clear_text_rpc_listener_at_start_up()
    {
        // The configuration is refused as it is read (TestNode reports the reader's problems).
        var e = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await TestNode.StartAsync(n => n.Listener("rpcclear", "rpc", "none")));
        Assert.That(e!.Message, Does.Contain("Listeners:rpcclear:Tls: \"none\" is not allowed on a secure node"));
    }

    [Test]
    public async Task The_listener_offers_h2_by_ALPN()
    {
        await using var node = await StartSecureNodeAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(node.EndPoint("rpc"));
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http2],
        });
        Assert.That(tls.NegotiatedApplicationProtocol, Is.EqualTo(System.Net.Security.SslApplicationProtocol.Http2));
    }
}
