using System.CommandLine;
using System.Text.RegularExpressions;
using Groupware.Server.Cli;

namespace Groupware.Tests.Probe;

/// <summary>
/// deploy/monitoring: the Icinga 2 definitions pass Icinga's own validation (<c>icinga2 daemon -C</c>),
/// and every probe option the Icinga and Nagios definitions use exists, each Nagios service's
/// command line parsing as the probe's command line does.
/// </summary>
public sealed partial class MonitoringDefinitionsTests
{
    private static readonly string Monitoring = Path.Combine(Repository.Root, "deploy", "monitoring");

    [GeneratedRegex(@"object CheckCommand ""(?<name>[^""]+)"" \{(?<body>.*?)\n\}", RegexOptions.Singleline)]
    private static partial Regex IcingaCommand();

    [GeneratedRegex(@"""(?<option>--[a-z-]+)"" =")]
    private static partial Regex IcingaArgument();

    [GeneratedRegex(@"command_name\s+(?<name>\S+)\s+command_line\s+(?<line>[^\n]+)")]
    private static partial Regex NagiosCommand();

    [GeneratedRegex(@"check_command\s+(?<call>\S+)")]
    private static partial Regex NagiosCall();

    [Test]
    public async Task The_Icinga_2_definitions_pass_icinga2_daemon_validation()
    {
        var icinga2 = File.Exists("/usr/sbin/icinga2") ? "/usr/sbin/icinga2" : ExternalProcess.Require("icinga2");
        var directory = Directory.CreateTempSubdirectory("gwtest-icinga2-").FullName;
        try
        {
            var icinga = Path.Combine(Monitoring, "icinga2");
            var config = Path.Combine(directory, "icinga2.conf");
            await File.WriteAllTextAsync(config, $"""
                const PluginDir = "/usr/lib/nagios/plugins"
                include <itl>
                include <plugins>
                include "{icinga}/groupware-commands.conf"
                include "{icinga}/groupware-services.conf"
                include "{icinga}/hosts.conf.example"
                """);
            List<string> arguments = ["daemon", "-C", "-c", config, "-DRunAsUser=root", "-DRunAsGroup=root"];
            foreach (var (constant, name) in new[] { ("DataDir", "lib"), ("CacheDir", "cache"), ("LogDir", "log"), ("SpoolDir", "spool"), ("InitRunDir", "run") })
            {
                Directory.CreateDirectory(Path.Combine(directory, name));
                arguments.Add($"-D{constant}={Path.Combine(directory, name)}");
            }

            var result = await ExternalProcess.RunAsync(icinga2, arguments, timeout: TimeSpan.FromSeconds(60));
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain("Finished validating the configuration file(s)"), result.ToString());
            // The secure example: plaintext, offer and four TLS services; the legacy one: offer, legacy plaintext, one TLS.
            Assert.That(result.Output, Does.Contain("Instantiated 9 Services").And.Contain("Instantiated 2 Hosts"), result.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Every_option_the_Icinga_commands_pass_is_a_probe_option()
    {
        var text = File.ReadAllText(Path.Combine(Monitoring, "icinga2", "groupware-commands.conf"));
        var commands = IcingaCommand().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);
        Assert.That(commands.Keys, Is.EquivalentTo(new[] { "groupware-plaintext", "groupware-tls" }));
        foreach (var (name, body) in commands)
        {
            var verb = name["groupware-".Length..];
            var known = ProbeVerb(verb).Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet();
            var used = IcingaArgument().Matches(body).Select(m => m.Groups["option"].Value).ToList();
            Assert.That(used, Is.Not.Empty);
            Assert.That(used, Is.SubsetOf(known), $"{name} passes an option groupware probe {verb} does not have");
        }
    }

    [Test]
    public void Every_Nagios_service_runs_a_command_line_the_probe_accepts()
    {
        var commands = NagiosCommand().Matches(File.ReadAllText(Path.Combine(Monitoring, "nagios", "groupware-commands.cfg")))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["line"].Value.Trim());
        var calls = NagiosCall().Matches(File.ReadAllText(Path.Combine(Monitoring, "nagios", "groupware-services.cfg.example")))
            .Select(m => m.Groups["call"].Value).ToList();
        Assert.That(calls, Has.Count.EqualTo(8));
        Assert.That(calls.Select(c => c.Split('!')[0]).Distinct(), Is.EquivalentTo(commands.Keys), "every command is used by an example service");

        foreach (var call in calls)
        {
            var parts = call.Split('!');
            var line = commands[parts[0]]
                .Replace("$HOSTADDRESS$", "192.0.2.10", StringComparison.Ordinal)
                .Replace("$HOSTNAME$", "mail1.example.net", StringComparison.Ordinal);
            foreach (var (macro, value) in new[] { ("$USER11$", "probe"), ("$USER12$", "/dev/null"), ("$USER13$", "printer-probe"), ("$USER14$", "/dev/null") })
            {
                line = line.Replace(macro, value, StringComparison.Ordinal);
            }

            for (var i = 1; i < parts.Length; i++)
            {
                line = line.Replace($"$ARG{i}$", parts[i], StringComparison.Ordinal);
            }

            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(words[0], Is.EqualTo("$USER15$"), "the binary comes from resource.cfg");
            Assert.That(words.Skip(1), Has.None.Contains("$"), $"{call}: a macro is left: {line}");
            var parse = GroupwareCommand.Create().Parse(words.Skip(1).ToArray());
            Assert.That(parse.Errors.Select(e => e.Message), Is.Empty, $"{call}: {line}");
            Assert.That(parse.CommandResult.Command.Name, Is.EqualTo(words[2]));
        }
    }

    private static Command ProbeVerb(string verb) =>
        GroupwareCommand.Create().Subcommands.Single(c => c.Name == "probe").Subcommands.Single(c => c.Name == verb);
}
