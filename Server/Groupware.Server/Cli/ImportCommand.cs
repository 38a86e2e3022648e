using System.CommandLine;
using System.Globalization;
using System.Text;
using Groupware.Auth.Passwords;
using Groupware.CalDav.Feeds;
using Groupware.Server.Import;
using Groupware.Storage.Accounts;
using Groupware.Storage.Calendar;
using Groupware.Storage.Mail;

namespace Groupware.Server.Cli;

/// <summary>
/// <c>groupware import ...</c>: moving users over from another server without their clients
/// noticing. <c>maildir</c> keeps Dovecot's UIDVALIDITY and UIDs, <c>passwd-file</c> keeps the
/// password hashes, <c>ics</c> fills a calendar. Each is idempotent and reports progress on stderr.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var command = new Command("import", "Import mail, accounts and calendars from another server (Dovecot Maildir++, passwd-file, iCalendar)");
        command.Subcommands.Add(MaildirVerb());
        command.Subcommands.Add(PasswdFileVerb());
        command.Subcommands.Add(IcsVerb());
        return command;
    }

    private static Command MaildirVerb()
    {
        var user = new Option<string>("--user") { Description = "The account to import into (login or address)", Required = true, HelpName = "NAME" };
        var directory = new Argument<string>("DIR") { Description = "The Maildir++ root (the user's ~/Maildir: cur/, new/, .Folder/ ...)" };
        var command = new Command("maildir",
            "Import a Dovecot Maildir++ with its folders, flags, keywords and subscriptions, keeping UIDVALIDITY and UIDs (dovecot-uidlist); " +
            "idempotent and resumable")
        {
            user, directory,
        };
        command.SetAction((parse, cancellationToken) => UserCommand.RunAsync(parse, async context =>
        {
            var root = Path.GetFullPath(parse.GetValue(directory)!);
            if (!Maildir.IsMaildir(root))
            {
                throw new UserCommand.UserInputException(UserCommand.ExDataErr, $"DIR: {root} is not a Maildir (it has neither cur/ nor new/)");
            }

            var account = await UserCommand.FindAsync(context, parse.GetValue(user)!, cancellationToken);
            var store = new MailStore(context.DataSource);
            await store.EnsureDefaultMailboxesAsync(account.Id, cancellationToken);
            var error = parse.InvocationConfiguration.Error;
            IReadOnlyList<FolderImport> folders;
            try
            {
                folders = await new MaildirImporter(store, context.Options.Mail.SpoolDirectory, error, TimeProvider.System)
                    .ImportAsync(account.Id, root, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new UserCommand.UserInputException(UserCommand.ExDataErr, $"DIR: {e.Message} (what was committed stays; run again to go on)");
            }

            foreach (var folder in folders)
            {
                await (folder.Problem is null ? context.Output : error).WriteLineAsync(folder.Problem is null
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"{folder.Name}: {folder.Imported} imported, {folder.Skipped} already there (UIDVALIDITY {folder.UidValidity})")
                    : $"{folder.Name}: {folder.Problem}");
            }

            return folders.Any(f => f.Problem is not null) ? UserCommand.ExDataErr : 0;
        }, cancellationToken));
        return command;
    }

    private static Command PasswdFileVerb()
    {
        var file = new Argument<string>("FILE") { Description = "Dovecot passwd-file: user:{SCHEME}hash:uid:gid:gecos:home:shell:extra" };
        var domain = new Option<string?>("--domain")
        {
            Description = "Domain of the address of users whose name has none (user becomes user@DOMAIN)",
            HelpName = "DOMAIN",
        };
        var replace = new Option<bool>("--replace-passwords")
        {
            Description = "Give accounts that already exist the file's password hash (without it they keep theirs)",
        };
        var command = new Command("passwd-file",
            "Create the accounts of a Dovecot passwd-file with their password hashes (SHA512-CRYPT, BLF-CRYPT, ARGON2ID, SSHA512, PLAIN); " +
            "idempotent: accounts that exist are left as they are")
        {
            file, domain, replace,
        };
        command.SetAction((parse, cancellationToken) => UserCommand.RunAsync(parse, async context =>
        {
            var path = parse.GetValue(file)!;
            string[] lines;
            try
            {
                lines = await File.ReadAllLinesAsync(path, Encoding.UTF8, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserCommand.UserInputException(UserCommand.ExDataErr, $"FILE: {e.Message}");
            }

            var error = parse.InvocationConfiguration.Error;
            int created = 0, updated = 0, kept = 0, refused = 0;
            var store = new MailStore(context.DataSource);
            for (var i = 0; i < lines.Length; i++)
            {
                var entry = PasswdFile.Parse(lines[i], parse.GetValue(domain));
                if (entry is null)
                {
                    continue;
                }

                var where = string.Create(CultureInfo.InvariantCulture, $"{path}:{i + 1}");
                if (entry.Problem is { } problem)
                {
                    await error.WriteLineAsync($"{where}: {problem}; skipped");
                    refused++;
                    continue;
                }

                if (!PasswordHasher.IsVerifiable(entry.PasswordHash))
                {
                    await error.WriteLineAsync($"{where}: {entry.Login}: the password scheme is not one this server verifies; skipped");
                    refused++;
                    continue;
                }

                if (await context.Accounts.FindCredentialsAsync(entry.Login, cancellationToken) is { } existing)
                {
                    // An account that exists keeps its password: its user may have changed it since, and
                    // the first login upgrades an imported hash anyway. Only --replace-passwords sets the file's.
                    if (parse.GetValue(replace) && existing.PasswordHash != entry.PasswordHash)
                    {
                        await context.Accounts.SetPasswordHashAsync(existing.Account.Id, entry.PasswordHash, cancellationToken);
                        updated++;
                    }
                    else
                    {
                        kept++;
                    }

                    continue;
                }

                try
                {
                    var account = await context.Accounts.CreateAsync(new NewAccount(entry.Login, entry.Address, [], entry.PasswordHash), cancellationToken);
                    await store.EnsureDefaultMailboxesAsync(account.Id, cancellationToken);
                    created++;
                }
                catch (AccountConflictException e)
                {
                    await error.WriteLineAsync($"{where}: {e.Message}; skipped");
                    refused++;
                }
            }

            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{created} accounts created, {kept} existing ones left as they are, {updated} given the file's password hash, {refused} lines skipped"));
            return refused > 0 ? UserCommand.ExDataErr : 0;
        }, cancellationToken));
        return command;
    }

    private static Command IcsVerb()
    {
        var user = new Option<string>("--user") { Description = "The account whose calendar it is (login or address)", Required = true, HelpName = "NAME" };
        var calendarName = new Option<string>("--calendar")
        {
            Description = "The calendar (its name in the CalDAV URL); created when missing",
            Required = true,
            HelpName = "C",
        };
        var file = new Argument<string>("FILE") { Description = "An iCalendar file (RFC 5545), e.g. an export of a whole calendar" };
        var command = new Command("ics",
            "Import the events, tasks and journal entries of an iCalendar file into a calendar, one object per UID; " +
            "idempotent: an object already there unchanged is left alone, a changed one is replaced")
        {
            user, calendarName, file,
        };
        command.SetAction((parse, cancellationToken) => UserCommand.RunAsync(parse, async context =>
        {
            var path = parse.GetValue(file)!;
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path, new UTF8Encoding(false, throwOnInvalidBytes: true), cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
                throw new UserCommand.UserInputException(UserCommand.ExDataErr, $"FILE: {e.Message}");
            }

            var account = await UserCommand.FindAsync(context, parse.GetValue(user)!, cancellationToken);
            var name = parse.GetValue(calendarName)!;
            if (!CalendarStore.IsValidCalendarName(name))
            {
                throw new UserCommand.UserInputException(UserCommand.ExDataErr, $"--calendar: \"{name}\" is not a calendar name (letters, digits, . _ @ + ~ -)");
            }

            var store = new CalendarStore(context.DataSource);
            var calendar = await store.FindCalendarAsync(account.Id, name, cancellationToken)
                ?? await store.CreateCalendarAsync(account.Id, name, ["VEVENT", "VTODO", "VJOURNAL"], new CalendarProperties(), cancellationToken)
                ?? await store.FindCalendarAsync(account.Id, name, cancellationToken)
                ?? throw new UserCommand.UserInputException(UserCommand.ExDataErr, $"--calendar: {name} could not be created");
            var error = parse.InvocationConfiguration.Error;
            var (objects, invalid) = CalendarObjects.Split(text);
            foreach (var uid in invalid)
            {
                await error.WriteLineAsync(uid.Length == 0 ? $"{path}: components without a UID; skipped" : $"{path}: UID {uid}: not valid iCalendar; skipped");
            }

            var existing = (await store.ListObjectsAsync(account.Id, calendar.Id, cancellationToken)).ToDictionary(o => o.Uid, StringComparer.Ordinal);
            int added = 0, replaced = 0, unchanged = 0, refused = invalid.Count;
            var lastReport = TimeProvider.System.GetTimestamp();
            foreach (var content in objects)
            {
                if (!calendar.Components.Contains(content.Component))
                {
                    await error.WriteLineAsync($"{path}: UID {content.Uid}: a {content.Component}, which calendar {name} does not take; skipped");
                    refused++;
                    continue;
                }

                var known = existing.GetValueOrDefault(content.Uid);
                if (known?.ETag == content.ETag)
                {
                    unchanged++;
                    continue;
                }

                var objectName = known?.Name ?? ObjectNameOf(content.Uid);
                var result = await store.PutObjectAsync(account.Id, calendar.Id, objectName, content, new WriteCondition(), cancellationToken);
                switch (result.Outcome)
                {
                    case PutOutcome.Created:
                        added++;
                        break;
                    case PutOutcome.Replaced:
                        replaced++;
                        break;
                    case PutOutcome.OverQuota:
                        throw new UserCommand.UserInputException(UserCommand.ExDataErr, string.Create(CultureInfo.InvariantCulture,
                            $"{path}: UID {content.Uid}: the account's quota is full; {added} added and {replaced} replaced before it (run again once there is room)"));
                    default:
                        await error.WriteLineAsync($"{path}: UID {content.Uid}: not stored ({result.Outcome}); skipped");
                        refused++;
                        break;
                }

                if (TimeProvider.System.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(5))
                {
                    lastReport = TimeProvider.System.GetTimestamp();
                    await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{added + replaced + unchanged}/{objects.Count} objects"));
                }
            }

            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {added} added, {replaced} replaced, {unchanged} unchanged, {refused} skipped"));
            return refused > 0 ? UserCommand.ExDataErr : 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>The object's name in the calendar: its UID where that makes a valid one (what most clients do), else a digest of it.</summary>
    private static string ObjectNameOf(string uid)
    {
        var name = uid + ".ics";
        return CalendarStore.IsValidObjectName(name) && name.All(c => c < 0x7f && !char.IsWhiteSpace(c) && c is not ('%' or '?' or '#'))
            ? name
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(uid)))[..32] + ".ics";
    }
}
