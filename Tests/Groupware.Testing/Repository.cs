namespace Groupware.Testing;

/// <summary>Where the repository's own files (deploy/, the README) are, seen from the test binaries.</summary>
public static class Repository
{
    /// <summary>The directory holding Groupware.sln, above the running tests.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Groupware.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("no Groupware.sln above " + AppContext.BaseDirectory);
    }
}
