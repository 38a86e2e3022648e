using Groupware.Server.Configuration;
using Groupware.Server.Hosting;

namespace Groupware.Server.Cli;

/// <summary>Reads a node's options for a CLI verb and prints what is wrong with them.</summary>
internal static class CliConfig
{
    /// <summary>
    /// Loads and checks <paramref name="path"/>. Returns null after printing every error to stderr;
    /// warnings are printed and do not stop the verb.
    /// </summary>
    public static GroupwareOptions? Load(string path, TextWriter error, out List<ConfigProblem> problems)
    {
        problems = [];
        if (!File.Exists(path))
        {
            problems.Add(new ConfigProblem("--config", $"{path} does not exist"));
            Print(problems, error);
            return null;
        }

        Microsoft.Extensions.Configuration.IConfigurationRoot configuration;
        try
        {
            configuration = ConfigReader.Build(path);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            problems.Add(new ConfigProblem("--config", $"{path} cannot be read: {e.GetBaseException().Message}"));
            Print(problems, error);
            return null;
        }

        problems.AddRange(ConfigReader.Read(configuration, ProtocolCatalog.Default, out var options, path));
        Print(problems, error);
        return options;
    }

    public static void Print(IEnumerable<ConfigProblem> problems, TextWriter error)
    {
        foreach (var problem in problems)
        {
            error.WriteLine(problem.IsWarning ? $"warning: {problem}" : problem.ToString());
        }
    }
}
