using System.Text.Json.Nodes;
using Dapper;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Storage;
using Groupware.Tests.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Groupware.Tests.Cli;

/// <summary>
/// <c>groupware user ...</c> through the real executable, against the run's database; accounts it
/// creates are logged in to through a node's auth module. Exit codes: 0, 65 bad input, 67 no such
/// account, 69 database unreachable or not migrated, 78 configuration.
/// </summary>
public sealed class UserCommandTests
{
    private TestCertificates _certificates = null!;
    private string _directory = null!;
    private string _config = null!;
    private TestNode _node = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        await (await TestDatabase.OpenAsync()).DisposeAsync();

        _certificates = new TestCertificates();
        _directory = Directory.CreateTempSubdirectory("gwtest-user-").FullName;
        _config = WriteConfig("groupware.json", TestDatabase.ConnectionString);
        _node = await AuthFixtures.StartNodeAsync(n => n.Set("Node:Name", "cli-check").Set("Auth:FailureDelayMilliseconds", "0"));
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        await _node.DisposeAsync();
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string WriteConfig(string name, string connectionString)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, new JsonObject
        {
            ["Node"] = new JsonObject { ["Name"] = "cli1" },
            ["Database"] = new JsonObject { ["ConnectionString"] = connectionString },
            ["Tls"] = new JsonObject { ["CertificateFile"] = _certificates.CertificateFile, ["KeyFile"] = _certificates.KeyFile },
        }.ToJsonString());
        return path;
    }

    private Task<ProcessResult> UserAsync(string[] arguments, string? standardInput = null, string? config = null) =>
        ExternalProcess.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, "user", .. arguments, "--config", config ?? _config],
            standardInput);

    private static string NewLogin() => AuthFixtures.UniqueLogin("cli");

    private async Task<string> AddAsync(string login, string password = "s3cret password", params string[] more)
    {
        var result = await UserAsync(["add", login, "--email", $"{login}@example.test", "--password-stdin", .. more], password + "\n");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return password;
    }

    private async Task<AuthOutcome> LoginAsync(string login, string password, bool tls = true) =>
        (await _node.Services.GetRequiredService<AuthService>().AuthenticateAsync(new AuthRequest(login, password, "USER"),
            AuthFixtures.Security(_node.Services.GetRequiredService<NodePolicy>(), tls, listener: "cli-check"), CancellationToken.None)).Outcome;

    /// <summary>The account's mailboxes as stored (read directly: the store would create missing defaults on a read).</summary>
    private static async Task<List<string>> MailboxNamesAsync(string login)
    {
        await using var dataSource = Database.CreateDataSource(TestDatabase.ConnectionString, "test");
        await using var connection = await dataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>(
            "SELECT m.name FROM mailboxes m JOIN accounts a ON a.id = m.account_id WHERE a.login = @login", new { login })).ToList();
    }

    private async Task<JsonObject> ShowAsync(string login)
    {
        var result = await UserAsync(["show", login, "--json"]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return JsonNode.Parse(result.Output)!.AsObject();
    }

    [Test]
    public async Task Add_creates_an_account_that_logs_in_and_show_prints_it()
    {
        var login = NewLogin();
        var result = await UserAsync(["add", login, "--email", $"{login}@Example.test", "--alias", $"a-{login}@example.test",
            "--alias", $"b-{login}@example.test", "--legacy-device", "--quota", "2G", "--display-name", "Scanner, 2nd floor", "--password-stdin"],
            "correct horse\n");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain($"created account {login} <{login}@example.test>"));

        var shown = await ShowAsync(login);
        Assert.Multiple(() =>
        {
            Assert.That((string?)shown["login"], Is.EqualTo(login));
            Assert.That((string?)shown["address"], Is.EqualTo($"{login}@example.test"));
            Assert.That(shown["aliases"]!.AsArray().Select(a => (string?)a), Is.EqualTo(new[] { $"a-{login}@example.test", $"b-{login}@example.test" }));
            Assert.That((bool?)shown["legacyDevice"], Is.True);
            Assert.That((bool?)shown["disabled"], Is.False);
            Assert.That((long?)shown["quotaBytes"], Is.EqualTo(2L << 30));
            Assert.That((string?)shown["displayName"], Is.EqualTo("Scanner, 2nd floor"));
            Assert.That(shown["passwordExposure"], Is.Null);
        });

        var text = await UserAsync(["show", login]);
        Assert.That(text.Output, Does.Contain("quota:            2 GiB").And.Contain("legacy device:    yes"));
        Assert.That(await LoginAsync(login, "correct horse"), Is.EqualTo(AuthOutcome.Success), "the final newline is not part of the password");
        Assert.That(await MailboxNamesAsync(login), Is.EquivalentTo(new[] { "INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive" }),
            "user add creates the default mailboxes");
        Assert.That(await LoginAsync($"b-{login}@example.test", "correct horse"), Is.EqualTo(AuthOutcome.Success), "an alias works as the login");
    }

    [Test]
    public async Task A_password_file_is_read_and_its_final_newline_dropped()
    {
        var login = NewLogin();
        var file = Path.Combine(_directory, $"{login}.password");
        await File.WriteAllTextAsync(file, "from a file \r\n");
        var result = await UserAsync(["add", login, "--email", $"{login}@example.test", "--password-file", file]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(await LoginAsync(login, "from a file "), Is.EqualTo(AuthOutcome.Success));
    }

    [Test]
    public async Task Duplicate_names_and_addresses_are_refused_with_65()
    {
        var first = NewLogin();
        await AddAsync(first, "x", "--alias", $"alias-{first}@example.test");

        var sameName = await UserAsync(["add", first.ToUpperInvariant(), "--email", $"other-{first}@example.test", "--password-stdin"], "x\n");
        Assert.That(sameName.ExitCode, Is.EqualTo(65));
        Assert.That(sameName.Error, Does.Contain($"an account named {first.ToUpperInvariant()} already exists"));

        var second = NewLogin();
        var sameAddress = await UserAsync(["add", second, "--email", $"ALIAS-{first}@example.test", "--password-stdin"], "x\n");
        Assert.That(sameAddress.ExitCode, Is.EqualTo(65));
        Assert.That(sameAddress.Error, Does.Contain($"the address alias-{first}@example.test already belongs to an account"));
        Assert.That((await UserAsync(["show", second])).ExitCode, Is.EqualTo(67), "nothing half created");
    }

    [TestCase("not-an-address", "--email: \"not-an-address\" is not local@domain")]
    [TestCase("two words@example.test", "--email: \"two words@example.test\" has a local part that is not dot-separated atoms")]
    [TestCase("user@localhost", "--email: \"user@localhost\" has a domain without a dot")]
    public async Task An_invalid_address_is_refused_with_65(string address, string message)
    {
        var result = await UserAsync(["add", NewLogin(), "--email", address, "--password-stdin"], "x\n");
        Assert.That(result.ExitCode, Is.EqualTo(65));
        Assert.That(result.Error, Does.Contain(message));
    }

    [Test]
    public async Task An_invalid_login_is_refused_with_65()
    {
        var result = await UserAsync(["add", "two words", "--email", "tw@example.test", "--password-stdin"], "x\n");
        Assert.That(result.ExitCode, Is.EqualTo(65));
        Assert.That(result.Error, Does.Contain("NAME: \"two words\" must not contain white space"));
    }

    /// <summary>
    /// Read as UTF-8, ISO-8859-1 octets would become U+FFFD: a password no client can send, which the
    /// auth module never checks. Refused at once instead of found out at the first login.
    /// </summary>
    [Test]
    public async Task A_password_file_that_is_not_UTF8_is_refused_with_65()
    {
        var login = NewLogin();
        var file = Path.Combine(_directory, "latin1-password");
        await File.WriteAllBytesAsync(file, [.. "p"u8, 0xE4, 0xDF, .. "wort\n"u8]);
        var result = await UserAsync(["add", login, "--email", $"{login}@example.test", "--password-file", file]);
        Assert.That((result.ExitCode, result.Error), Is.EqualTo((65, "the password is not UTF-8 text\n")));
        Assert.That((await UserAsync(["show", login])).ExitCode, Is.EqualTo(67));
    }

    [Test]
    public async Task Password_problems_are_refused_with_65()
    {
        var login = NewLogin();
        string[] add = ["add", login, "--email", $"{login}@example.test"];

        var empty = await UserAsync([.. add, "--password-stdin"], "\n");
        Assert.That((empty.ExitCode, empty.Error), Is.EqualTo((65, "the password is empty\n")));

        var missing = await UserAsync([.. add, "--password-file", Path.Combine(_directory, "missing")]);
        Assert.That(missing.ExitCode, Is.EqualTo(65));
        Assert.That(missing.Error, Does.StartWith($"--password-file: {Path.Combine(_directory, "missing")} cannot be read"));

        // Root reads any file whatever its mode; a directory cannot be read as a file by anyone.
        var unreadable = await UserAsync([.. add, "--password-file", _directory]);
        Assert.That(unreadable.ExitCode, Is.EqualTo(65));
        Assert.That(unreadable.Error, Does.StartWith($"--password-file: {_directory} cannot be read"));

        var none = await UserAsync(add);
        Assert.That(none.ExitCode, Is.EqualTo(65));
        Assert.That(none.Error, Does.StartWith("a password is required: --password-stdin or --password-file FILE"));

        var both = await UserAsync([.. add, "--password-stdin", "--password-file", "/dev/null"], "x\n");
        Assert.That(both.ExitCode, Is.EqualTo(65));

        var twoLines = await UserAsync([.. add, "--password-stdin"], "first\nsecond\n");
        Assert.That(twoLines.ExitCode, Is.EqualTo(65));
        Assert.That(twoLines.Error, Does.Contain("line break"));

        Assert.That((await UserAsync(["show", login])).ExitCode, Is.EqualTo(67), "no account after any of these");
    }

    [Test]
    public async Task A_password_on_the_command_line_is_not_an_option()
    {
        var login = NewLogin();
        var result = await UserAsync(["add", login, "--email", $"{login}@example.test", "--password", "visible-in-ps"]);
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That((await UserAsync(["show", login])).ExitCode, Is.EqualTo(67));
    }

    [Test]
    public async Task Passwd_replaces_the_password()
    {
        var login = NewLogin();
        var old = await AddAsync(login);
        Assert.That(await LoginAsync(login, old), Is.EqualTo(AuthOutcome.Success));

        var result = await UserAsync(["passwd", login, "--password-stdin"], "brand new\n");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(await LoginAsync(login, old), Is.EqualTo(AuthOutcome.InvalidCredentials), "the old password stops at once, cached or not");
        Assert.That(await LoginAsync(login, "brand new"), Is.EqualTo(AuthOutcome.Success));
    }

    [Test]
    public async Task Disable_and_enable_switch_logins_off_and_on()
    {
        var login = NewLogin();
        var password = await AddAsync(login);
        Assert.That((await UserAsync(["disable", login])).ExitCode, Is.Zero);
        Assert.That(await LoginAsync(login, password), Is.EqualTo(AuthOutcome.AccountDisabled));
        Assert.That((await UserAsync(["list"])).Output, Does.Contain(login).And.Contain("disabled"));
        Assert.That((await UserAsync(["enable", login])).ExitCode, Is.Zero);
        Assert.That(await LoginAsync(login, password), Is.EqualTo(AuthOutcome.Success));
    }

    [Test]
    public async Task Delete_needs_yes()
    {
        var login = NewLogin();
        await AddAsync(login);
        var refused = await UserAsync(["delete", login]);
        Assert.That(refused.ExitCode, Is.EqualTo(65));
        Assert.That(refused.Error, Does.Contain("add --yes to confirm"));
        Assert.That((await UserAsync(["show", login])).ExitCode, Is.Zero, "still there");

        Assert.That((await UserAsync(["delete", login, "--yes"])).ExitCode, Is.Zero);
        Assert.That((await UserAsync(["show", login])).ExitCode, Is.EqualTo(67));
    }

    [TestCase("show")]
    [TestCase("passwd", "--password-stdin")]
    [TestCase("disable")]
    [TestCase("enable")]
    [TestCase("delete", "--yes")]
    [TestCase("set", "--quota", "1G")]
    public async Task An_unknown_account_exits_67(string verb, params string[] options)
    {
        var name = "nobody-" + Guid.NewGuid().ToString("N")[..8];
        var result = await UserAsync([verb, name, .. options], "x\n");
        Assert.That(result.ExitCode, Is.EqualTo(67), result.ToString());
        Assert.That(result.Error, Is.EqualTo($"no account named {name}\n"));
    }

    [Test]
    public async Task Set_changes_the_legacy_device_flag_quota_and_display_name()
    {
        var login = NewLogin();
        await AddAsync(login, "x", "--quota", "500M");
        var result = await UserAsync(["set", login, "--legacy-device", "true", "--quota", "unlimited", "--display-name", "Front desk printer"]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var shown = await ShowAsync(login);
        Assert.That(((bool?)shown["legacyDevice"], (long?)shown["quotaBytes"], (string?)shown["displayName"]),
            Is.EqualTo(((bool?)true, (long?)null, "Front desk printer")));
        Assert.That((await UserAsync(["set", login])).ExitCode, Is.EqualTo(65), "nothing to change");
        Assert.That((await UserAsync(["set", login, "--quota", "lots"])).ExitCode, Is.EqualTo(65));
    }

    [Test]
    public async Task The_message_quota_is_set_on_add_changed_by_set_and_shown_with_the_count()
    {
        var login = NewLogin();
        await AddAsync(login, "x", "--message-quota", "5000");
        var shown = await ShowAsync(login);
        Assert.That(((long?)shown["quotaMessages"], (long?)shown["usedMessages"]), Is.EqualTo(((long?)5000, (long?)0)));

        var result = await UserAsync(["set", login, "--message-quota", "unlimited"]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("message quota unlimited"));
        Assert.That((long?)(await ShowAsync(login))["quotaMessages"], Is.Null);
        Assert.That((await UserAsync(["set", login, "--message-quota", "0"])).ExitCode, Is.EqualTo(65), "at least one message");
        Assert.That((await UserAsync(["set", login, "--message-quota", "1k"])).ExitCode, Is.EqualTo(65), "a count, not a size");
    }

    [Test]
    public async Task List_prints_every_account_as_text_or_JSON()
    {
        var login = NewLogin();
        await AddAsync(login, "x", "--legacy-device");
        var text = await UserAsync(["list"]);
        Assert.That(text.ExitCode, Is.Zero);
        Assert.That(text.Output.Split('\n')[0], Does.StartWith("LOGIN"));
        Assert.That(text.Output.Split('\n'), Has.Some.Match($"^{login} +{login}@example.test +legacy-device +unlimited +0 B$"));

        var json = await UserAsync(["list", "--json"]);
        var accounts = JsonNode.Parse(json.Output)!.AsArray();
        Assert.That(accounts.Select(a => (string?)a!["login"]), Does.Contain(login));
    }

    [Test]
    public async Task List_exposed_names_accounts_whose_current_password_crossed_the_network_in_clear()
    {
        var exposedLogin = NewLogin();
        var safeLogin = NewLogin();
        var password = await AddAsync(exposedLogin);
        await AddAsync(safeLogin);
        Assert.That(await LoginAsync(exposedLogin, password, tls: false), Is.EqualTo(AuthOutcome.PlaintextRefused));
        Assert.That(await LoginAsync(safeLogin, password, tls: true), Is.EqualTo(AuthOutcome.Success));
        await _node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);

        var text = await UserAsync(["list", "--exposed"]);
        Assert.That(text.ExitCode, Is.Zero, text.ToString());
        Assert.That(text.Output, Does.Contain(exposedLogin).And.Contain("cli-check/cli-check").And.Not.Contain(safeLogin));
        var json = JsonNode.Parse((await UserAsync(["list", "--exposed", "--json"])).Output)!.AsArray();
        var entry = json.Single(e => (string?)e!["login"] == exposedLogin)!;
        Assert.That(((long?)entry["exposures"], (string?)entry["lastAddress"]), Is.EqualTo(((long?)1, "127.0.0.1")));
        Assert.That((string?)entry["verdict"], Is.EqualTo("leaked"));
        Assert.That((await UserAsync(["show", exposedLogin])).Output, Does.Contain("password exposed: YES: the current password crossed in clear 1 time(s)"));

        // A new password is not exposed: by default only exposures since the last change count.
        Assert.That((await UserAsync(["passwd", exposedLogin, "--password-stdin"], "fresh\n")).ExitCode, Is.Zero);
        Assert.That((await UserAsync(["list", "--exposed"])).Output, Does.Not.Contain(exposedLogin));
        Assert.That((await UserAsync(["list", "--exposed", "--since", "2000-01-01"])).Output, Does.Contain(exposedLogin));
        Assert.That((await UserAsync(["list", "--exposed", "--since", "yesterday-ish"])).ExitCode, Is.EqualTo(65));
    }

    [Test]
    public async Task List_exposed_puts_real_leaks_before_wrong_passwords_and_all_lists_every_attempt()
    {
        var noise = NewLogin();
        var leaked = NewLogin();
        var password = await AddAsync(noise);
        var leakedPassword = await AddAsync(leaked);

        // Anyone can send an account's name with a wrong password in clear; only the second is a leak.
        Assert.That(await LoginAsync(leaked, leakedPassword, tls: false), Is.EqualTo(AuthOutcome.PlaintextRefused));
        Assert.That(await LoginAsync(noise, password + "-wrong", tls: false), Is.EqualTo(AuthOutcome.PlaintextRefused));
        await _node.Services.GetRequiredService<AuthService>().FlushAuditAsync(CancellationToken.None);

        var lines = (await UserAsync(["list", "--exposed"])).Output.Split('\n');
        var leakedLine = Array.FindIndex(lines, l => l.StartsWith(leaked + " ", StringComparison.Ordinal));
        var noiseLine = Array.FindIndex(lines, l => l.StartsWith(noise + " ", StringComparison.Ordinal));
        Assert.That(leakedLine, Is.GreaterThan(0));
        Assert.That(noiseLine, Is.GreaterThan(leakedLine), "real leaks come first");
        Assert.That(lines[leakedLine], Does.Contain("LEAKED"));
        Assert.That(lines[noiseLine], Does.Contain("wrong-passwords"));
        Assert.That((await UserAsync(["show", noise])).Output, Does.Contain("password exposed: no: 1 clear-text attempt(s) since it was set, all with a wrong password"));

        var attempts = JsonNode.Parse((await UserAsync(["list", "--exposed", "--all", "--json"])).Output)!.AsArray();
        Assert.That(attempts.Where(a => (string?)a!["login"] == noise).Select(a => (bool?)a!["passwordMatched"]), Is.EqualTo(new bool?[] { false }));
        Assert.That(attempts.Where(a => (string?)a!["login"] == leaked).Select(a => (bool?)a!["passwordMatched"]), Is.EqualTo(new bool?[] { true }));
        Assert.That((await UserAsync(["list", "--all"])).ExitCode, Is.EqualTo(65), "--all belongs to --exposed");
    }

    [Test]
    public async Task An_unreachable_database_exits_69()
    {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var config = WriteConfig("unreachable.json", "Host=127.0.0.1;Port=1;Username=groupware;Database=groupware;Timeout=2");
        var result = await UserAsync(["list"], config: config);
        Assert.That(result.ExitCode, Is.EqualTo(69));
        Assert.That(result.Error, Does.StartWith("Database:ConnectionString: the database is unreachable"));
    }

    [Test]
    public async Task A_database_without_the_schema_exits_69_and_says_to_migrate()
    {
        var empty = await TestDatabase.CreateDatabaseAsync("unmigrated");
        try
        {
            var result = await UserAsync(["list"], config: WriteConfig("unmigrated.json", empty));
            Assert.That(result.ExitCode, Is.EqualTo(69));
            Assert.That(result.Error, Does.Contain("run `groupware db migrate` first"));
        }
        finally
        {
            await TestDatabase.DropDatabaseAsync(empty);
        }
    }

    [Test]
    public async Task A_bad_configuration_exits_78()
    {
        var missing = await UserAsync(["list"], config: Path.Combine(_directory, "nonexistent.json"));
        Assert.That(missing.ExitCode, Is.EqualTo(78));

        var path = Path.Combine(_directory, "bad.json");
        var config = JsonNode.Parse(await File.ReadAllTextAsync(_config))!.AsObject();
        config["Auth"] = new JsonObject { ["Argon2Iterations"] = "0" };
        await File.WriteAllTextAsync(path, config.ToJsonString());
        var bad = await UserAsync(["list"], config: path);
        Assert.That(bad.ExitCode, Is.EqualTo(78));
        Assert.That(bad.Error, Does.Contain("Auth:Argon2Iterations: \"0\" is not a whole number from 1 to 64"));
        Assert.That(bad.Error, Does.Not.Contain("warning:"), "listener warnings concern serve, not user");
    }
}
