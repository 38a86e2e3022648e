using System.CommandLine;
using Groupware.Server.Configuration;

namespace Groupware.Server.Cli;

/// <summary>The <c>groupware</c> command line: one verb per operator task, <c>--help</c> on each.</summary>
internal static class GroupwareCommand
{
    /// <summary>
    /// <c>--config PATH</c>, accepted by every verb. Environment variables GROUPWARE__Section__Key
    /// override the file's values.
    /// </summary>
    public static Option<string> ConfigOption { get; } = new("--config")
    {
        Description = $"The node's configuration file (default {GroupwareOptions.DefaultPath}); GROUPWARE__Section__Key environment variables override it",
        DefaultValueFactory = _ => GroupwareOptions.DefaultPath,
        Recursive = true,
        HelpName = "PATH",
    };

    public static RootCommand Create()
    {
        var root = new RootCommand("groupware: mail (IMAP, POP3, LMTP) and calendar server on PostgreSQL, secure by default");
        root.Options.Add(ConfigOption);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(DevCertCommand.Create());
        root.Subcommands.Add(ProbeCommand.Create());
        root.Subcommands.Add(UserCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(DeliverCommand.Create());
        root.Subcommands.Add(DnsCommand.Create());
        return root;
    }
}
