using System.CommandLine;
using System.Globalization;
using System.Net;
using Groupware.Server.Probe;

namespace Groupware.Server.Cli;

/// <summary>
/// <c>groupware probe plaintext</c> and <c>groupware probe tls</c>: checks for Nagios, Icinga and
/// their kin, in the monitoring-plugins convention (one status line, exit 0 OK, 1 WARNING,
/// 2 CRITICAL, 3 UNKNOWN, performance data, <c>-v</c> for the transcript). The probes are clients:
/// they test any server, ours or another.
/// </summary>
internal static class ProbeCommand
{
    private static readonly string[] States = ["ok", "warning", "critical", "unknown"];

    public static Command Create()
    {
        var probe = new Command("probe", "Monitoring checks in the monitoring-plugins convention (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)");
        probe.Subcommands.Add(CreatePlaintext());
        probe.Subcommands.Add(CreateTls());
        return probe;
    }

    /// <summary>
    /// Usage errors of a probe exit 3 (UNKNOWN), as the monitoring-plugins guidelines ask, rather
    /// than System.CommandLine's 1, which a monitoring system would read as WARNING.
    /// </summary>
    public static int ExitCode(ParseResult parse, int exitCode) =>
        parse.Errors.Count > 0 && IsProbe(parse.CommandResult.Command) ? (int)ProbeStatus.Unknown : exitCode;

    private static bool IsProbe(Command command) =>
        command.Name == "probe" || command.Parents.OfType<Command>().Any(p => p.Name == "probe");

