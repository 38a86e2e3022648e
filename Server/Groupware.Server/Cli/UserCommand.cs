using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Groupware.Auth.Passwords;
using Groupware.Server.Configuration;
using Groupware.Server.Hosting;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Mail;
using Groupware.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Groupware.Server.Cli;

/// <summary>
/// <c>groupware user ...</c>: accounts for operators. A password is never taken from the command
/// line (it would show in <c>ps</c> and shell history): <c>--password-stdin</c> reads it from
/// standard input, <c>--password-file</c> from a file. Exit codes follow sysexits(3): 0 done,
/// 65 bad input (EX_DATAERR), 67 no such account (EX_NOUSER), 69 database unreachable or not
/// migrated (EX_UNAVAILABLE), 78 configuration (EX_CONFIG).
/// </summary>
internal static class UserCommand
{
    public const int ExDataErr = 65;
    public const int ExNoUser = 67;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Output for a terminal or jq, never embedded in HTML: no need to escape '+' or non-ASCII letters.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    // Each verb gets its own instances: a symbol belongs to one command.
    private static Argument<string> NameArgument() => new("NAME") { Description = "The account's login name (or one of its addresses)" };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text" };

    /// <summary>The two ways a password may come in.</summary>
    private sealed record PasswordSource(Option<bool> Stdin, Option<string> File)
    {
        public static PasswordSource Create() => new(
            new Option<bool>("--password-stdin") { Description = "Read the password from standard input (a final newline is not part of it)" },
            new Option<string>("--password-file") { Description = "Read the password from this file (a final newline is not part of it)", HelpName = "FILE" });
    }

    public static Command Create()
    {
        var user = new Command("user", "Manage accounts: add, passwd, disable, enable, delete, set, list, show");
        user.Subcommands.Add(Add());
        user.Subcommands.Add(Passwd());
        user.Subcommands.Add(SetDisabled("disable", true));
        user.Subcommands.Add(SetDisabled("enable", false));
        user.Subcommands.Add(Delete());
        user.Subcommands.Add(Set());
        user.Subcommands.Add(List());
        user.Subcommands.Add(Show());
        return user;
    }

