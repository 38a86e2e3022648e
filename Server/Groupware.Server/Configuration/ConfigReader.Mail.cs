using System.Globalization;
using Groupware.Lmtp;
using Groupware.Storage.Mail;
using Microsoft.Extensions.Configuration;

namespace Groupware.Server.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary>Reads the <c>Mail</c> section; a missing key keeps the default <see cref="LmtpOptions"/> documents.</summary>
    private LmtpOptions ReadMail(IConfiguration configuration)
    {
        var defaults = new LmtpOptions();
        var mail = configuration.GetSection("Mail");
        var maxMessageSize = defaults.MaxMessageSize;
        if (mail["MaxMessageSize"] is { Length: > 0 } sizeText)
        {
            if (long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
            {
                maxMessageSize = size;
            }
            else
            {
                Problem("Mail:MaxMessageSize", $"\"{sizeText}\" is not a positive whole number of octets");
            }
        }

        var spool = mail["SpoolDirectory"];
        if (spool is { Length: > 0 } && !Directory.Exists(spool))
        {
            Problem("Mail:SpoolDirectory", $"{spool} is not a directory");
        }

        var hostName = mail["HostName"];
        if (hostName is { Length: > 0 } && (hostName.Any(char.IsWhiteSpace) || hostName.Any(char.IsControl)))
        {
            Problem("Mail:HostName", $"\"{hostName}\" must be a host name without blanks");
        }

        return new LmtpOptions
        {
            MaxMessageSize = maxMessageSize,
            MaxRecipients = ReadPositive(configuration, "Mail:MaxRecipients", defaults.MaxRecipients),
            SpoolDirectory = spool is { Length: > 0 } ? spool : defaults.SpoolDirectory,
            HostName = hostName is { Length: > 0 } ? hostName : defaults.HostName,
        };
    }

    /// <summary>Reads the <c>Mail</c> section's keys for the mail store; a missing key keeps the default <see cref="MailStoreOptions"/> documents.</summary>
    private MailStoreOptions ReadMailStore(IConfiguration configuration)
    {
        var defaults = new MailStoreOptions();
        return defaults with
        {
            // 0 keeps no record past its expunge's mailbox's next expunge: correct, but every resynchronisation is a long one.
            ExpungedUidRetention = TimeSpan.FromDays(ReadWhole(configuration, "Mail:ExpungedUidRetentionDays",
                (int)defaults.ExpungedUidRetention.TotalDays, 0, 3650)),
        };
    }
}
