using System.Diagnostics;

namespace Ward.Bench.Database;

/// <summary>What a command did: its exit code, its output, how long it took, and when each line of its error output came.</summary>
internal sealed record Ran(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, IReadOnlyList<(TimeSpan At, string Line)> StderrLines)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n{Stdout}\n{Stderr}";
}

/// <summary>
/// The commands the benchmark runs: this checkout's ward against the benchmark's cluster (WARD_CLUSTER_DIR names it),
/// the Docker CLI on a node's engine (a reference, as the tests use it), scripts. Error output is read line by line as
/// it comes, so that ward's progress lines (one per phase of a job) can be timed.
/// </summary>
internal static class Shell
{
    public const string Docker = "/usr/local/bin/docker";

    public static string Ward { get; } = Path.Combine(BenchTools.FindRoot(), "ward");

    public static async Task<Ran> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(program, arguments))!;
        var clock = Stopwatch.StartNew();
        var lines = new List<(TimeSpan, string)>();
        var stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(cancellationToken) is { } line)
            {
                lock (lines)
                {
                    lines.Add((clock.Elapsed, line));
                }
            }
        }, cancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await stderr;
        return new Ran(process.ExitCode, await stdout, string.Join('\n', lines.Select(l => l.Item2)), clock.Elapsed, lines);
    }

    /// <summary>Runs it and fails the benchmark with its output when it fails.</summary>
    public static async Task<Ran> RequireAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var ran = await RunAsync(program, arguments, cancellationToken);
        return ran.ExitCode == 0 ? ran : throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed: {ran}");
    }

    public static Task<Ran> WardAsync(params string[] arguments) => RequireAsync(Ward, arguments, CancellationToken.None);

    /// <summary>A program left running (the writer of timestamped rows), its output read by the caller.</summary>
    public static Process Start(string program, IReadOnlyList<string> arguments)
    {
        var start = StartInfo(program, arguments);
        start.RedirectStandardInput = true;
        return Process.Start(start)!;
    }

    private static ProcessStartInfo StartInfo(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = BenchTools.FindRoot() };
        start.Environment["WARD_CLUSTER_DIR"] = BenchDatabase.Cluster.StateDirectory;
        start.Environment["WARD"] = Ward;
        start.Environment.Remove("DOCKER_HOST");
        return start;
    }
}
