namespace Ward.Rules.Tests;

/// <summary>Paths in the repository, found from the test's output folder (golden files are written to the sources, not to bin).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The sources of this test project.</summary>
    public static string Tests(params string[] parts) => PathOf(["tests", "Ward.Rules.Tests", .. parts]);

    /// <summary>A repository path as messages show it: relative, with forward slashes.</summary>
    public static string Display(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ward.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Ward.slnx not found above " + AppContext.BaseDirectory);
    }
}
