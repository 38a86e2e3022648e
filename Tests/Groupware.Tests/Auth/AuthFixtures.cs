using System.Net;
using System.Security.Authentication;
using Dapper;
using Groupware.Auth;
using Groupware.Auth.Passwords;
using Groupware.Connections;
using Groupware.Storage.Accounts;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Groupware.Tests.Auth;

/// <summary>Connections as a session describes them, and accounts to log in to, for the auth tests.</summary>
internal static class AuthFixtures
{
    /// <summary>
    /// An address of RFC 5737's TEST-NET-1 (192.0.2.0/24, for documentation). It only ever appears as
    /// the client's address inside a <see cref="ConnectionSecurity"/> value: no packet is sent to it.
    /// Tests use it where loopback would be exempt from throttling.
    /// </summary>
    public static IPAddress DocumentationAddress(int host) => IPAddress.Parse($"192.0.2.{host}");

    /// <summary>What a session on <paramref name="node"/> passes with a credential.</summary>
    public static ConnectionSecurity Security(NodePolicy node, bool tls, IPAddress? remote = null, string? listener = null,
        string protocol = "pop3") =>
        new(IsTls: tls,
            TlsProtocol: tls ? SslProtocols.Tls13 : SslProtocols.None,
            CipherSuite: tls ? System.Net.Security.TlsCipherSuite.TLS_AES_256_GCM_SHA384 : null,
            RemoteEndPoint: new IPEndPoint(remote ?? IPAddress.Loopback, 40110),
            LocalEndPoint: new IPEndPoint(IPAddress.Loopback, tls ? 995 : 110),
            ListenerName: listener ?? (tls ? "pop3s" : "pop3"),
            Protocol: protocol,
            ListenerTls: tls ? TlsMode.Implicit : TlsMode.StartTls,
            Node: node);

    /// <summary>
    /// Starts a node for auth tests. It gets one listener of the test echo protocol: a node without
    /// listeners would have Kestrel bind its default http://127.0.0.1:5000.
    /// </summary>
    public static Task<TestNode> StartNodeAsync(Action<TestNodeOptions> configure) =>
        TestNode.StartAsync(n =>
        {
            n.Protocol(new EchoProtocol()).Listener("echo", "echo", "starttls");
            configure(n);
        });

    /// <summary>
    /// The auth module's services over <paramref name="connectionString"/>, outside any node and with
    /// its background services not started: for parsing, and for a database that cannot be reached.
    /// </summary>
    public static ServiceProvider UnstartedServices(string connectionString, AuthOptions? options = null) =>
        new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton<GroupwareMetrics>()
            .AddSingleton(_ => Groupware.Storage.Database.CreateDataSource(connectionString, "unstarted"))
            .AddGroupwareAuth(options ?? new AuthOptions())
            .BuildServiceProvider();

    /// <summary>A login no other test uses.</summary>
    public static string UniqueLogin(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <summary>Creates an account through the node's store; its password is hashed as <c>user add</c> does unless a stored hash is given.</summary>
    public static async Task<Account> CreateAccountAsync(IServiceProvider services, string login, string password, bool legacyDevice = false,
        bool disabled = false, string? storedHash = null)
    {
        var store = services.GetRequiredService<AccountStore>();
        var hash = storedHash ?? services.GetRequiredService<PasswordHasher>().Hash(password);
        var account = await store.CreateAsync(new NewAccount(login, $"{login}@example.test", [], hash, LegacyDevice: legacyDevice), CancellationToken.None);
        if (disabled)
        {
            await store.SetDisabledAsync(account.Id, true, CancellationToken.None);
        }

        return account;
    }

    /// <summary>The stored hash of an account, read back from the database.</summary>
    public static async Task<string> StoredHashAsync(IServiceProvider services, string login) =>
        (await services.GetRequiredService<AccountStore>().FindCredentialsAsync(login, CancellationToken.None))!.PasswordHash;

    /// <summary>One audit record as written, after the node's audit log has been flushed.</summary>
    public static async Task<List<AuditRow>> AuditRowsAsync(IServiceProvider services, string listener)
    {
        await services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);
        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        return (await connection.QueryAsync<AuditRow>("""
            SELECT at, node, listener, protocol, host(remote_address) AS remoteaddress, client_network::text AS clientnetwork,
                   login, account_id AS accountid, mechanism, tls, exposed, outcome
            FROM auth_attempts WHERE listener = @listener ORDER BY id
            """, new { listener })).ToList();
    }

    /// <summary>A row of <c>auth_attempts</c>.</summary>
    internal sealed class AuditRow
    {
        public DateTime At { get; set; }

        public string Node { get; set; } = "";

        public string Listener { get; set; } = "";

        public string Protocol { get; set; } = "";

        public string? RemoteAddress { get; set; }

        public string? ClientNetwork { get; set; }

        public string Login { get; set; } = "";

        public long? AccountId { get; set; }

        public string Mechanism { get; set; } = "";

        public bool Tls { get; set; }

        public bool Exposed { get; set; }

        public string Outcome { get; set; } = "";
    }
}