    private static Command CreatePlaintext()
    {
        var common = new CommonOptions();
        var imapPort = PortOption("--imap-port", "IMAP port to try a clear-text LOGIN on (143 when no port option is given)");
        var pop3Port = PortOption("--pop3-port", "POP3 port to try clear-text USER/PASS on (110 when no port option is given)");
        var httpPort = PortOption("--http-port", "Clear-text HTTP (caldav) port to try HTTP Basic on: a PROPFIND of / with the canary's credentials");
        var rpcPort = PortOption("--rpc-port", "RPC port for an RPC logon probe: arrives with the RPC front-end; until then the port reports UNKNOWN");
        var user = new Option<string>("--user", "-u") { Description = "The canary account's login", HelpName = "LOGIN" };
        var passwordFile = new Option<FileInfo>("--password-file")
        {
            Description = "File whose first line is the canary's password (never on the command line, where ps shows it)",
            HelpName = "FILE",
        };
        var expect = new Option<string>("--expect")
        {
            Description = "refused (secure node, default): CRITICAL if a clear-text login succeeds; allowed (legacy node): CRITICAL if it fails",
            DefaultValueFactory = _ => "refused",
        };
        expect.AcceptOnlyFromAmong("refused", "allowed");
        var noCredentials = new Option<bool>("--no-credentials")
        {
            Description = "Send no password: only read what the server offers before TLS (LOGINDISABLED, AUTH=PLAIN, USER in CAPA); WARNING if it contradicts --expect",
        };
        var command = new Command("plaintext", "Try a clear-text login like a careless client; alarm if it works on a secure node (or fails on a legacy node)")
        {
            common.Host, imapPort, pop3Port, httpPort, rpcPort, user, passwordFile, expect, noCredentials,
            common.Timeout, common.Bind, common.RefuseState, common.MismatchState, common.Verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (!common.TryRead(parse, PlaintextProbe.Service, out var endpoint, out var refuse, out var mismatch, out var usage))
            {
                usage.WriteTo(output, verbose: false);
                return usage.ExitCode;
            }

            string? password = null;
            if (parse.GetValue(passwordFile) is { } file && !parse.GetValue(noCredentials))
            {
                try
                {
                    password = ReadPassword(file.FullName);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    var report = ProbeReport.Usage(PlaintextProbe.Service, $"--password-file: {file.FullName} cannot be read: {e.Message}");
                    report.WriteTo(output, verbose: false);
                    return report.ExitCode;
                }
            }

            var probe = new PlaintextProbe(new PlaintextProbeOptions
            {
                Endpoint = endpoint,
                ImapPort = parse.GetValue(imapPort),
                Pop3Port = parse.GetValue(pop3Port),
                HttpPort = parse.GetValue(httpPort),
                RpcPort = parse.GetValue(rpcPort),
                User = parse.GetValue(user),
                Password = password,
                Expect = parse.GetValue(expect) == "allowed" ? PlaintextExpectation.Allowed : PlaintextExpectation.Refused,
                NoCredentials = parse.GetValue(noCredentials),
                RefuseState = refuse,
                MismatchState = mismatch,
            });
            var result = await probe.RunAsync(cancellationToken);
            result.WriteTo(output, parse.GetValue(common.Verbose));
            return result.ExitCode;
        });
        return command;
    }

    private static Command CreateTls()
    {
        var common = new CommonOptions();
        var port = PortOption("--port", "The port: implicit TLS (993, 995) unless --starttls is given");
        port.Aliases.Add("-p");
        port.Required = true;
        var startTls = new Option<string>("--starttls")
        {
            Description = "Speak the protocol's upgrade first: imap (STARTTLS, port 143) or pop3 (STLS, port 110)",
            HelpName = "imap|pop3",
        };
        startTls.AcceptOnlyFromAmong("imap", "pop3");
        var warnDays = new Option<int>("--warn-days")
        {
            Description = "WARNING when the certificate has fewer days left",
            DefaultValueFactory = _ => TlsProbeOptions.DefaultWarnDays,
        };
        var critDays = new Option<int>("--crit-days")
        {
            Description = "CRITICAL when the certificate has fewer days left",
            DefaultValueFactory = _ => TlsProbeOptions.DefaultCritDays,
        };
        var sni = new Option<string>("--sni")
        {
            Description = "Server name to send (SNI) and to check the certificate against; --host when not given",
            HelpName = "NAME",
        };
        var insecure = new Option<bool>("--insecure")
        {
            Description = "Do not verify the chain and name (self-signed certificates); TLS version and expiry are still checked",
        };
        var command = new Command("tls", "Check a TLS service: handshake, TLS 1.2 or newer, certificate chain and name, days to expiry")
        {
            common.Host, port, startTls, warnDays, critDays, sni, insecure,
            common.Timeout, common.Bind, common.RefuseState, common.MismatchState, common.Verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (!common.TryRead(parse, TlsProbe.Service, out var endpoint, out var refuse, out var mismatch, out var usage))
            {
                usage.WriteTo(output, verbose: false);
                return usage.ExitCode;
            }

            var probe = new TlsProbe(new TlsProbeOptions
            {
                Endpoint = endpoint,
                Port = parse.GetValue(port)!.Value,
                Start = parse.GetValue(startTls) switch
                {
                    "imap" => TlsStart.Imap,
                    "pop3" => TlsStart.Pop3,
                    _ => TlsStart.Implicit,
                },
                WarnDays = parse.GetValue(warnDays),
                CritDays = parse.GetValue(critDays),
                Sni = parse.GetValue(sni),
                Insecure = parse.GetValue(insecure),
                RefuseState = refuse,
                MismatchState = mismatch,
            });
            var result = await probe.RunAsync(cancellationToken);
            result.WriteTo(output, parse.GetValue(common.Verbose));
            return result.ExitCode;
        });
        return command;
    }

    /// <summary>The first line of the file, without its line end; the rest of the file is ignored.</summary>
    internal static string ReadPassword(string path)
    {
        using var reader = new StreamReader(path);
        return reader.ReadLine() ?? "";
    }

    private static Option<int?> PortOption(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "PORT" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && value is < 1 or > IPEndPoint.MaxPort)
            {
                result.AddError($"{name}: {value} is not a port (1-65535)");
            }
        });
        return option;
    }

    /// <summary>The options every probe has, each probe its own instances.</summary>
    private sealed class CommonOptions
    {
        public Option<string> Host { get; } = new("--host", "-H")
        {
            Description = "The server: host name or IP address",
            Required = true,
        };

        public Option<double> Timeout { get; } = new("--timeout", "-t")
        {
            Description = "Seconds one port's whole conversation may take (check_tcp's default: 10)",
            DefaultValueFactory = _ => ProbeEndpoint.DefaultTimeout.TotalSeconds,
            HelpName = "SECONDS",
        };

        public Option<string> Bind { get; } = new("--bind")
        {
            Description = "Local address to connect from; Dovecot treats a client on the server's own address as secure, so probe from another",
            HelpName = "ADDR",
        };

        public Option<string> RefuseState { get; } = StateOption("--refuse-state",
            "Status when the connection is refused or times out (check_tcp's -r)");

        public Option<string> MismatchState { get; } = StateOption("--mismatch-state",
            "Status when the server does not speak the protocol (check_tcp's -M)");

        public Option<bool> Verbose { get; } = new("--verbose", "-v")
        {
            Description = "Print the transcript of each conversation after the status line, passwords masked",
        };

        public bool TryRead(ParseResult parse, string service, out ProbeEndpoint endpoint, out ProbeStatus refuse,
            out ProbeStatus mismatch, out ProbeReport usage)
        {
            endpoint = null!;
            refuse = ProbeStatuses.Parse(parse.GetValue(RefuseState)!);
            mismatch = ProbeStatuses.Parse(parse.GetValue(MismatchState)!);
            usage = null!;
            var seconds = parse.GetValue(Timeout);
            if (seconds <= 0 || double.IsNaN(seconds) || seconds > 3600)
            {
                usage = ProbeReport.Usage(service, $"--timeout: {seconds.ToString(CultureInfo.InvariantCulture)} is not between 0 and 3600 seconds");
                return false;
            }

            IPAddress? bind = null;
            if (parse.GetValue(Bind) is { Length: > 0 } text && !IPAddress.TryParse(text, out bind))
            {
                usage = ProbeReport.Usage(service, $"--bind: \"{text}\" is not an IP address");
                return false;
            }

            endpoint = new ProbeEndpoint(parse.GetValue(Host)!, bind, TimeSpan.FromSeconds(seconds));
            return true;
        }

        private static Option<string> StateOption(string name, string description)
        {
            var option = new Option<string>(name)
            {
                Description = $"{description}: ok, warning, critical or unknown (default)",
                DefaultValueFactory = _ => "unknown",
                HelpName = "STATE",
            };
            option.AcceptOnlyFromAmong(States);
            return option;
        }
    }
}
