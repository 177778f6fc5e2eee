using System.Diagnostics;

namespace Ward.Bench.LoadBalancer;

/// <summary>The commands the benchmark runs: this checkout's ward (against the benchmark's cluster), the Docker CLI, scripts.</summary>
internal static class BenchCommands
{
    public const string Docker = "/usr/local/bin/docker";

    /// <summary>./ward with WARD_CLUSTER_DIR naming the benchmark's cluster (images, the local cluster's pinning).</summary>
    public static async Task<(int ExitCode, string Output)> WardAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool require)
    {
        var result = await RunAsync(Path.Combine(BenchFiles.Root, "ward"), arguments, cancellationToken);
        return !require || result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"ward {string.Join(' ', arguments)} failed (exit {result.ExitCode}):\n{result.Output}");
    }

    public static async Task RequireAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(program, arguments, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed (exit {result.ExitCode}):\n{result.Output}");
        }
    }

    /// <summary>Runs a program to its end; stdout only in the output when it succeeds, both streams when it fails.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = BenchFiles.Root };
        start.Environment["WARD_CLUSTER_DIR"] = BenchCluster.Layout.StateDirectory;
        start.Environment["WARD"] = Path.Combine(BenchFiles.Root, "ward");
        start.Environment.Remove("DOCKER_HOST");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, process.ExitCode == 0 ? await stdout : await stdout + await stderr);
    }
}

/// <summary>Where the checkout is.</summary>
internal static class BenchFiles
{
    public static string Root { get; } = FindRoot();

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
