using System.CommandLine;
using System.Text.RegularExpressions;
using Groupware.Autoconfig.Dns;
using Groupware.Server.Hosting;

namespace Groupware.Server.Cli;

/// <summary>
/// <c>groupware dns records --domain D</c>: the zone lines an operator publishes for a mail domain, from the
/// <c>ClientSetup</c> section of the configuration (see <see cref="ZoneRecords"/>), each marked for the secure
/// or the legacy node. Exit 0, 64 (EX_USAGE) for a domain that is not one, 78 for a bad configuration.
/// </summary>
internal static partial class DnsCommand
{
    [GeneratedRegex(@"^(?=.{1,253}\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$")]
    private static partial Regex DomainSyntax();

    public static Command Create()
    {
        var domain = new Option<string>("--domain")
        {
            Description = "The mail domain (the part of the addresses after @), e.g. example.org",
            Required = true,
            HelpName = "DOMAIN",
        };
        var records = new Command("records", "Print the DNS records (SRV, TXT, CNAME) clients and MTAs use to find this service over TLS") { domain };
        records.SetAction(parse =>
        {
            var name = parse.GetValue(domain)!.Trim();
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!DomainSyntax().IsMatch(name))
            {
                error.WriteLine($"--domain: \"{name}\" is not a domain name such as example.org");
                return 64;
            }

            var options = CliConfig.Load(parse.GetValue(GroupwareCommand.ConfigOption)!, error, out _);
            if (options is null)
            {
                return GroupwareHost.ExConfig;
            }

            output.WriteLine($"; zone lines for {name.TrimEnd('.').ToLowerInvariant()} from ClientSetup ({options.ClientSetup.HostName}" +
                $"{(options.ClientSetup.LegacyHostName is { } legacy ? $", legacy node {legacy}" : "")})");
            foreach (var record in ZoneRecords.For(options.ClientSetup, name.ToLowerInvariant(), DateTimeOffset.UtcNow))
            {
                output.WriteLine(record.ToString());
            }

            return 0;
        });

        var dns = new Command("dns", "DNS tools");
        dns.Subcommands.Add(records);
        return dns;
    }
}
