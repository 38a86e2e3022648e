using System.CommandLine;
using Groupware.Server.Configuration;
using Groupware.Server.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Groupware.Server.Cli;

/// <summary>
/// <c>groupware config check</c>: validates the configuration without starting anything. Exit 0
/// when the node would start (warnings may be printed), 78 (EX_CONFIG) with every problem listed.
/// <c>groupware config protocols</c>: the protocols this build serves, one per line.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var check = new Command("check", "Validate the configuration file and certificate without starting; lists every problem with its key");
        check.SetAction(parse =>
        {
            var path = parse.GetValue(GroupwareCommand.ConfigOption)!;
            return Run(path, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });

        var protocols = new Command("protocols", "List the protocols this build serves, one per line");
        protocols.SetAction(parse =>
        {
            foreach (var protocol in ProtocolCatalog.Default.Implemented)
            {
                parse.InvocationConfiguration.Output.WriteLine(protocol);
            }
        });

        var config = new Command("config", "Configuration tools");
        config.Subcommands.Add(check);
        config.Subcommands.Add(protocols);
        return config;
    }

    internal static int Run(string path, TextWriter output, TextWriter error)
    {
        var options = CliConfig.Load(path, error, out var problems);
        if (options is null)
        {
            return GroupwareHost.ExConfig;
        }

        var certificateProblems = new List<ConfigProblem>();
        CertificateCheck.Load(options, NullLoggerFactory.Instance, DateTimeOffset.UtcNow, certificateProblems);
        CliConfig.Print(certificateProblems, error);
        if (certificateProblems.Count > 0)
        {
            return GroupwareHost.ExConfig;
        }

        output.WriteLine($"{path}: OK (node {options.Node.Name}, {(options.Node.AllowPlaintextAuth ? "LEGACY: clear-text logins allowed" : "secure")}, " +
            $"{options.Listeners.Count} listener(s){(problems.Count > 0 ? $", {problems.Count} warning(s)" : "")})");
        return 0;
    }
}
