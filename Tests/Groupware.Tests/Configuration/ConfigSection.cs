using Groupware.Server.Configuration;
using Groupware.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Groupware.Tests.Configuration;

/// <summary>Reads one section's keys on top of a minimal valid node (a name, a database, a local LMTP listener), as <c>groupware serve</c> would.</summary>
internal static class ConfigSection
{
    public static (IReadOnlyList<ConfigProblem> Problems, GroupwareOptions? Options) Read(string section, IReadOnlyDictionary<string, string?> values)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Node:Name"] = "mail1",
            ["Database:ConnectionString"] = "Host=/var/run/postgresql;Database=groupware;Username=groupware",
            ["Listeners:lmtp:Protocol"] = "lmtp",
            ["Listeners:lmtp:Endpoint"] = "127.0.0.1:24",
            ["Listeners:lmtp:Tls"] = "none",
        };
        foreach (var (key, value) in values)
        {
            settings[$"{section}:{key}"] = value;
        }

        var problems = ConfigReader.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), ProtocolCatalog.Default, out var options);
        return (problems, options);
    }
}
