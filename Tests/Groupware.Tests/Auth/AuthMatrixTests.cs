using System.Text;
using Groupware.Auth;
using Groupware.Auth.Sasl;
using Groupware.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Auth;

/// <summary>
/// The issue's whole matrix over <see cref="AuthService"/>: {password command, SASL PLAIN, SASL LOGIN}
/// x {TLS, no TLS} x {secure node, legacy node, legacy node with PlaintextAccounts=any} x
/// {legacy-device, normal, disabled account} x {right, wrong password}, each cell on real nodes
/// sharing the run's database. Every cell asserts the outcome, whether the password was looked at,
/// what the module advertises, and the audit record; a refusal of clear text must leave the
/// password unchecked and the record exposed.
/// </summary>
public sealed class AuthMatrixTests
{
    public enum Credential
    {
        PasswordCommand,
        SaslPlain,
        SaslLogin,
    }

    public enum NodeKind
    {
        Secure,
        Legacy,
        LegacyAnyAccount,
    }

    public enum AccountKind
    {
        LegacyDevice,
        Normal,
        Disabled,
    }

    private readonly Dictionary<NodeKind, TestNode> _nodes = [];
    private readonly Dictionary<AccountKind, string> _logins = [];
    private readonly string _password = $"right-{Guid.NewGuid():N}";

    [OneTimeSetUp]
    public async Task StartNodesAsync()
    {
        // No failure delay: the wrong-password cells would otherwise slow the ones after them.
        _nodes[NodeKind.Secure] = await AuthFixtures.StartNodeAsync(n => n
            .Set("Node:Name", "matrix-secure").Set("Auth:FailureDelayMilliseconds", "0"));
        _nodes[NodeKind.Legacy] = await AuthFixtures.StartNodeAsync(n => n
            .Set("Node:Name", "matrix-legacy").Set("Node:AllowPlaintextAuth", "true").Set("Auth:FailureDelayMilliseconds", "0"));
        _nodes[NodeKind.LegacyAnyAccount] = await AuthFixtures.StartNodeAsync(n => n
            .Set("Node:Name", "matrix-any").Set("Node:AllowPlaintextAuth", "true").Set("Node:PlaintextAccounts", "any")
            .Set("Auth:FailureDelayMilliseconds", "0"));

        var services = _nodes[NodeKind.Secure].Services;
        foreach (var kind in Enum.GetValues<AccountKind>())
        {
            _logins[kind] = AuthFixtures.UniqueLogin(kind.ToString().ToLowerInvariant());
            await AuthFixtures.CreateAccountAsync(services, _logins[kind], _password,
                legacyDevice: kind == AccountKind.LegacyDevice, disabled: kind == AccountKind.Disabled);
        }
    }

