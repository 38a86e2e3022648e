using Groupware.Imap;
using Microsoft.Extensions.Configuration;

namespace Groupware.Server.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary>Reads the <c>Imap</c> section; a missing key keeps the default <see cref="ImapOptions"/> documents.</summary>
    private ImapOptions ReadImap(IConfiguration configuration)
    {
        var defaults = new ImapOptions();
        return defaults with
        {
            MaxSessionsPerUserAndAddress = ReadPositive(configuration, "Imap:MaxSessionsPerUserAndAddress", defaults.MaxSessionsPerUserAndAddress),
            MaxAuthFailures = ReadPositive(configuration, "Imap:MaxAuthFailures", defaults.MaxAuthFailures),
            LoginTimeout = TimeSpan.FromSeconds(ReadPositive(configuration, "Imap:LoginTimeoutSeconds", (int)defaults.LoginTimeout.TotalSeconds)),
            IdleKeepAlive = TimeSpan.FromSeconds(ReadPositive(configuration, "Imap:IdleKeepAliveSeconds", (int)defaults.IdleKeepAlive.TotalSeconds)),
            MaxAppendMessages = ReadPositive(configuration, "Imap:MaxAppendMessages", defaults.MaxAppendMessages),
            MaxMetadataValueSize = ReadPositive(configuration, "Imap:MaxMetadataValueSize", defaults.MaxMetadataValueSize),
            MaxMetadataEntries = ReadPositive(configuration, "Imap:MaxMetadataEntries", defaults.MaxMetadataEntries),
            SnapshotCacheMessages = ReadWhole(configuration, "Imap:SnapshotCacheMessages", defaults.SnapshotCacheMessages, 0, 100_000_000),
        };
    }
}
