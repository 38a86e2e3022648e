using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Groupware.Server.Configuration;

/// <summary>
/// Reads <see cref="GroupwareOptions"/> from configuration and lists every problem it finds, each
/// naming its key, instead of stopping at the first: an operator fixes a file in one pass.
/// </summary>
internal sealed partial class ConfigReader
{
    private static readonly string[] TlsModes = ["implicit", "starttls", "none"];
    private static readonly string[] PlaintextAccountValues = ["legacy-devices", "any"];

    private static readonly Dictionary<string, string[]> KnownKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] = ["Node", "Database", "Tls", "Listeners", "Limits", "Admin", "Auth", "Mail", "Imap", "ClientSetup", "Rpc"],
        ["Node"] = ["Name", "AllowPlaintextAuth", "PlaintextAccounts", "TrustedNetworks"],
        ["Database"] = ["ConnectionString"],
        ["Tls"] = ["CertificateFile", "KeyFile"],
        ["Limits"] = ["MaxConnectionsPerListener", "MaxConnectionsPerIp", "TlsHandshakeTimeoutSeconds", "ShutdownTimeoutSeconds",
            "MaxLineLength", "MaxLiteralSize", "MaxCommandSize", "IdleTimeoutSeconds", "CommandLineTimeoutSeconds", "MinDataRate"],
        ["Admin"] = ["Endpoint"],
        ["Listeners:*"] = ["Protocol", "Endpoint", "Tls", "MaxConnections", "MaxConnectionsPerIp"],
        ["Auth"] = ["Argon2MemoryKiB", "Argon2Iterations", "Argon2Parallelism", "MaxConcurrentVerifications", "FailureDelayMilliseconds",
            "MaxFailureDelayMilliseconds", "FailureMemorySeconds", "MaxTrackedClients", "BlockThreshold", "BlockWindowMinutes",
            "BlockDurationMinutes", "BlockRefreshSeconds", "IPv6PrefixLength", "CacheLifetimeSeconds", "CacheMaxEntries",
            "AuditRetentionDays", "AuditQueueCapacity"],
        ["Mail"] = ["MaxMessageSize", "MaxRecipients", "SpoolDirectory", "HostName", "ExpungedUidRetentionDays"],
        ["ClientSetup"] = ["HostName", "LegacyHostName", "SubmissionHostName", "ImapPort", "ImapStartTlsPort", "Pop3Port", "Pop3StartTlsPort",
            "SubmissionPort", "SubmissionStartTlsPort", "CalDavPort"],
        ["Imap"] = ["MaxSessionsPerUserAndAddress", "MaxAuthFailures", "LoginTimeoutSeconds", "IdleKeepAliveSeconds", "MaxAppendMessages", "MaxMetadataValueSize", "MaxMetadataEntries",
            "SnapshotCacheMessages"],
        ["Rpc"] = ["SessionLifetimeHours", "MaxRestrictionDepth", "MaxRestrictionNodes", "DefaultPageSize", "MaxPageSize", "MaxBatchItems",
            "ContentChunkSize", "MaxResolveMatches", "MaxNamesPerCall", "MaxReceiveMessageSize", "RelayHost", "RelayPort", "RelayTls"],
    };

    private readonly List<ConfigProblem> _problems = [];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex NodeName();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex ListenerName();

    /// <summary>Builds the configuration of a node: the JSON file, then GROUPWARE__* environment variables.</summary>
    public static IConfigurationRoot Build(string path, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false)
            .AddEnvironmentVariables("GROUPWARE__");
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }

    /// <summary>
    /// Reads and checks the options. <paramref name="options"/> is null when any error was found;
    /// warnings alone leave it set.
    /// </summary>
    public static IReadOnlyList<ConfigProblem> Read(IConfiguration configuration, ProtocolCatalog protocols,
        out GroupwareOptions? options, string? sourcePath = null)
    {
        var reader = new ConfigReader();
        options = reader.ReadAll(configuration, protocols, sourcePath);
        if (reader._problems.Any(p => !p.IsWarning))
        {
            options = null;
        }

        return reader._problems;
    }

    private GroupwareOptions? ReadAll(IConfiguration configuration, ProtocolCatalog protocols, string? sourcePath)
    {
        CheckUnknownKeys(configuration);

        var node = configuration.GetSection("Node");
        var name = node["Name"];
        if (string.IsNullOrWhiteSpace(name))
        {
            Problem("Node:Name", "is required (a short name such as mail1, shown in every log line)");
        }
        else if (!NodeName().IsMatch(name))
        {
            Problem("Node:Name", $"\"{name}\" must be letters, digits, '.', '_' or '-', at most 63");
        }

        var allowPlaintext = ReadBool(node, "Node:AllowPlaintextAuth", false);
        var plaintextAccounts = ReadChoice(node["PlaintextAccounts"], "Node:PlaintextAccounts", PlaintextAccountValues) switch
        {
            "any" => PlaintextAccounts.Any,
            _ => PlaintextAccounts.LegacyDevices,
        };
        var trusted = ReadNetworks(node.GetSection("TrustedNetworks"));

        var connectionString = configuration["Database:ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Problem("Database:ConnectionString", "is required (e.g. Host=/var/run/postgresql;Database=groupware;Username=groupware)");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException e)
            {
                Problem("Database:ConnectionString", $"is not a valid connection string: {e.Message}");
            }
        }

        var tls = new TlsOptions(configuration["Tls:CertificateFile"] ?? "", configuration["Tls:KeyFile"] ?? "");
        var limits = ReadLimits(configuration);

        var listeners = ReadListeners(configuration.GetSection("Listeners"), protocols, allowPlaintext, limits);
        var admin = ReadAdmin(configuration["Admin:Endpoint"], listeners);
        var auth = ReadAuth(configuration);
        var mail = ReadMail(configuration);

        return new GroupwareOptions
        {
            Node = new NodeOptions(name ?? "", allowPlaintext, plaintextAccounts, trusted),
            ConnectionString = connectionString ?? "",
            Tls = tls,
            Listeners = listeners,
            Limits = limits,
            Admin = admin,
            Auth = auth,
            Mail = mail,
            ClientSetup = ReadClientSetup(configuration, mail.HostName, listeners),
            MailStore = ReadMailStore(configuration),
            Imap = ReadImap(configuration),
            Rpc = ReadRpc(configuration),
            SourcePath = sourcePath,
        };
    }

    private List<ListenerOptions> ReadListeners(IConfigurationSection section, ProtocolCatalog protocols, bool allowPlaintext,
        LimitsOptions limits)
    {
        var listeners = new List<ListenerOptions>();
        var endpoints = new List<(string Name, ListenerEndpoint Endpoint)>();
        var entries = section.GetChildren().ToList();
        if (entries.Count == 0)
        {
            Warning("Listeners", "no listener is configured: the node serves nothing");
        }

        foreach (var entry in entries)
        {
            var key = $"Listeners:{entry.Key}";
            if (!ListenerName().IsMatch(entry.Key))
            {
                Problem(key, "a listener's name must be lower-case letters, digits, '-' or '_'");
            }

            var protocol = entry["Protocol"];
            var protocolOk = true;
            if (string.IsNullOrEmpty(protocol))
            {
                Problem($"{key}:Protocol", $"is required (one of {string.Join(", ", protocols.Known)})");
                protocolOk = false;
            }
            else if (!protocols.Known.Contains(protocol, StringComparer.Ordinal))
            {
                Problem($"{key}:Protocol", $"\"{protocol}\" is not one of {string.Join(", ", protocols.Known)}");
                protocolOk = false;
            }
            else if (!protocols.IsImplemented(protocol))
            {
                Warning($"{key}:Protocol", $"\"{protocol}\" is not implemented in this version; `groupware serve` refuses to start with this listener (implemented: {string.Join(", ", protocols.Implemented)})");
            }

            var tlsText = entry["Tls"];
            TlsMode? tls = null;
            if (string.IsNullOrEmpty(tlsText))
            {
                Problem($"{key}:Tls", $"is required (one of {string.Join(", ", TlsModes)})");
            }
            else
            {
                tls = tlsText switch
                {
                    "implicit" => TlsMode.Implicit,
                    "starttls" => TlsMode.StartTls,
                    "none" => TlsMode.None,
                    _ => null,
                };
                if (tls is null)
                {
                    Problem($"{key}:Tls", $"\"{tlsText}\" is not one of {string.Join(", ", TlsModes)}");
                }
            }

            var endpointText = entry["Endpoint"];
            ListenerEndpoint? endpoint = null;
            if (string.IsNullOrEmpty(endpointText))
            {
                Problem($"{key}:Endpoint", "is required (IP:port, [IPv6]:port or unix:/path)");
            }
            else if (!ListenerEndpoint.TryParse(endpointText, out endpoint))
            {
                Problem($"{key}:Endpoint", $"\"{endpointText}\" is not IP:port, [IPv6]:port or unix:/path");
            }
            else if (endpoints.FirstOrDefault(e => e.Endpoint.Overlaps(endpoint)) is { Name: not null } clash)
            {
                Problem($"{key}:Endpoint", $"\"{endpointText}\" is already used by Listeners:{clash.Name} (\"{clash.Endpoint}\")");
                endpoint = null;
            }
            else
            {
                endpoints.Add((entry.Key, endpoint));
            }

            if (protocolOk && tls is { } mode && !protocols.AllowedTls(protocol!).Contains(mode))
            {
                Problem($"{key}:Tls", $"\"{tlsText}\" is not available for {protocol} (use {string.Join(" or ", protocols.AllowedTls(protocol!).Select(Name))})");
                tls = null;
            }

            // The MTA's word about its client's TLS and address is taken as true (Dovecot's auth-client protocol has
            // no TLS and no login of its own): on any node, only the host itself may reach a sasl listener.
            if (protocol == "sasl" && endpoint is { IsLocalOnly: false })
            {
                Problem($"{key}:Endpoint", $"\"{endpointText}\" is not a loopback address or unix socket: a sasl listener " +
                    "trusts what its client says about the end user's connection, so only the MTA on this host may reach it");
                endpoint = null;
            }

            // Fail closed (DESIGN.md, lessons): on a secure node clear text is only for local delivery and the
            // MTA's SASL, for a caldav listener that only redirects to HTTPS (DESIGN.md, the security invariant: it
            // answers every request with a redirect, and a request with credentials with 403), and for autoconfig,
            // which takes no credentials (and refuses, recording them as exposed, any sent to it in clear).
            if (tls == TlsMode.None && !allowPlaintext && endpoint is not null
                && !(protocol is "lmtp" or "sasl" && endpoint.IsLocalOnly) && protocol is not "caldav" and not "autoconfig")
            {
                Problem($"{key}:Tls", "\"none\" is not allowed on a secure node (Node:AllowPlaintextAuth is false): " +
                    "only an lmtp listener on a loopback address or unix socket may be clear text; use starttls or implicit, " +
                    "or run a separate legacy node");
                tls = null;
            }

            var defaultPerIp = protocol is "lmtp" or "sasl" ? limits.MaxConnectionsPerListener : limits.MaxConnectionsPerIp;
            var maxConnections = ReadPositive(entry, $"{key}:MaxConnections", limits.MaxConnectionsPerListener);
            var maxPerIp = ReadPositive(entry, $"{key}:MaxConnectionsPerIp", defaultPerIp);
            if (protocolOk && tls is not null && endpoint is not null)
            {
                listeners.Add(new ListenerOptions(entry.Key, protocol!, endpoint, tls.Value, maxConnections, maxPerIp));
            }
        }

        return listeners;
    }

    /// <summary><c>Admin:Endpoint</c>: loopback by default; anywhere else is allowed with a warning.</summary>
    private AdminOptions ReadAdmin(string? text, List<ListenerOptions> listeners)
    {
        if (string.IsNullOrEmpty(text))
        {
            return new AdminOptions();
        }

        if (!ListenerEndpoint.TryParse(text, out var endpoint))
        {
            Problem("Admin:Endpoint", $"\"{text}\" is not IP:port, [IPv6]:port or unix:/path");
            return new AdminOptions();
        }

        if (listeners.FirstOrDefault(l => l.Endpoint.Overlaps(endpoint)) is { } clash)
        {
            Problem("Admin:Endpoint", $"\"{text}\" is already used by Listeners:{clash.Name} (\"{clash.Endpoint}\")");
        }
        else if (!endpoint.IsLocalOnly)
        {
            Warning("Admin:Endpoint", $"\"{text}\" is not loopback: /metrics and /health answer anyone who reaches it, without TLS or login; firewall it");
        }

        return new AdminOptions { Endpoint = endpoint };
    }

    private static string Name(TlsMode mode) => mode switch
    {
        TlsMode.Implicit => "implicit",
        TlsMode.StartTls => "starttls",
        _ => "none",
    };

    private List<IPNetwork> ReadNetworks(IConfigurationSection section)
    {
        var networks = new List<IPNetwork>();
        var values = section.GetChildren().Select(c => (Key: c.Path, c.Value)).ToList();
        if (values.Count == 0 && !string.IsNullOrEmpty(section.Value))
        {
            // From an environment variable: GROUPWARE__Node__TrustedNetworks="10.0.0.0/8,192.0.2.7"
            values = section.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(v => (Key: section.Path, Value: (string?)v)).ToList();
        }

        foreach (var (key, value) in values)
        {
            if (value is null)
            {
                continue;
            }

            if (IPNetwork.TryParse(value, out var network))
            {
                // IPNetwork clears host bits without a word: 192.0.2.7/24 (an interface as `ip addr` prints
                // it) would trust the whole /24 where one host may have been meant. Refuse, as PostgreSQL's cidr does.
                var slash = value.IndexOf('/', StringComparison.Ordinal);
                if (slash > 0 && IPAddress.TryParse(value.AsSpan(0, slash), out var written)
                    && !written.GetAddressBytes().AsSpan().SequenceEqual(network.BaseAddress.GetAddressBytes()))
                {
                    Problem(key, $"\"{value}\" has host bits set; write {new IPNetwork(written, HostPrefix(written))} for the host " +
                        $"or {network} for its network");
                    continue;
                }

                networks.Add(Unmapped(network));
            }
            else if (IPAddress.TryParse(value, out var address))
            {
                networks.Add(Unmapped(new IPNetwork(address, HostPrefix(address))));
            }
            else
            {
                Problem(key, $"\"{value}\" is not a network (CIDR such as 192.0.2.0/24) or an address");
            }
        }

        return networks;
    }

    private static int HostPrefix(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;

    /// <summary>
    /// An IPv4-mapped network (::ffff:192.0.2.0/120) as the IPv4 network it names: sessions unmap a
    /// client's address before matching, so the mapped form would never match anyone.
    /// </summary>
    private static IPNetwork Unmapped(IPNetwork network) =>
        network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96
            ? new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96)
            : network;

    private bool ReadBool(IConfigurationSection section, string key, bool fallback)
    {
        var text = section[key[(key.LastIndexOf(':') + 1)..]];
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Problem(key, $"\"{text}\" is not true or false");
        return fallback;
    }

    private string? ReadChoice(string? text, string key, string[] choices)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (choices.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        Problem(key, $"\"{text}\" is not one of {string.Join(", ", choices)}");
        return null;
    }

    private int ReadPositive(IConfiguration section, string key, int fallback)
    {
        var text = section is IConfigurationSection s && key.StartsWith(s.Path + ":", StringComparison.Ordinal)
            ? s[key[(s.Path.Length + 1)..]]
            : section[key];
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        Problem(key, $"\"{text}\" is not a positive whole number");
        return fallback;
    }

    /// <summary>The <c>Auth</c> section; each value within the bounds the auth module can honour.</summary>
    private AuthOptions ReadAuth(IConfiguration configuration)
    {
        var defaults = new AuthOptions();
        int Read(string key, int fallback, int min, int max) => ReadWhole(configuration, $"Auth:{key}", fallback, min, max);
        var parallelism = Read("Argon2Parallelism", defaults.Argon2Parallelism, 1, AuthOptions.MaxArgon2Parallelism);
        var failureDelay = Read("FailureDelayMilliseconds", defaults.FailureDelayMilliseconds, 0, 600_000);
        return new AuthOptions
        {
            // RFC 9106 §3.1: at least 8 KiB per lane.
            Argon2MemoryKiB = Read("Argon2MemoryKiB", defaults.Argon2MemoryKiB, 8 * parallelism, AuthOptions.MaxArgon2MemoryKiB),
            Argon2Iterations = Read("Argon2Iterations", defaults.Argon2Iterations, 1, AuthOptions.MaxArgon2Iterations),
            Argon2Parallelism = parallelism,
            MaxConcurrentVerifications = Read("MaxConcurrentVerifications", defaults.MaxConcurrentVerifications, 1, 4096),
            FailureDelayMilliseconds = failureDelay,
            MaxFailureDelayMilliseconds = Read("MaxFailureDelayMilliseconds", Math.Max(defaults.MaxFailureDelayMilliseconds, failureDelay),
                failureDelay, 600_000),
            FailureMemorySeconds = Read("FailureMemorySeconds", defaults.FailureMemorySeconds, 0, 86_400),
            MaxTrackedClients = Read("MaxTrackedClients", defaults.MaxTrackedClients, 1, int.MaxValue),
            BlockThreshold = Read("BlockThreshold", defaults.BlockThreshold, 1, int.MaxValue),
            BlockWindowMinutes = Read("BlockWindowMinutes", defaults.BlockWindowMinutes, 1, 525_600),
            BlockDurationMinutes = Read("BlockDurationMinutes", defaults.BlockDurationMinutes, 1, 525_600),
            BlockRefreshSeconds = Read("BlockRefreshSeconds", defaults.BlockRefreshSeconds, 1, 86_400),
            IPv6PrefixLength = Read("IPv6PrefixLength", defaults.IPv6PrefixLength, 1, 128),
            CacheLifetimeSeconds = Read("CacheLifetimeSeconds", defaults.CacheLifetimeSeconds, 0, 86_400),
            CacheMaxEntries = Read("CacheMaxEntries", defaults.CacheMaxEntries, 0, 10_000_000),
            AuditRetentionDays = Read("AuditRetentionDays", defaults.AuditRetentionDays, 1, 36_500),
            AuditQueueCapacity = Read("AuditQueueCapacity", defaults.AuditQueueCapacity, 1, 10_000_000),
        };
    }

    private int ReadWhole(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Problem(key, $"\"{text}\" is not a whole number from {min} to {max}");
        return fallback;
    }

    private void CheckUnknownKeys(IConfiguration configuration)
    {
        foreach (var child in configuration.GetChildren())
        {
            CheckUnknownKeys(child, "");
        }
    }

    private void CheckUnknownKeys(IConfigurationSection section, string parentPattern)
    {
        if (!KnownKeys.TryGetValue(parentPattern, out var allowed))
        {
            return;
        }

        if (!allowed.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
        {
            Problem(section.Path, $"is not a known key (known here: {string.Join(", ", allowed)})");
            return;
        }

        var pattern = parentPattern.Length == 0 ? section.Key : $"{parentPattern}:{section.Key}";
        if (pattern.Equals("Listeners", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var listener in section.GetChildren())
            {
                foreach (var key in listener.GetChildren())
                {
                    CheckUnknownKeys(key, "Listeners:*");
                }
            }

            return;
        }

        foreach (var child in section.GetChildren())
        {
            CheckUnknownKeys(child, KnownKeys.Keys.FirstOrDefault(k => k.Equals(section.Key, StringComparison.OrdinalIgnoreCase)) ?? "-");
        }
    }

    private void Problem(string key, string message) => _problems.Add(new ConfigProblem(key, message));

    private void Warning(string key, string message) => _problems.Add(new ConfigProblem(key, message, IsWarning: true));
}