    private static Command Add()
    {
        var email = new Option<string>("--email") { Description = "The account's primary address", Required = true, HelpName = "ADDR" };
        var aliases = new Option<string[]>("--alias") { Description = "Another address delivering to the account (repeatable)", HelpName = "ADDR" };
        var legacyDevice = new Option<bool>("--legacy-device")
        {
            Description = "May log in with a clear-text password on a legacy node (a printer or scanner that cannot do TLS)",
        };
        var quota = new Option<string>("--quota") { Description = "Storage quota: bytes, or with K, M, G or T (binary: 2G is 2 GiB)", HelpName = "SIZE" };
        var messageQuota = MessageQuotaOption("How many messages the account may hold");
        var displayName = new Option<string>("--display-name") { Description = "The name shown for the account", HelpName = "TEXT" };
        var name = NameArgument();
        var password = PasswordSource.Create();
        var command = new Command("add", "Create an account with its address, aliases and password")
        {
            name, email, aliases, password.Stdin, password.File, legacyDevice, quota, messageQuota, displayName,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async context =>
        {
            var login = parse.GetValue(name)!.Normalize(NormalizationForm.FormC);
            if (!AccountSyntax.IsValidLogin(login, out var loginProblem))
            {
                throw new UserInputException(ExDataErr, $"NAME: \"{login}\" {loginProblem}");
            }

            var primary = parse.GetValue(email)!;
            CheckAddress("--email", primary);
            var aliasList = parse.GetValue(aliases) ?? [];
            foreach (var alias in aliasList)
            {
                CheckAddress("--alias", alias);
            }

            var quotaBytes = parse.GetValue(quota) is { } quotaText ? ParseQuota(quotaText) : null;
            var quotaMessages = parse.GetValue(messageQuota) is { } countText ? ParseMessageQuota(countText) : null;
            var secret = ReadPassword(parse, password);
            Account account;
            try
            {
                account = await context.Accounts.CreateAsync(new NewAccount(login, primary, aliasList, context.Hasher.Hash(secret),
                    parse.GetValue(displayName) ?? "", parse.GetValue(legacyDevice), quotaBytes, quotaMessages), cancellationToken);
            }
            catch (AccountConflictException e)
            {
                throw new UserInputException(ExDataErr, e.Message);
            }

            await EnsureDefaultMailboxesAsync(context.DataSource, account.Id, cancellationToken);
            await context.Output.WriteLineAsync($"created account {account.Login} <{account.PrimaryAddress}>" +
                (account.Aliases.Count > 0 ? $", aliases {string.Join(", ", account.Aliases)}" : "") +
                (account.LegacyDevice ? ", legacy-device" : ""));
            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>Creates the new account's default mailboxes (INBOX and the RFC 6154 special-use ones).</summary>
    private static Task EnsureDefaultMailboxesAsync(NpgsqlDataSource dataSource, long accountId, CancellationToken cancellationToken) =>
        new MailStore(dataSource).EnsureDefaultMailboxesAsync(accountId, cancellationToken);

    private static Command Passwd()
    {
        var name = NameArgument();
        var password = PasswordSource.Create();
        var command = new Command("passwd", "Set a new password (the old one stops working on every node at once)")
        {
            name, password.Stdin, password.File,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async context =>
        {
            var account = await FindAsync(context, parse.GetValue(name)!, cancellationToken);
            var secret = ReadPassword(parse, password);
            if (!await context.Accounts.SetPasswordHashAsync(account.Id, context.Hasher.Hash(secret), cancellationToken))
            {
                throw NoSuchAccount(account.Login);
            }

            await context.Output.WriteLineAsync($"password of {account.Login} changed");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command SetDisabled(string verb, bool disabled)
    {
        var name = NameArgument();
        var command = new Command(verb, disabled
            ? "Disable an account: its logins fail (answered like a wrong password) and its mail is kept"
            : "Enable a disabled account")
        {
            name,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async context =>
        {
            var account = await FindAsync(context, parse.GetValue(name)!, cancellationToken);
            if (!await context.Accounts.SetDisabledAsync(account.Id, disabled, cancellationToken))
            {
                throw NoSuchAccount(account.Login);
            }

            await context.Output.WriteLineAsync($"{account.Login} {(disabled ? "disabled" : "enabled")}");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Delete()
    {
        var yes = new Option<bool>("--yes") { Description = "Confirm: the account, its addresses, mail and calendars are deleted for good" };
        var name = NameArgument();
        var command = new Command("delete", "Delete an account and everything it owns (requires --yes)") { name, yes };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async context =>
        {
            var account = await FindAsync(context, parse.GetValue(name)!, cancellationToken);
            if (!parse.GetValue(yes))
            {
                throw new UserInputException(ExDataErr,
                    $"deleting {account.Login} removes its addresses, mail and calendars for good; add --yes to confirm");
            }

            if (!await context.Accounts.DeleteAsync(account.Id, cancellationToken))
            {
                throw NoSuchAccount(account.Login);
            }

            await context.Output.WriteLineAsync($"deleted account {account.Login}");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Set()
    {
        var legacyDevice = new Option<bool?>("--legacy-device") { Description = "true or false: may log in in clear text on a legacy node" };
        var quota = new Option<string>("--quota") { Description = "Storage quota (2G, 500M ...) or unlimited", HelpName = "SIZE" };
        var messageQuota = MessageQuotaOption("How many messages the account may hold, or unlimited");
        var displayName = new Option<string>("--display-name") { Description = "The name shown for the account", HelpName = "TEXT" };
        var name = NameArgument();
        var command = new Command("set", "Change an account's legacy-device flag, quotas or display name")
        {
            name, legacyDevice, quota, messageQuota, displayName,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async context =>
        {
            var account = await FindAsync(context, parse.GetValue(name)!, cancellationToken);
            var changes = new List<string>();
            if (parse.GetValue(legacyDevice) is { } legacy)
            {
                await context.Accounts.SetLegacyDeviceAsync(account.Id, legacy, cancellationToken);
                changes.Add($"legacy-device {(legacy ? "on" : "off")}");
            }

            if (parse.GetValue(quota) is { } quotaText)
            {
                var bytes = ParseQuota(quotaText);
                await context.Accounts.SetQuotaAsync(account.Id, bytes, cancellationToken);
                changes.Add($"quota {FormatSize(bytes)}");
            }

            if (parse.GetValue(messageQuota) is { } countText)
            {
                var count = ParseMessageQuota(countText);
                await context.Accounts.SetMessageQuotaAsync(account.Id, count, cancellationToken);
                changes.Add($"message quota {FormatCount(count)}");
            }

            if (parse.GetValue(displayName) is { } shownName)
            {
                await context.Accounts.SetDisplayNameAsync(account.Id, shownName, cancellationToken);
                changes.Add($"display name \"{shownName}\"");
            }

            if (changes.Count == 0)
            {
                throw new UserInputException(ExDataErr, "nothing to change: give --legacy-device, --quota, --message-quota or --display-name");
            }

            await context.Output.WriteLineAsync($"{account.Login}: {string.Join(", ", changes)}");
            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>Attempts <c>list --exposed --all</c> prints at most, newest first.</summary>
    private const int MaxListedAttempts = 10_000;

    private static Command List()
    {
        var exposed = new Option<bool>("--exposed")
        {
            Description = "Only accounts whose password crossed the network in clear text (since --since, or else since each account's last password change)",
        };
        var since = new Option<string>("--since") { Description = "With --exposed: count exposures from this date (2026-01-31 or ISO 8601, UTC)", HelpName = "DATE" };
        var all = new Option<bool>("--all")
        {
            Description = "With --exposed: every attempt that sent a password in clear (since --since, default the last 30 days), not one line per account",
        };
        var jsonOutput = JsonOption();
        var command = new Command("list", "List accounts, or with --exposed those whose password must be considered leaked, real leaks first")
        {
            jsonOutput, exposed, since, all,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async context =>
        {
            var json = parse.GetValue(jsonOutput);
            if (!parse.GetValue(exposed))
            {
                if (parse.GetValue(since) is not null || parse.GetValue(all))
                {
                    throw new UserInputException(ExDataErr, "--since and --all are only meaningful with --exposed");
                }

                var accounts = await context.Accounts.ListAsync(cancellationToken);
                await context.Output.WriteLineAsync(json
                    ? JsonSerializer.Serialize(accounts.Select(AccountJson), Json)
                    : Table(["LOGIN", "ADDRESS", "FLAGS", "QUOTA", "USED"],
                        accounts.Select(a => new[] { a.Login, a.PrimaryAddress, Flags(a), FormatSize(a.QuotaBytes), FormatSize(a.UsedBytes) })));
                return 0;
            }

            var from = parse.GetValue(since) is { } sinceText ? ParseDate(sinceText) : (DateTimeOffset?)null;
            if (parse.GetValue(all))
            {
                var attempts = await context.Accounts.ListExposedAttemptsAsync(from ?? DateTimeOffset.UtcNow.AddDays(-30), MaxListedAttempts,
                    cancellationToken);
                await context.Output.WriteLineAsync(json
                    ? JsonSerializer.Serialize(attempts, Json)
                    : Table(["TIME", "LOGIN", "ACCOUNT", "FROM", "ON", "MECHANISM", "OUTCOME", "PASSWORD"],
                        attempts.Select(a => new[]
                        {
                            Time(a.At), a.Login, a.AccountLogin ?? "-", a.From, a.Listener, a.Mechanism, a.Outcome,
                            a.PasswordMatched switch { true => "CURRENT", false => "wrong", null => "unchecked" },
                        })));
                return 0;
            }

            var exposures = await context.Accounts.ListExposedAsync(from, null, cancellationToken);
            await context.Output.WriteLineAsync(json
                ? JsonSerializer.Serialize(exposures.Select(ExposureJson), Json)
                : Table(["LOGIN", "PASSWORD", "EXPOSURES", "FIRST", "LAST", "LAST FROM", "LAST ON", "FLAGS"],
                    exposures.Select(e => new[]
                    {
                        e.Login, e.Verdict switch { "leaked" => "LEAKED", var other => other }, e.Exposures.ToString(CultureInfo.InvariantCulture),
                        Time(e.FirstAt), Time(e.LastAt), e.LastAddress, e.LastListener, e.LegacyDevice ? "legacy-device" : "-",
                    })));
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Show()
    {
        var name = NameArgument();
        var jsonOutput = JsonOption();
        var command = new Command("show", "Show one account, and whether its current password was exposed") { name, jsonOutput };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async context =>
        {
            var account = await FindAsync(context, parse.GetValue(name)!, cancellationToken);
            var exposures = await context.Accounts.ListExposedAsync(null, account.Id, cancellationToken);
            var exposure = exposures.Count > 0 ? exposures[0] : null;
            if (parse.GetValue(jsonOutput))
            {
                var document = JsonSerializer.SerializeToNode(AccountJson(account), Json)!.AsObject();
                document["passwordExposure"] = exposure is null ? null : JsonSerializer.SerializeToNode(ExposureJson(exposure), Json);
                await context.Output.WriteLineAsync(document.ToJsonString(Json));
                return 0;
            }

            var lines = new List<(string, string)>
            {
                ("login", account.Login),
                ("display name", account.DisplayName),
                ("address", account.PrimaryAddress),
                ("aliases", account.Aliases.Count == 0 ? "-" : string.Join(", ", account.Aliases)),
                ("disabled", account.Disabled ? "yes" : "no"),
                ("legacy device", account.LegacyDevice ? "yes (may log in in clear text on a legacy node)" : "no"),
                ("quota", FormatSize(account.QuotaBytes)),
                ("used", FormatSize(account.UsedBytes)),
                ("message quota", FormatCount(account.QuotaMessages)),
                ("messages", account.UsedMessages.ToString(CultureInfo.InvariantCulture)),
                ("password changed", Time(account.PasswordChangedAt)),
                ("created", Time(account.CreatedAt)),
                ("password exposed", exposure switch
                {
                    null => "no (not since it was set)",
                    { Verdict: "leaked" } => $"YES: the current password crossed in clear {exposure.Leaks} time(s) since it was set, last attempt " +
                        $"{Time(exposure.LastAt)} from {exposure.LastAddress} on {exposure.LastListener}; change it",
                    { Verdict: "unchecked" } => $"MAYBE: {exposure.Unchecked} clear-text attempt(s) could not be checked, last " +
                        $"{Time(exposure.LastAt)} from {exposure.LastAddress} on {exposure.LastListener}",
                    _ => $"no: {exposure.Exposures} clear-text attempt(s) since it was set, all with a wrong password, last " +
                        $"{Time(exposure.LastAt)} from {exposure.LastAddress}",
                }),
            };
            foreach (var (label, value) in lines)
            {
                await context.Output.WriteLineAsync($"{label + ":",-18}{value}");
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// Runs a verb: reads the configuration (78), reaches a migrated database (69), and turns bad
    /// input into its exit code and one clear line on stderr.
    /// </summary>
    internal static async Task<int> RunAsync(ParseResult parse, Func<UserContext, Task<int>> verb, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        // Warnings about listeners concern `serve`, not account management: only errors are shown here.
        var options = CliConfig.Load(parse.GetValue(GroupwareCommand.ConfigOption)!, TextWriter.Null, out var problems);
        CliConfig.Print(problems.Where(p => !p.IsWarning), error);
        if (options is null)
        {
            return GroupwareHost.ExConfig;
        }

        await using var dataSource = Database.CreateDataSource(options.ConnectionString, options.Node.Name);
        try
        {
            var pending = await new Migrator(dataSource, NullLogger<Migrator>.Instance).PendingAsync(cancellationToken);
            if (pending.Count > 0)
            {
                await error.WriteLineAsync("Database:ConnectionString: the database schema is not up to date (pending migrations " +
                    $"{string.Join(", ", pending.Select(v => v.ToString("D4", CultureInfo.InvariantCulture)))}); run `groupware db migrate` first");
                return GroupwareHost.ExUnavailable;
            }

            return await verb(new UserContext(options, dataSource, new AccountStore(dataSource), new PasswordHasher(options.Auth), output));
        }
        catch (UserInputException e)
        {
            await error.WriteLineAsync(e.Message);
            return e.ExitCode;
        }
        catch (Exception e) when (Groupware.Storage.DatabaseFailure.IsUnavailable(e))
        {
            await error.WriteLineAsync($"Database:ConnectionString: the database is unreachable: {e.Message}");
            return GroupwareHost.ExUnavailable;
        }
    }

    internal static async Task<Account> FindAsync(UserContext context, string name, CancellationToken cancellationToken) =>
        (await context.Accounts.FindCredentialsByLoginOrAddressAsync(name, cancellationToken))?.Account ?? throw NoSuchAccount(name);

    private static UserInputException NoSuchAccount(string name) => new(ExNoUser, $"no account named {name}");

    private static void CheckAddress(string option, string address)
    {
        if (!AccountSyntax.IsValidAddress(address.Trim(), out var reason))
        {
            throw new UserInputException(ExDataErr, $"{option}: \"{address}\" {reason}");
        }
    }

    /// <summary>The password from standard input or a file; one final line break is not part of it.</summary>
    private static string ReadPassword(ParseResult parse, PasswordSource source)
    {
        var fromStdin = parse.GetValue(source.Stdin);
        var file = parse.GetValue(source.File);
        string text;
        if (fromStdin && file is not null)
        {
            throw new UserInputException(ExDataErr, "give --password-stdin or --password-file, not both");
        }

        if (fromStdin)
        {
            text = Console.In.ReadToEnd();
        }
        else if (file is not null)
        {
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserInputException(ExDataErr, $"--password-file: {file} cannot be read: {e.Message}");
            }
        }
        else
        {
            throw new UserInputException(ExDataErr,
                "a password is required: --password-stdin or --password-file FILE (never on the command line, where ps and shell history show it)");
        }

        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            text = text[..^2];
        }
        else if (text.EndsWith('\n'))
        {
            text = text[..^1];
        }

        if (text.Length == 0)
        {
            throw new UserInputException(ExDataErr, "the password is empty");
        }

        // Octets that are not UTF-8 were read as U+FFFD: no client could send that password, and the
        // auth module never checks one holding it.
        if (text.Contains('\uFFFD', StringComparison.Ordinal))
        {
            throw new UserInputException(ExDataErr, "the password is not UTF-8 text");
        }

        // POP3 PASS and IMAP LOGIN carry a password on one line, SASL PLAIN between NULs.
        if (text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new UserInputException(ExDataErr, "the password contains a line break or NUL; no client could send it");
        }

        return text;
    }

    private static Option<string> MessageQuotaOption(string description) =>
        new("--message-quota") { Description = description + " (QUOTA's MESSAGE resource, RFC 9208 §5.2)", HelpName = "COUNT" };

    /// <summary>A number of messages (at least 1), or null for <c>unlimited</c>.</summary>
    internal static long? ParseMessageQuota(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new UserInputException(ExDataErr, $"--message-quota: \"{text}\" is not a number of messages such as 100000 (or unlimited)");
        }

        return value;
    }

    private static string FormatCount(long? count) => count is { } n ? n.ToString(CultureInfo.InvariantCulture) : "unlimited";

    /// <summary>Bytes from <c>2G</c>, <c>500M</c>, <c>1024K</c>, <c>12345</c> (binary multiples, as Dovecot's quota rules), or null for <c>unlimited</c>.</summary>
    internal static long? ParseQuota(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var shift = char.ToUpperInvariant(trimmed.Length > 0 ? trimmed[^1] : ' ') switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            _ => 0,
        };
        var digits = shift == 0 ? trimmed : trimmed[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > (long.MaxValue >> shift))
        {
            throw new UserInputException(ExDataErr, $"--quota: \"{text}\" is not a size such as 2G, 500M or 1048576 (or unlimited)");
        }

        return value << shift;
    }

    private static DateTimeOffset ParseDate(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : throw new UserInputException(ExDataErr, $"--since: \"{text}\" is not a date such as 2026-01-31 or 2026-01-31T12:00:00Z");

    private static string Flags(Account account) =>
        (account.Disabled, account.LegacyDevice) switch
        {
            (true, true) => "disabled,legacy-device",
            (true, false) => "disabled",
            (false, true) => "legacy-device",
            _ => "-",
        };

    internal static string FormatSize(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "unlimited";
        }

        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        var scaled = (double)value;
        while (scaled >= 1024 && unit < units.Length - 1)
        {
            scaled /= 1024;
            unit++;
        }

        return unit == 0 ? $"{value} B" : scaled.ToString(scaled % 1 == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        return string.Join('\n', all.Select(r => string.Join("  ", r.Select((cell, i) => i == r.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd()));
    }

    private static object AccountJson(Account a) => new
    {
        a.Login,
        a.DisplayName,
        Address = a.PrimaryAddress,
        a.Aliases,
        a.Disabled,
        a.LegacyDevice,
        a.QuotaBytes,
        a.UsedBytes,
        a.QuotaMessages,
        a.UsedMessages,
        a.PasswordChangedAt,
        a.CreatedAt,
    };

    private static object ExposureJson(PasswordExposure e) => new
    {
        e.Login,
        e.Verdict,
        e.LegacyDevice,
        e.Exposures,
        e.Leaks,
        e.Unchecked,
        e.FirstAt,
        e.LastAt,
        e.LastAddress,
        e.LastListener,
    };

    /// <summary>What every verb works with.</summary>
    internal sealed record UserContext(GroupwareOptions Options, NpgsqlDataSource DataSource, AccountStore Accounts, PasswordHasher Hasher,
        TextWriter Output);

    /// <summary>Input the verb cannot act on: printed as one line, exit <see cref="ExitCode"/>.</summary>
    internal sealed class UserInputException(int exitCode, string message) : Exception(message)
    {
        public int ExitCode { get; } = exitCode;
    }
}