    [OneTimeTearDown]
    public async Task StopNodesAsync()
    {
        foreach (var node in _nodes.Values)
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>The rules of the issue, stated once: what each cell must answer.</summary>
    private static AuthOutcome Expected(bool tls, NodeKind node, AccountKind account, bool rightPassword) =>
        (node, tls, account, rightPassword) switch
        {
            (NodeKind.Secure, false, _, _) => AuthOutcome.PlaintextRefused,
            (NodeKind.Legacy, false, not AccountKind.LegacyDevice, _) => AuthOutcome.NotAllowedOnThisNode,
            (_, _, _, false) => AuthOutcome.InvalidCredentials,
            (_, _, AccountKind.Disabled, true) => AuthOutcome.AccountDisabled,
            _ => AuthOutcome.Success,
        };

    private static IEnumerable<TestCaseData> Cells()
    {
        foreach (var credential in Enum.GetValues<Credential>())
        {
            foreach (var tls in new[] { true, false })
            {
                foreach (var node in Enum.GetValues<NodeKind>())
                {
                    foreach (var account in Enum.GetValues<AccountKind>())
                    {
                        foreach (var right in new[] { true, false })
                        {
                            var expected = Expected(tls, node, account, right);
                            yield return new TestCaseData(credential, tls, node, account, right, expected)
                                .SetName($"{credential} {(tls ? "TLS" : "clear")} {node} node {account} account {(right ? "right" : "wrong")} password -> {expected}");
                        }
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(Cells))]
    public async Task Cell(Credential credential, bool tls, NodeKind nodeKind, AccountKind accountKind, bool rightPassword, AuthOutcome expected)
    {
        var services = _nodes[nodeKind].Services;
        var auth = services.GetRequiredService<AuthService>();
        var listener = $"cell-{Guid.NewGuid():N}"[..20];
        var security = AuthFixtures.Security(services.GetRequiredService<NodePolicy>(), tls, listener: listener);
        var login = _logins[accountKind];
        var password = rightPassword ? _password : "wrong-" + _password;

        // What the front-end would advertise on this connection.
        var offersPasswords = !(nodeKind == NodeKind.Secure && !tls);
        Assert.That(auth.AcceptsPasswords(security), Is.EqualTo(offersPasswords));
        Assert.That(auth.SaslMechanisms(security), offersPasswords ? Is.EqualTo(new[] { "PLAIN", "LOGIN" }) : Is.Empty);

        var checksBefore = auth.PasswordChecks;
        var fullBefore = auth.FullVerifications;
        var request = Request(auth, credential, login, password);
        var result = await auth.AuthenticateAsync(request, security, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(expected));
        Assert.That(result.Succeeded, Is.EqualTo(expected == AuthOutcome.Success));
        Assert.That(result.Account?.Login, expected == AuthOutcome.Success ? Is.EqualTo(login) : Is.Null);

        var refusedUnchecked = expected is AuthOutcome.PlaintextRefused or AuthOutcome.NotAllowedOnThisNode;
        Assert.That(auth.PasswordChecks - checksBefore, Is.EqualTo(refusedUnchecked ? 0 : 1),
            refusedUnchecked ? "a password refused for lack of TLS must never be verified" : "the password must be checked once");
        if (expected is AuthOutcome.AccountDisabled or AuthOutcome.InvalidCredentials)
        {
            // A disabled account and a wrong password both cost one full hash computation: the same time.
            Assert.That(auth.FullVerifications - fullBefore, Is.EqualTo(1), "a full verification, never the cache");
        }

        var rows = await AuthFixtures.AuditRowsAsync(services, listener);
        Assert.That(rows, Has.Count.EqualTo(1), "one audit record per attempt");
        var row = rows[0];
        Assert.Multiple(() =>
        {
            Assert.That(row.Outcome, Is.EqualTo(AuditName(expected)));
            Assert.That(row.Exposed, Is.EqualTo(!tls), "a password that crossed the network in clear is recorded as exposed");
            Assert.That(row.Tls, Is.EqualTo(tls));
            Assert.That(row.Login, Is.EqualTo(login));
            Assert.That(row.AccountId, Is.Not.Null, "the record names the account, also when the password was not checked");
            Assert.That(row.Mechanism, Is.EqualTo(request.Mechanism));
            Assert.That(row.Node, Is.EqualTo(services.GetRequiredService<NodePolicy>().NodeName));
        });
    }

    /// <summary>The credential as a front-end obtains it: a password command, or a complete SASL exchange.</summary>
    private static AuthRequest Request(AuthService auth, Credential credential, string login, string password)
    {
        switch (credential)
        {
            case Credential.PasswordCommand:
                return new AuthRequest(login, password, "USER");
            case Credential.SaslPlain:
            {
                var exchange = auth.StartSasl("plain")!;
                return Completed(exchange.Respond(Encoding.UTF8.GetBytes($"\0{login}\0{password}")));
            }

            default:
            {
                var exchange = auth.StartSasl("LOGIN")!;
                Assert.That(exchange.Respond([]), Is.EqualTo(new SaslStep.Challenge("Username:"u8.ToArray())).Using<SaslStep>(SameStep));
                Assert.That(exchange.Respond(Encoding.UTF8.GetBytes(login)),
                    Is.EqualTo(new SaslStep.Challenge("Password:"u8.ToArray())).Using<SaslStep>(SameStep));
                return Completed(exchange.Respond(Encoding.UTF8.GetBytes(password)));
            }
        }
    }

    private static AuthRequest Completed(SaslStep step) =>
        step is SaslStep.Credentials credentials ? credentials.Request : throw new AssertionException($"expected credentials, got {step}");

    private static bool SameStep(SaslStep a, SaslStep b) =>
        (a, b) is (SaslStep.Challenge x, SaslStep.Challenge y) && x.Data.AsSpan().SequenceEqual(y.Data);

    private static string AuditName(AuthOutcome outcome) => outcome switch
    {
        AuthOutcome.Success => "success",
        AuthOutcome.PlaintextRefused => "plaintext-refused",
        AuthOutcome.InvalidCredentials => "invalid-credentials",
        AuthOutcome.AccountDisabled => "account-disabled",
        AuthOutcome.NotAllowedOnThisNode => "not-allowed-on-this-node",
        AuthOutcome.Throttled => "throttled",
        _ => "temporary-failure",
    };
}
