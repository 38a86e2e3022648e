using System.CommandLine;
using Groupware.Server.Cli;

namespace Groupware.Tests.Probe;

/// <summary>What a probe printed and its exit code.</summary>
public sealed record ProbeRun(int ExitCode, string Output)
{
    /// <summary>The first line: the one a monitoring system reads.</summary>
    public string StatusLine => Output.Split('\n')[0].TrimEnd('\r');

    public override string ToString() => $"exit {ExitCode}\n{Output}";
}

/// <summary>
/// Runs <c>groupware probe ...</c> in-process through the real command line (parsing, options,
/// output), or as the real executable (<c>dotnet groupware.dll probe ...</c>).
/// </summary>
public static class ProbeCli
{
    public static async Task<ProbeRun> RunAsync(params string[] arguments)
    {
        using var output = new StringWriter();
        var parse = GroupwareCommand.Create().Parse(["probe", .. arguments]);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = ProbeCommand.ExitCode(parse, await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = output }, limit.Token));
        return new ProbeRun(exitCode, output.ToString());
    }

    /// <summary>The built executable, run by the same dotnet host that runs the tests.</summary>
    public static async Task<ProbeRun> RunExecutableAsync(params string[] arguments)
    {
        var result = await ExternalProcess.RunAsync(ServerProcess.DotnetHost, [ServerProcess.ServerDll, "probe", .. arguments],
            timeout: TimeSpan.FromSeconds(60));
        return new ProbeRun(result.ExitCode, result.Output + result.Error);
    }

    /// <summary>A password file for the canary, removed by the caller.</summary>
    public static string PasswordFile(string password)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gwtest-probe-{Guid.NewGuid():N}");
        File.WriteAllText(path, password + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
