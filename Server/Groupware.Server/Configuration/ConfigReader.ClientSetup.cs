using System.Text.RegularExpressions;
using Groupware.Autoconfig;
using Microsoft.Extensions.Configuration;

namespace Groupware.Server.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary>A host name of RFC 1123 §2.1: letters, digits and hyphens in labels of at most 63, at most 253 in all.</summary>
    [GeneratedRegex(@"^(?=.{1,253}\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$")]
    private static partial Regex HostNameSyntax();

    /// <summary>
    /// Reads the <c>ClientSetup</c> section: host names must be DNS host names, the legacy node's other than the
    /// secure nodes', and ports from 1 to 65535; a missing key keeps the default <see cref="ClientSetupOptions"/> documents.
    /// </summary>
    private ClientSetupOptions ReadClientSetup(IConfiguration configuration, string mailHostName, List<ListenerOptions> listeners)
    {
        var section = configuration.GetSection("ClientSetup");
        var hostName = ReadHostName(section, "HostName");
        var legacy = ReadHostName(section, "LegacyHostName");
        var submission = ReadHostName(section, "SubmissionHostName");
        if (hostName is null && listeners.Any(l => l.Protocol == "autoconfig"))
        {
            Warning("ClientSetup:HostName", $"is not set: set-up documents offer \"{mailHostName}\" (Mail:HostName), which clients must be able to reach");
        }

        var secure = hostName ?? mailHostName;
        if (legacy is not null && string.Equals(legacy.TrimEnd('.'), secure.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
        {
            Problem("ClientSetup:LegacyHostName", $"\"{legacy}\" is the secure nodes' name too (ClientSetup:HostName); the legacy node needs a name of its own");
            legacy = null;
        }

        var defaults = new ClientSetupOptions { HostName = secure };
        return defaults with
        {
            LegacyHostName = legacy,
            SubmissionHostName = submission,
            ImapPort = ReadWhole(configuration, "ClientSetup:ImapPort", defaults.ImapPort, 1, 65535),
            ImapStartTlsPort = ReadWhole(configuration, "ClientSetup:ImapStartTlsPort", defaults.ImapStartTlsPort, 1, 65535),
            Pop3Port = ReadWhole(configuration, "ClientSetup:Pop3Port", defaults.Pop3Port, 1, 65535),
            Pop3StartTlsPort = ReadWhole(configuration, "ClientSetup:Pop3StartTlsPort", defaults.Pop3StartTlsPort, 1, 65535),
            SubmissionPort = ReadWhole(configuration, "ClientSetup:SubmissionPort", defaults.SubmissionPort, 1, 65535),
            SubmissionStartTlsPort = ReadWhole(configuration, "ClientSetup:SubmissionStartTlsPort", defaults.SubmissionStartTlsPort, 1, 65535),
            CalDavPort = ReadWhole(configuration, "ClientSetup:CalDavPort", defaults.CalDavPort, 1, 65535),
        };
    }

    private string? ReadHostName(IConfigurationSection section, string key)
    {
        var value = section[key];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!HostNameSyntax().IsMatch(value))
        {
            Problem($"ClientSetup:{key}", $"\"{value}\" is not a host name (letters, digits and '-' in dot-separated labels, such as mail.example.org)");
            return null;
        }

        return value;
    }
}
