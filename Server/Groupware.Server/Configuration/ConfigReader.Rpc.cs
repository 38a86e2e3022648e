using Groupware.Rpc;
using Microsoft.Extensions.Configuration;

namespace Groupware.Server.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary>Reads the <c>Rpc</c> section; a missing key keeps the default <see cref="RpcOptions"/> documents.</summary>
    private RpcOptions ReadRpc(IConfiguration configuration)
    {
        var defaults = new RpcOptions();
        var rpc = configuration.GetSection("Rpc");
        var relayHost = rpc["RelayHost"];
        if (relayHost is { Length: > 0 } && (relayHost.Any(char.IsWhiteSpace) || relayHost.Any(char.IsControl) || relayHost.Contains(':', StringComparison.Ordinal)))
        {
            Problem("Rpc:RelayHost", $"\"{relayHost}\" must be a host name or IPv4 address, without a port (that is Rpc:RelayPort)");
        }

        var relayTls = defaults.RelayTls;
        switch (rpc["RelayTls"]?.ToLowerInvariant())
        {
            case null or "" or "starttls":
                break;
            case "implicit":
                relayTls = RelayTls.Implicit;
                break;
            default:
                Problem("Rpc:RelayTls", $"\"{rpc["RelayTls"]}\" is not starttls or implicit (mail is never relayed without TLS)");
                break;
        }

        var pageSize = ReadWhole(configuration, "Rpc:MaxPageSize", defaults.MaxPageSize, 1, 100_000);
        return defaults with
        {
            SessionLifetime = TimeSpan.FromHours(ReadWhole(configuration, "Rpc:SessionLifetimeHours", (int)defaults.SessionLifetime.TotalHours, 1, 24 * 366)),
            MaxRestrictionDepth = ReadWhole(configuration, "Rpc:MaxRestrictionDepth", defaults.MaxRestrictionDepth, 1, 1000),
            MaxRestrictionNodes = ReadWhole(configuration, "Rpc:MaxRestrictionNodes", defaults.MaxRestrictionNodes, 1, 100_000),
            MaxPageSize = pageSize,
            DefaultPageSize = ReadWhole(configuration, "Rpc:DefaultPageSize", Math.Min(defaults.DefaultPageSize, pageSize), 1, pageSize),
            MaxBatchItems = ReadWhole(configuration, "Rpc:MaxBatchItems", defaults.MaxBatchItems, 1, 100_000),
            ContentChunkSize = ReadWhole(configuration, "Rpc:ContentChunkSize", defaults.ContentChunkSize, 1024, 1024 * 1024),
            MaxResolveMatches = ReadWhole(configuration, "Rpc:MaxResolveMatches", defaults.MaxResolveMatches, 1, 1000),
            MaxNamesPerCall = ReadWhole(configuration, "Rpc:MaxNamesPerCall", defaults.MaxNamesPerCall, 1, 10_000),
            MaxReceiveMessageSize = ReadWhole(configuration, "Rpc:MaxReceiveMessageSize", defaults.MaxReceiveMessageSize, 64 * 1024, 1024 * 1024 * 1024),
            RelayHost = relayHost is { Length: > 0 } ? relayHost : null,
            RelayPort = ReadWhole(configuration, "Rpc:RelayPort", defaults.RelayPort, 1, 65535),
            RelayTls = relayTls,
        };
    }
}
