using System.CommandLine;

namespace Groupware.Server.Cli;

/// <summary><c>groupware dev-cert --out DIR</c>: a self-signed certificate for localhost, for development.</summary>
internal static class DevCertCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Directory to write cert.pem and key.pem (mode 0600) into",
            Required = true,
            HelpName = "DIR",
        };
        var names = new Option<string[]>("--name")
        {
            Description = "Extra DNS name or IP address for the certificate (repeatable); localhost, 127.0.0.1 and ::1 are always included",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = false,
        };
        var days = new Option<int>("--days")
        {
            Description = "Validity in days",
            DefaultValueFactory = _ => 365,
        };
        var command = new Command("dev-cert", "Write a self-signed certificate for localhost (development and tests only)")
        {
            output, names, days,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(output)!.FullName;
            var validity = parse.GetValue(days);
            if (validity <= 0)
            {
                parse.InvocationConfiguration.Error.WriteLine("--days: must be positive");
                return 64;
            }

            string[] all = ["localhost", "127.0.0.1", "::1", .. parse.GetValue(names) ?? []];
            var (certificateFile, keyFile) = DevCertificate.Write(directory, all.Distinct().ToList(), TimeSpan.FromDays(validity));
            parse.InvocationConfiguration.Output.WriteLine($"wrote {certificateFile} and {keyFile} (self-signed, {validity} days)");
            return 0;
        });
        return command;
    }
}
