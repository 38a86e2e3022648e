using Dapper;
using Grpc.Core;
using Groupware.Auth;
using Groupware.Rpc.V1;
using Groupware.Storage.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>Session.Logon and Logoff: tokens in the database, decided and audited by the auth module.</summary>
public sealed class RpcSessionTests
{
    [Test]
    public async Task A_logon_over_TLS_returns_a_token_that_later_calls_carry_as_a_bearer()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var reply = await new Session.SessionClient(channel).LogonAsync(new LogonRequest { Login = login, Password = Password, ClientName = "t" });
        Assert.That(reply.Account.Login, Is.EqualTo(login));
        Assert.That(reply.Account.PrimaryAddress, Is.EqualTo($"{login}@example.test"));
        Assert.That(reply.ExpiresAt.ToDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow.AddDays(6)));
        var folders = await new Folders.FoldersClient(channel).ListAsync(new ListFoldersRequest(), Bearer(reply.SessionToken));
        Assert.That(folders.Folders.Select(f => f.Path), Does.Contain("INBOX"));
    }

    [Test]
    public async Task A_wrong_password_is_unauthenticated_and_audited_as_an_rpc_login()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var (code, detail) = await RefusedAsync(() => new Session.SessionClient(channel).LogonAsync(new LogonRequest { Login = login, Password = "wrong" }).ResponseAsync);
        Assert.That(code, Is.EqualTo(StatusCode.Unauthenticated));
        Assert.That(detail.Reason, Is.EqualTo("invalid-credentials"));
        await LogonAsync(channel, login);

        await node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);
        await using var connection = await node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        var outcomes = (await connection.QueryAsync<(string Outcome, bool Tls, string Protocol)>(
            "SELECT outcome, tls, protocol FROM auth_attempts WHERE login = @login AND mechanism = 'RPC' ORDER BY id", new { login })).ToList();
        Assert.That(outcomes, Is.EqualTo(new[] { ("invalid-credentials", true, "rpc"), ("success", true, "rpc") }));
    }

    [Test]
    public async Task A_call_without_a_token_or_with_an_unknown_one_is_unauthenticated()
    {
        await using var node = await StartSecureNodeAsync();
        using var channel = Channel(node);
        var folders = new Folders.FoldersClient(channel);
        var (none, noneDetail) = await RefusedAsync(() => folders.ListAsync(new ListFoldersRequest()).ResponseAsync);
        var (unknown, unknownDetail) = await RefusedAsync(() => folders.ListAsync(new ListFoldersRequest(), Bearer("not-a-token")).ResponseAsync);
        Assert.That((none, noneDetail.Reason), Is.EqualTo((StatusCode.Unauthenticated, "no-session")));
        Assert.That((unknown, unknownDetail.Reason), Is.EqualTo((StatusCode.Unauthenticated, "session-ended")));
    }

    [Test]
    public async Task Logoff_ends_the_session()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        await new Session.SessionClient(channel).LogoffAsync(new LogoffRequest(), session);
        var (code, detail) = await RefusedAsync(() => new Folders.FoldersClient(channel).ListAsync(new ListFoldersRequest(), session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.Unauthenticated, "session-ended")));
    }

    [Test]
    public async Task A_token_from_one_node_is_accepted_by_another_node_of_the_installation()
    {
        await using var first = await StartSecureNodeAsync();
        await using var second = await StartSecureNodeAsync(n => n.Set("Node:Name", "test2"));
        var login = await CreateAccountAsync();
        using var one = Channel(first);
        using var two = Channel(second);
        var session = await LogonAsync(one, login);
        var folders = await new Folders.FoldersClient(two).ListAsync(new ListFoldersRequest(), session);
        Assert.That(folders.Folders.Any(f => f.Role == FolderRole.Inbox), Is.True);
    }

    [Test]
    public async Task A_password_change_ends_every_session_of_the_account()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        var other = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var bystander = await LogonAsync(channel, other);
        var account = (await AccountAsync(node, login))!;
        await node.Services.GetRequiredService<AccountStore>().SetPasswordHashAsync(account.Id, TestAccounts.Hash("a new password"), CancellationToken.None);

        var (code, detail) = await RefusedAsync(() => new Folders.FoldersClient(channel).ListAsync(new ListFoldersRequest(), session).ResponseAsync);
        Assert.That((code, detail.Reason), Is.EqualTo((StatusCode.Unauthenticated, "session-ended")));
        Assert.That((await new Folders.FoldersClient(channel).ListAsync(new ListFoldersRequest(), bystander)).Folders, Is.Not.Empty);
        await LogonAsync(channel, login, "a new password");
    }

    [Test]
    public async Task Disabling_the_account_ends_its_sessions()
    {
        await using var node = await StartSecureNodeAsync();
        var login = await CreateAccountAsync();
        using var channel = Channel(node);
        var session = await LogonAsync(channel, login);
        var account = (await AccountAsync(node, login))!;
        await node.Services.GetRequiredService<AccountStore>().SetDisabledAsync(account.Id, true, CancellationToken.None);
        var (code, _) = await RefusedAsync(() => new Folders.FoldersClient(channel).ListAsync(new ListFoldersRequest(), session).ResponseAsync);
        Assert.That(code, Is.EqualTo(StatusCode.Unauthenticated));
    }
}
