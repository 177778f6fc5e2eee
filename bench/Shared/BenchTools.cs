namespace Ward.Bench;

/// <summary>What several benchmarks need: the repository's root, and the median of their rounds.</summary>
internal static class BenchTools
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The folder of Ward.slnx, above the benchmark's build output.</summary>
    public static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ward.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Ward.slnx not found");
    }
}
