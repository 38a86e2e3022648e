using Groupware.Auth;
using Groupware.Auth.Passwords;
using Groupware.Connections;
using Groupware.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Groupware.Tests.Auth;

/// <summary>
/// Hashes operators migrate from verify, and after a successful login are replaced by Argon2id:
/// the documented vectors in Resources/hash-vectors.tsv (made with Debian's doveadm and mkpasswd),
/// and fresh ones made by the same programs while the test runs.
/// </summary>
public sealed class ImportedHashTests
{
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _node = await AuthFixtures.StartNodeAsync(n => n.Set("Auth:FailureDelayMilliseconds", "0"));

    [OneTimeTearDown]
    public async Task StopAsync() => await _node.DisposeAsync();

    /// <summary>The vectors of Resources/hash-vectors.tsv: the command that made each, its plaintext and its output.</summary>
    public static IEnumerable<TestCaseData> Vectors()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Auth", "Resources", "hash-vectors.tsv");
        foreach (var line in File.ReadLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var fields = line.Split('\t');
            yield return new TestCaseData(fields[1], fields[2]).SetName(fields[0]);
        }
    }

    [TestCaseSource(nameof(Vectors))]
    public void A_documented_vector_verifies_with_its_plaintext_only(string password, string stored)
    {
        var hasher = _node.Services.GetRequiredService<PasswordHasher>();
        Assert.That(hasher.Verify(password, stored), Is.EqualTo(PasswordCheck.Match));
        Assert.That(hasher.Verify(password + "!", stored), Is.EqualTo(PasswordCheck.Mismatch));
        Assert.That(hasher.Verify(password.ToUpperInvariant(), stored), Is.EqualTo(PasswordCheck.Mismatch));
        Assert.That(hasher.NeedsUpgrade(stored), Is.True, "no imported hash has exactly the configured parameters");
    }

    [TestCaseSource(nameof(Vectors))]
    public async Task A_documented_vector_logs_in_and_is_upgraded_to_Argon2id(string password, string stored) =>
        await LoginAndUpgradeAsync(password, stored);

    [TestCase("ARGON2ID")]
    [TestCase("SHA512-CRYPT")]
    [TestCase("BLF-CRYPT")]
    [TestCase("SSHA512")]
    [TestCase("PLAIN")]
    public async Task A_fresh_doveadm_hash_logs_in_and_is_upgraded(string scheme)
    {
        var password = $"fresh {Guid.NewGuid():N} ü";
        var result = await ExternalProcess.RunAsync(ExternalProcess.Require("doveadm"), ["pw", "-s", scheme, "-p", password]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var stored = result.Output.Trim();
        Assert.That(stored, Does.StartWith("{" + scheme + "}"));
        await LoginAndUpgradeAsync(password, stored);
    }

    [TestCase("sha-512")]
    [TestCase("bcrypt")]
    [TestCase("bcrypt-a")]
    public async Task A_fresh_mkpasswd_hash_logs_in_and_is_upgraded(string method)
    {
        var password = $"fresh {Guid.NewGuid():N} ü";
        var result = await ExternalProcess.RunAsync(ExternalProcess.Require("mkpasswd"), ["-m", method, "--stdin"], password + "\n");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        await LoginAndUpgradeAsync(password, result.Output.Trim());
    }

    [Test]
    public async Task A_clear_text_stored_password_is_logged_as_a_warning_and_replaced()
    {
        var logs = new CapturedLogs();
        await using var node = await AuthFixtures.StartNodeAsync(n => n.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        var login = AuthFixtures.UniqueLogin("plain");
        await AuthFixtures.CreateAccountAsync(node.Services, login, "in the clear", storedHash: "{PLAIN}in the clear");
        var result = await node.Services.GetRequiredService<AuthService>().AuthenticateAsync(new AuthRequest(login, "in the clear", "USER"),
            AuthFixtures.Security(node.Services.GetRequiredService<NodePolicy>(), tls: true), CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(AuthOutcome.Success));
        Assert.That(logs.AtLeast(LogLevel.Warning), Has.Some.Contains(login).And.Contains("{PLAIN}"));
        Assert.That(await AuthFixtures.StoredHashAsync(node.Services, login), Does.StartWith("{ARGON2ID}"));
    }

    [Test]
    public void A_hash_in_an_unknown_scheme_matches_nothing()
    {
        var hasher = _node.Services.GetRequiredService<PasswordHasher>();
        Assert.Multiple(() =>
        {
            Assert.That(hasher.Verify("test", "{MD5}CY9rzUYh03PK3k6DJie09g=="), Is.EqualTo(PasswordCheck.Unverifiable));
            Assert.That(hasher.Verify("test", "{CRYPT}xyJ9KxkMyc4rA"), Is.EqualTo(PasswordCheck.Unverifiable));
            Assert.That(hasher.Verify("test", "$1$salt$hash"), Is.EqualTo(PasswordCheck.Unverifiable));
            Assert.That(hasher.Verify("test", "test"), Is.EqualTo(PasswordCheck.Unverifiable), "a bare string is not taken for a clear-text password");
        });
    }

    /// <summary>An account holding <paramref name="stored"/>: a wrong password fails and keeps the hash; the right one logs in and leaves Argon2id.</summary>
    private async Task LoginAndUpgradeAsync(string password, string stored)
    {
        var services = _node.Services;
        var auth = services.GetRequiredService<AuthService>();
        var hasher = services.GetRequiredService<PasswordHasher>();
        var login = AuthFixtures.UniqueLogin("imported");
        await AuthFixtures.CreateAccountAsync(services, login, password, storedHash: stored);
        var security = AuthFixtures.Security(services.GetRequiredService<NodePolicy>(), tls: true);

        var wrong = await auth.AuthenticateAsync(new AuthRequest(login, password + "?", "PLAIN"), security, CancellationToken.None);
        Assert.That(wrong.Outcome, Is.EqualTo(AuthOutcome.InvalidCredentials));
        Assert.That(await AuthFixtures.StoredHashAsync(services, login), Is.EqualTo(stored), "a failed login changes nothing");

        var right = await auth.AuthenticateAsync(new AuthRequest(login, password, "PLAIN"), security, CancellationToken.None);
        Assert.That(right.Outcome, Is.EqualTo(AuthOutcome.Success));

        var upgraded = await AuthFixtures.StoredHashAsync(services, login);
        Assert.That(upgraded, Does.StartWith("{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$"));
        Assert.That(hasher.NeedsUpgrade(upgraded), Is.False);
        Assert.That(hasher.Verify(password, upgraded), Is.EqualTo(PasswordCheck.Match));

        var again = await auth.AuthenticateAsync(new AuthRequest(login, password, "USER"), security, CancellationToken.None);
        Assert.That(again.Outcome, Is.EqualTo(AuthOutcome.Success));
        Assert.That(await AuthFixtures.StoredHashAsync(services, login), Is.EqualTo(upgraded), "upgraded once, not at every login");
    }
}
