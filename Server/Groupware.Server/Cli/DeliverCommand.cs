using System.CommandLine;
using System.Data.Common;
using System.Security.Cryptography;
using Groupware.Lmtp;
using Groupware.Server.Hosting;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Mail;

namespace Groupware.Server.Cli;

/// <summary>
/// <c>groupware deliver --recipient ADDR [--from SENDER]</c>: delivers the message on standard
/// input to one recipient's INBOX, for MTAs that pipe (Postfix <c>mailbox_command</c> or a pipe(8)
/// transport). The exit code tells the MTA what to do, as sysexits(3) and Dovecot's
/// <c>dovecot-lda -e</c> do (this command never sends a bounce itself):
/// <list type="table">
/// <item><term>0</term><description>delivered and committed</description></item>
/// <item><term>64 EX_USAGE</term><description>bad arguments or a recipient that is not an address</description></item>
/// <item><term>67 EX_NOUSER</term><description>no account has this address (the MTA bounces)</description></item>
/// <item><term>75 EX_TEMPFAIL</term><description>the database is unreachable or failed, or anything else went wrong before
/// the commit (the MTA retries)</description></item>
/// <item><term>77 EX_NOPERM</term><description>refused for good: over quota, disabled account, or larger than
/// <c>Mail:MaxMessageSize</c> (dovecot-lda -e's rejection code; the reason goes to stderr and the MTA bounces)</description></item>
/// <item><term>78 EX_CONFIG</term><description>the configuration is unusable</description></item>
/// </list>
/// A leading mbox <c>From </c> line (pipe(8) flag F) is dropped, as dovecot-lda does.
/// </summary>
internal static class DeliverCommand
{
    public const int ExOk = 0;
    public const int ExUsage = 64;
    public const int ExNoUser = 67;
    public const int ExTempFail = 75;
    public const int ExNoPerm = 77;

    private const int ReadBufferSize = 64 * 1024;

    public static Command Create()
    {
        var recipient = new Option<string>("--recipient")
        {
            Description = "The address to deliver to (primary address, alias or user+tag subaddress)",
            Required = true,
            HelpName = "ADDR",
        };
        var from = new Option<string?>("--from")
        {
            Description = "The envelope sender for Return-Path (default: the SENDER environment variable Postfix sets, else empty)",
            HelpName = "SENDER",
        };
        var command = new Command("deliver", "Deliver the message on standard input to one recipient's INBOX; sysexits(3) exit codes for MTAs")
        {
            recipient, from,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var options = CliConfig.Load(parse.GetValue(GroupwareCommand.ConfigOption)!, error, out _);
            if (options is null)
            {
                return GroupwareHost.ExConfig;
            }

            var sender = parse.GetValue(from) ?? Environment.GetEnvironmentVariable("SENDER") ?? "";
            await using var input = Console.OpenStandardInput();
            return await RunAsync(options.ConnectionString, options.Node.Name, options.Mail, parse.GetValue(recipient)!, sender, input, error,
                cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(string connectionString, string nodeName, LmtpOptions mail, string recipient, string sender,
        Stream input, TextWriter error, CancellationToken cancellationToken)
    {
        var address = recipient.Trim().Trim('<', '>');
        if (address.LastIndexOf('@') is <= 0 || address.EndsWith('@') || address.Any(c => char.IsControl(c) || c == ' '))
        {
            await error.WriteLineAsync($"deliver: --recipient: \"{recipient}\" is not an address");
            return ExUsage;
        }

        await using var dataSource = Database.CreateDataSource(connectionString, nodeName);
        var store = new MailStore(dataSource);
        try
        {
            var lookup = await new RecipientResolver(new AccountStore(dataSource)).ResolveAsync(address, cancellationToken);
            switch (lookup.Status)
            {
                case RecipientStatus.Unknown:
                    await error.WriteLineAsync($"deliver: <{address}>: no such user (5.1.1)");
                    return ExNoUser;
                case RecipientStatus.Disabled:
                    await error.WriteLineAsync($"deliver: <{address}>: mailbox disabled (5.2.1)");
                    return ExNoPerm;
            }

            await using var message = IncomingMessage.Create(mail.SpoolDirectory, mail.MaxMessageSize);
            await SpoolAsync(input, message, cancellationToken);
            await message.CompleteAsync(cancellationToken);
            if (message.TooBig)
            {
                await error.WriteLineAsync($"deliver: <{address}>: message too big, the limit is {mail.MaxMessageSize} octets (5.3.4)");
                return ExNoPerm;
            }

            if (message.SpoolError is { } spoolError)
            {
                await error.WriteLineAsync($"deliver: <{address}>: the spool in {mail.SpoolDirectory} failed, try again later " +
                    $"({(message.SpoolFull ? "4.3.1" : "4.3.0")}): {spoolError.Message}");
                return ExTempFail;
            }

            var now = DateTimeOffset.UtcNow;
            var received = new ReceivedField(null, null, mail.HostName, "local", Convert.ToHexString(RandomNumberGenerator.GetBytes(8)), now);
            var results = await store.DeliverAsync(message,
                [new MessageDelivery(lookup.Account!.Id, TraceFields.Build(sender, address, received))], now, cancellationToken);
            switch (results[0].Status)
            {
                case DeliveryStatus.Delivered:
                    return ExOk;
                case DeliveryStatus.MailboxFull:
                    await error.WriteLineAsync($"deliver: <{address}>: mailbox full, quota exceeded (5.2.2)");
                    return ExNoPerm;
                case DeliveryStatus.Disabled:
                    await error.WriteLineAsync($"deliver: <{address}>: mailbox disabled (5.2.1)");
                    return ExNoPerm;
                default:
                    await error.WriteLineAsync($"deliver: <{address}>: no such user (5.1.1)");
                    return ExNoUser;
            }
        }
        catch (Exception e)
        {
            // Whatever failed before the commit (the database, the spool, standard input, a bug), the
            // message is not stored: the MTA must keep it and retry. Any exit status outside
            // sysexits(3) would make Postfix's pipe(8) bounce it (5.3.0) instead.
            var reason = Groupware.Storage.DatabaseFailure.IsUnavailable(e) ? e.Message : $"{e.GetType().Name}: {e.Message}";
            await error.WriteLineAsync($"deliver: <{address}>: temporary failure, try again later (4.3.0): {reason}");
            return ExTempFail;
        }
    }

    /// <summary>Copies standard input into the spool, without a leading mbox <c>From </c> line.</summary>
    private static async Task SpoolAsync(Stream input, IncomingMessage message, CancellationToken cancellationToken)
    {
        var buffer = new byte[ReadBufferSize];
        var first = true;
        while (true)
        {
            var read = await input.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return;
            }

            var chunk = buffer.AsMemory(0, read);
            if (first)
            {
                first = false;
                // The "From " line is short; a first read shorter than it is not worth handling.
                if (chunk.Span.StartsWith("From "u8) && chunk.Span.IndexOf((byte)'\n') is var lf and >= 0)
                {
                    chunk = chunk[(lf + 1)..];
                }
            }

            await message.WriteAsync(chunk, cancellationToken);
        }
    }
}
