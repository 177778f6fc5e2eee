using System.Globalization;
using Ward.Docker.Cluster;
using Ward.Docker.Tests.Differential;
using Ward.Testing;

// Issue 15's differential bench: N generated stack files, each deployed with `docker stack deploy --resolve-image
// never` (the 28.x CLI) and with Ward in process on the same swarm, their normalised specs compared field by field.
// Prints the cases run, the differences found and the time; a case that differs is kept under
// tests/Ward.Docker.Tests/Parity/generated/, which the test suite replays.
// Run (as root, under the build lock):
//   dotnet run -c Release --project bench/Ward.Bench.Differential -- [--cases N] [--threads T] [--host unix:///path/docker.sock] [--keep-cluster] [--no-keep] [--verbose] [--replay]
// Without --host it brings up a one-node swarm of its own (bridge wardd0, 10.215.0.0/24) and removes it afterwards;
// --no-keep only reports differing cases instead of keeping them; --verbose prints every case's outcome; --replay runs
// the kept cases instead of generated ones.
var cases = Option("--cases", 500);
var threads = Option("--threads", 2);
var host = args.SkipWhile(a => a != "--host").Skip(1).FirstOrDefault();
var keepCluster = args.Contains("--keep-cluster");
var keepCases = !args.Contains("--no-keep");
var verbose = args.Contains("--verbose");
var docker = File.Exists("/usr/local/bin/docker") ? "/usr/local/bin/docker" : "docker";
var layout = new ClusterLayout { Bridge = "wardd0", Subnet = "10.215.0.0/24", StateDirectory = "/var/lib/ward/differential", RunDirectory = "/run/ward/differential" };
var cluster = host is null ? new LocalCluster(layout, new ConsoleProgress()) : null;
string socket;
if (cluster is not null)
{
    await cluster.UpAsync(0, CancellationToken.None);
    socket = cluster.Layout.Manager!.Socket;
}
else
{
    socket = host!.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : throw new ArgumentException("--host must be unix:///path/to/docker.sock");
}

var scratch = Directory.CreateTempSubdirectory("ward-bench-differential-").FullName;
var kept = Repository.PathOf("tests", "Ward.Docker.Tests", "Parity", "generated");
try
{
    using var runner = new DifferentialRunner(socket, docker, scratch);
    await runner.PrepareAsync(CancellationToken.None);
    if (args.Contains("--replay"))
    {
        // The kept cases only, as the test suite replays them.
        var replayed = 0;
        var differing = 0;
        foreach (var folder in Directory.EnumerateDirectories(kept).Order(StringComparer.Ordinal))
        {
            var outcome = await runner.RunAsync(StackCase.Load(folder), 900 + replayed++, CancellationToken.None);
            differing += outcome.Differs ? 1 : 0;
            Console.WriteLine($"{Path.GetFileName(folder)}: {(outcome.Differs ? "DIFFERS " : "")}{outcome}");
        }

        Console.WriteLine($"kept cases replayed: {replayed}; differences found: {differing}");
        return differing == 0 ? 0 : 1;
    }

    Console.WriteLine($"differential: {cases} generated stack files, {threads} at a time, docker stack deploy vs ward on {socket}");
    var done = 0;
    var report = await runner.RunGeneratedAsync(cases, threads, firstNumber: 5000, keepIn: keepCases ? kept : null, outcome =>
    {
        var count = Interlocked.Increment(ref done);
        if (outcome.Differs)
        {
            Console.WriteLine($"DIFFERENCE {outcome}");
        }
        else if (verbose)
        {
            Console.WriteLine(outcome);
        }

        if (count % 50 == 0)
        {
            Console.WriteLine($"  {count} cases done");
        }
    }, CancellationToken.None);

    Console.WriteLine(report.Summary());
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cases run: {report.Cases.Count}; differences found: {report.Differing.Count}; time: {report.Elapsed.TotalSeconds:0.0} s ({report.Cases.Count / report.Elapsed.TotalSeconds:0.00} cases/s)"));
    foreach (var outcome in report.Differing.Where(_ => keepCases))
    {
        Console.WriteLine($"kept: {Path.Combine(kept, outcome.Name)}");
    }

    return report.Differing.Count == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(scratch, recursive: true);
    if (cluster is not null && !keepCluster)
    {
        await cluster.DownAsync(CancellationToken.None);
    }
}

int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);

/// <summary>Prints what the local cluster does while it comes up or goes down.</summary>
internal sealed class ConsoleProgress : IClusterProgress
{
    public void Report(string message) => Console.WriteLine($"cluster: {message}");
}
